"""A bounded pool for expensive work: fact-check, formatted references, whole-knowledge-base
exports, run in processes of their own.

Why processes: a fact-check of the largest batch is seconds of pure-Python CPU. Run in a thread of
the worker that also runs the event loop and the page threads, it holds the GIL most of the time
and every claim page and search waits for it (docs/deploy.md, "Budgets under load"). In a process
of its own, started with a lower priority (``os.nice``), it only competes for a core, which the
operating system gives the pages first.

Each worker process (uvicorn worker) has one ``WorkPool``: ``Settings.expensive_workers`` child
processes (started at the first expensive request, then kept; ``spawn``, never ``fork``, so no
lock or connection of the worker is copied; the program's main module must therefore be
import-safe, as uvicorn's and pytest's are), each with a ``Store`` of its own on the same database,
which maps the same fact-check index file (``app.factcheck.indexfile``) as every other process of
the host. ``Settings.expensive_isolation = "thread"`` runs the jobs in threads of the worker
instead (the behaviour before processes; for hosts that cannot start processes, and tests that
patch the code a job runs).

The budget, the same in both modes:

- **rate limit**: a job taken is charged to the client's expensive budget (``app.ratelimit``);
  spent, the request gets 429 ``rate-limited`` instead, before any work;
- **pool full**: at most ``expensive_workers`` jobs run and ``expensive_queue`` wait; one more gets
  ``Overloaded`` (503 ``overloaded`` with ``Retry-After``) at once, before any work. A job counts
  until its process or thread has really finished it (an abandoned job still holds its place until
  its next ``check()``);
- **deadline**: a job that is still waiting or running when ``expensive_deadline`` seconds have
  passed is answered 503 ``deadline-exceeded``; the job sees it at its next ``Budget.check()`` (or
  ``checkpoint()`` inside the fact-check's loops) and stops there;
- **client gone**: the same, as soon as the client disconnects;
- **a crashed child** (killed, out of memory, a segfault): its jobs get 503 ``worker-crashed`` with
  ``Retry-After``; the next job starts a new child;
- **the build changed** under a job so that it cannot answer from the build the request started
  with (``store.BuildChanged``): 503 ``build-changed``, retry at once.

A job is a module-level function (pickled by name) called as ``job(store, budget, *args)`` with
picklable ``args``; ``store`` is the ``Store`` of the process that runs it. Errors a job raises
on purpose (``ApiError``: 404, 422) reach the client unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request

from app.http import ApiError
from app.ratelimit import charge_expensive
from app.store import BuildChanged

if TYPE_CHECKING:
    from app.settings import Settings
    from app.store import Store

T = TypeVar("T")
log = logging.getLogger("evidence_kb")

#: Bytes of the child's own cache (claim documents a job reads; the citation files are cached by
#: the worker, ``citations_api``).
CHILD_CACHE_BYTES = 8 * 1024 * 1024


class Overloaded(ApiError):
    """503: the pool is full, the job ran out of time, or its process crashed. ``Retry-After``
    says when to retry."""

    def __init__(self, message: str, code: str = "overloaded", retry_after: int = 5):
        super().__init__(503, code, message, headers={"Retry-After": str(retry_after)})


class Abandoned(Exception):
    """Raised by ``Budget.check`` in a job that must stop (deadline passed or client gone)."""


class Budget:
    """Handed to a job: ``check()`` between units of work raises ``Abandoned`` when it must stop.

    ``deadline``: a ``time.monotonic()`` value (the system's monotonic clock on Linux and macOS,
    so the worker and its children agree on it); ``cancelled``: asked at every check (a child
    reads the worker's flag for the job)."""

    def __init__(self, deadline: float, cancelled: Callable[[], bool] | None = None):
        self.deadline = deadline
        self._stop = threading.Event()
        self._cancelled = cancelled

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return (
            self._stop.is_set()
            or time.monotonic() > self.deadline
            or (self._cancelled is not None and self._cancelled())
        )

    def check(self) -> None:
        if self.stopped:
            raise Abandoned


@dataclass
class _Failure:
    """An error raised in a child, in a form that crosses the process boundary (pickled)."""

    kind: str  # "api" (an ApiError), "abandoned", "build-changed", "error" (a bug)
    status: int = 500
    code: str = ""
    detail: str = ""
    details: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def raise_it(self, pool: WorkPool) -> None:
        if self.kind == "api":
            raise ApiError(self.status, self.code, self.detail, details=self.details, headers=self.headers)
        if self.kind == "abandoned":
            raise pool.late()
        if self.kind == "build-changed":
            raise _build_changed()
        raise RuntimeError(f"expensive job failed in its process:\n{self.detail}")


def _build_changed() -> Overloaded:
    return Overloaded(
        "The knowledge base was rebuilt while this request ran; send it again.",
        code="build-changed",
        retry_after=1,
    )


class WorkPool:
    """See the module docstring. One per app (per worker process)."""

    def __init__(self, settings: Settings, store: Store):
        self.settings = settings
        self.store = store
        self.workers = max(1, settings.expensive_workers)
        self.capacity = self.workers + max(0, settings.expensive_queue)
        self.deadline = settings.expensive_deadline
        self.processes = settings.expensive_isolation == "process"
        self.in_flight = 0  # changed only on the event loop
        self.refused = 0
        self.crashes = 0
        self._executor: Executor | None = None  # started at the first job, or by ``warm_up``
        # Set once the fact-check is loaded where fact-checks run (``warm_up``): /readyz waits
        # for it, so a first request need not load the models inside its deadline.
        self.warmed = threading.Event()
        self._lock = threading.Lock()
        self._slots = list(range(self.capacity))  # free places in ``_cancelled``
        self._tokens = itertools.count(1)
        # Per place: the token of the job to stop (read by the children; shared memory).
        self._cancelled: Any = (
            multiprocessing.get_context("spawn").Array("q", self.capacity, lock=False)
            if self.processes
            else None
        )

    def warm_up(self) -> None:
        """Load the fact-check (its index, the embedding and language models, the other languages'
        analyzers) where fact-checks run, before a request needs it: one short fact-check in each
        expensive process (``workers`` of them, submitted together so each idle process takes
        one), or in this process with thread isolation. A first fact-check loading them took
        11-17 s on a loaded 2-core machine, past the 10 s deadline (new-user trial 2026-12-01).
        ``warmed`` is set when done, and also when it failed (no build yet, a bad index: the
        requests then say what is wrong) or is turned off (``Settings.factcheck_warm_up``). Called
        by the app's warm-up thread (``main._warm_up``)."""
        try:
            if not self.settings.factcheck_warm_up:
                return
            if self.processes:
                executor = self._executor_now()
                for future in [executor.submit(_child_warm_up) for _ in range(self.workers)]:
                    future.result()
            else:
                _warm_fact_check(self.store)
        except Exception as exc:  # the requests will meet it and say what it is
            log.warning("fact-check warm-up failed: %s", exc)
        finally:
            self.warmed.set()

    def late(self) -> Overloaded:
        return Overloaded(
            # Said of a one-line post too: a busy or still-loading server is the usual cause.
            f"This request needed more than {self.deadline:g} s: the server is busy or still loading; "
            "try again in a few seconds (a request of many posts or references may need to be split).",
            code="deadline-exceeded",
        )

    def _executor_now(self) -> Executor:
        with self._lock:
            if self._executor is None:
                if self.processes:
                    self._executor = ProcessPoolExecutor(
                        self.workers,
                        mp_context=multiprocessing.get_context("spawn"),
                        initializer=_child_start,
                        initargs=(self.settings, self._cancelled, os.getpid()),
                    )
                else:
                    self._executor = ThreadPoolExecutor(
                        self.workers, thread_name_prefix="evidence-kb-expensive"
                    )
            return self._executor

    def _discard(self, broken: Executor) -> None:
        """Forget a broken process pool; the next job starts a new one."""
        with self._lock:
            if self._executor is broken:
                self._executor = None
        broken.shutdown(wait=False, cancel_futures=True)

    def _submit(
        self, job: Callable[..., T], args: tuple[Any, ...], budget: Budget, slot: int, token: int
    ) -> Future[Any]:
        if not self.processes:
            return self._executor_now().submit(_run_in_thread, job, self.store, budget, args)
        for attempt in (1, 2):
            executor = self._executor_now()
            try:
                return executor.submit(_run_in_child, job, args, budget.deadline, slot, token)
            except BrokenProcessPool:  # its child died while idle: nothing was lost, start anew
                self._discard(executor)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    async def run(self, request: Request, job: Callable[..., T], *args: Any) -> T:
        """Run ``job(store, budget, *args)`` in the pool and return its result; raise
        ``Overloaded`` when full, past the deadline, abandoned or crashed. The wait is bounded by
        the deadline."""
        if self.in_flight >= self.capacity:
            self.refused += 1
            raise Overloaded(
                "The server is busy with other expensive requests (fact-checks, formatted references, "
                "exports); try again in a few seconds.",
                retry_after=max(1, round(self.deadline / 2)),
            )
        loop = asyncio.get_running_loop()
        self.in_flight += 1
        slot, token = self._slots.pop(), next(self._tokens)

        def release(_: object = None) -> None:
            self.in_flight -= 1
            self._slots.append(slot)

        try:
            # The client's expensive budget pays for the job now that it is taken (its place is
            # held meanwhile): a request refused before (bad input, pool full) costs none of it.
            await charge_expensive(request)
            budget = Budget(time.monotonic() + self.deadline)
            submitted = self._submit(job, args, budget, slot, token)
        except BrokenProcessPool:
            release()
            raise self._crashed() from None
        except BaseException:
            release()
            raise
        # The place is given back when the job has really ended (on the event loop).
        submitted.add_done_callback(lambda _: _call_soon(loop, release))
        future = asyncio.wrap_future(submitted)
        if not await _in_time(future, request, self.deadline):  # stop the job, answer now
            budget.stop()
            if self._cancelled is not None:
                self._cancelled[slot] = token
            submitted.cancel()  # if it has not started
            future.add_done_callback(_ignore_result)
            raise self.late()
        return self._result(future)  # type: ignore[no-any-return]

    def _result(self, future: asyncio.Future[Any]) -> Any:
        """The job's value, or the error its end calls for (module doc)."""
        try:
            outcome = future.result()
        except BrokenProcessPool:
            raise self._crashed() from None
        except Abandoned:
            raise self.late() from None
        except BuildChanged:
            raise _build_changed() from None
        if isinstance(outcome, _Failure):
            outcome.raise_it(self)
        return outcome

    def _crashed(self) -> Overloaded:
        self.crashes += 1
        executor = self._executor
        if executor is not None:
            self._discard(executor)
        log.error("an expensive-work process died; its requests got 503, the next one starts a new process")
        return Overloaded(
            "The process doing this work stopped unexpectedly; send the request again.",
            code="worker-crashed",
            retry_after=1,
        )

    def pids(self) -> list[int]:
        """The process ids of the pool's children (none before the first job, or with threads)."""
        executor = self._executor
        if not isinstance(executor, ProcessPoolExecutor):
            return []
        return list((getattr(executor, "_processes", None) or {}).keys())

    def shutdown(self) -> None:
        """Stop accepting jobs; running jobs stop at their next check, and this waits for that
        (at most one unit of work) and for the children to leave. Waiting releases the pool's
        queues, and with them their named semaphores, now: after its shutdown uvicorn ends the
        process with the SIGTERM that stopped it, so no exit handler would unlink them, and
        multiprocessing's resource tracker warned of "leaked semaphore objects"."""
        if self._cancelled is not None:
            for slot in range(self.capacity):
                self._cancelled[slot] = -1  # no job has this token: see _child_budget
        executor = self._executor
        self._executor = None
        if executor is not None:
            executor.shutdown(wait=self.processes, cancel_futures=True)  # threads hold no semaphore


def _call_soon(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
    with contextlib.suppress(RuntimeError):  # the loop has closed (server stopping)
        loop.call_soon_threadsafe(callback)


# --- running a job ----------------------------------------------------------------------------------

_current = threading.local()


def checkpoint() -> None:
    """For long computations that do not take a ``Budget`` (the fact-check's loops): raise
    ``Abandoned`` when the pool job running in this thread must stop; a no-op elsewhere (the
    command line, tests)."""
    budget: Budget | None = getattr(_current, "budget", None)
    if budget is not None:
        budget.check()


def _run_in_thread(job: Callable[..., T], store: Store, budget: Budget, args: tuple[Any, ...]) -> T:
    budget.check()  # waited too long in the queue: never start
    _current.budget = budget
    try:
        return job(store, budget, *args)
    finally:
        _current.budget = None


class _Child:
    """What a child process keeps between jobs."""

    store: Store | None = None
    cancelled: Any = None
    stopping = False


def _child_start(settings: Settings, cancelled: Any, parent: int) -> None:
    """The child's initializer: lower priority, a store of its own, leave when the worker does."""
    from app.citations_citeproc import patch_citeproc
    from app.db import Database
    from app.store import Store

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the worker, which stops us
    if settings.expensive_nice:
        with contextlib.suppress(OSError):
            os.nice(settings.expensive_nice)
    patch_citeproc()
    _Child.store = Store(Database(settings), cache_bytes=CHILD_CACHE_BYTES)
    _Child.cancelled = cancelled
    threading.Thread(
        target=_watch_parent, args=(parent,), name="evidence-kb-parent-watch", daemon=True
    ).start()


#: What ``WorkPool.warm_up`` fact-checks: one sentence that reads every part of the matcher.
WARM_UP_POST = "Walking backwards eases knee pain."


def _warm_fact_check(store: Store) -> None:
    from app.factcheck.check import factcheck

    factcheck(store, WARM_UP_POST)


def _child_warm_up() -> None:
    assert _Child.store is not None, "the child's initializer sets its store"
    _warm_fact_check(_Child.store)


def _watch_parent(parent: int) -> None:
    """Exit when the worker that started this process has gone (killed without a shutdown)."""
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os._exit(0)


def _child_budget(deadline: float, slot: int, token: int) -> Budget:
    cancelled = _Child.cancelled

    def stop_asked() -> bool:
        value = cancelled[slot]
        return bool(value == token or value == -1)

    return Budget(deadline, stop_asked)


def _run_in_child(
    job: Callable[..., T], args: tuple[Any, ...], deadline: float, slot: int, token: int
) -> T | _Failure:
    """A job in a child: its result, or a ``_Failure`` (exceptions are not pickled: an exception
    class that cannot be rebuilt in the worker would break the pool)."""
    assert _Child.store is not None, "child not initialised"
    budget = _child_budget(deadline, slot, token)
    try:
        return _run_in_thread(job, _Child.store, budget, args)
    except ApiError as exc:
        return _Failure(
            "api", exc.status_code, exc.code, str(exc.detail), exc.details, dict(exc.headers or {})
        )
    except Abandoned:
        return _Failure("abandoned")
    except BuildChanged:
        return _Failure("build-changed")
    except Exception:
        return _Failure("error", detail=traceback.format_exc())


def _ignore_result(future: Any) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not log "exception was never retrieved"


async def _in_time(future: asyncio.Future[Any], request: Request, seconds: float) -> bool:
    """Whether ``future`` finished within ``seconds`` and before the client went away."""
    watcher = asyncio.ensure_future(_disconnected(request))
    try:
        done, _ = await asyncio.wait({future, watcher}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        watcher.cancel()
    return future in done


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the server sends ``http.disconnect``)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def get_pool(request: Request) -> WorkPool:
    return request.app.state.workpool  # type: ignore[no-any-return]
