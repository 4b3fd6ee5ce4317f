"""A bounded pool for expensive work: fact-check, formatted references, whole-knowledge-base
exports.

Each worker process runs at most ``Settings.expensive_workers`` such jobs at once (threads of
its own, never the threadpool that serves pages) with at most ``Settings.expensive_queue``
waiting; one more gets ``Overloaded`` (503 with ``Retry-After``) at once, before any work. A
job that is still waiting or running when ``Settings.expensive_deadline`` seconds have passed,
or whose client has gone, is abandoned: its ``Budget`` says so at the job's next ``check()``
(between posts, between chunks of references) and the job stops there.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from fastapi import Request

from app.http import ApiError

T = TypeVar("T")


class Overloaded(ApiError):
    """503: the pool is full, or the job ran out of time. ``Retry-After`` says when to retry."""

    def __init__(self, message: str, code: str = "overloaded", retry_after: int = 5):
        super().__init__(503, code, message, headers={"Retry-After": str(retry_after)})


class Abandoned(Exception):
    """Raised by ``Budget.check`` in a job that must stop (deadline passed or client gone)."""


class Budget:
    """Handed to a job: ``check()`` between units of work raises ``Abandoned`` when it must stop."""

    def __init__(self, deadline: float):
        self.deadline = deadline  # time.monotonic() value
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set() or time.monotonic() > self.deadline

    def check(self) -> None:
        if self.stopped:
            raise Abandoned


class WorkPool:
    """See the module docstring. One per app (per worker process)."""

    def __init__(self, workers: int, queue: int, deadline: float):
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue)
        self.deadline = deadline
        self.executor = ThreadPoolExecutor(self.workers, thread_name_prefix="evidence-kb-expensive")
        self.in_flight = 0  # changed only on the event loop
        self.refused = 0

    async def run(self, request: Request, job: Callable[[Budget], T]) -> T:
        """Run ``job(budget)`` in the pool and return its result; raise ``Overloaded`` when full,
        past the deadline or abandoned. The wait is bounded by the deadline."""
        if self.in_flight >= self.capacity:
            self.refused += 1
            raise Overloaded(
                "The server is busy with other expensive requests (fact-checks, formatted references, "
                "exports); try again in a few seconds.",
                retry_after=max(1, round(self.deadline / 2)),
            )
        self.in_flight += 1
        budget = Budget(time.monotonic() + self.deadline)
        try:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(self.executor, _run_checked, job, budget)
            watcher = asyncio.ensure_future(_disconnected(request))
            waiting: set[asyncio.Future[Any]] = {future, watcher}
            done, _ = await asyncio.wait(waiting, timeout=self.deadline, return_when=asyncio.FIRST_COMPLETED)
            watcher.cancel()
            if future in done:
                return future.result()
            budget.stop()
            future.add_done_callback(_ignore_result)
            raise Overloaded(
                f"This request needed more than {self.deadline:g} s; narrow it (fewer posts or references).",
                code="deadline-exceeded",
            )
        except Abandoned:
            raise Overloaded(
                f"This request needed more than {self.deadline:g} s; narrow it (fewer posts or references).",
                code="deadline-exceeded",
            ) from None
        finally:
            self.in_flight -= 1

    def shutdown(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


_current = threading.local()


def checkpoint() -> None:
    """For long computations that do not take a ``Budget`` (the fact-check's loops): raise
    ``Abandoned`` when the pool job running in this thread must stop; a no-op elsewhere (the
    command line, tests)."""
    budget: Budget | None = getattr(_current, "budget", None)
    if budget is not None:
        budget.check()


def _run_checked(job: Callable[[Budget], T], budget: Budget) -> T:
    budget.check()  # waited too long in the queue: never start
    _current.budget = budget
    try:
        return job(budget)
    finally:
        _current.budget = None


def _ignore_result(future: Any) -> None:
    if not future.cancelled():
        future.exception()  # retrieved, so asyncio does not log "exception was never retrieved"


async def _disconnected(request: Request) -> None:
    """Returns when the client has gone (the server sends ``http.disconnect``)."""
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            return


def get_pool(request: Request) -> WorkPool:
    return request.app.state.workpool  # type: ignore[no-any-return]
