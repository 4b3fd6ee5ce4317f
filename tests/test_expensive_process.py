"""Expensive work in a process of its own (app/workpool.py, ``expensive_isolation = "process"``),
through HTTP on both backends: the same answers as in threads; a crashed process answers 503
``worker-crashed`` and the next request starts a new one; the deadline and a full pool answer 503
with ``Retry-After``; a client that leaves stops the job in the child.

The child is frozen (SIGSTOP) to hold a request inside the pool for as long as a test needs:
nothing here depends on how fast the machine is."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import make_settings

from app.build import build_database
from app.db import Database
from app.factcheck import get_index, index_at
from app.main import create_app
from app.settings import Settings
from app.store import BuildChanged, Store
from app.workpool import Abandoned, Budget, Overloaded, WorkPool

POST = "Walking backwards eased knee pain in people with knee osteoarthritis. Running causes knee arthritis."
FACTCHECK = "/api/v1/factcheck"
PATIENCE = 120  # seconds a wait for a state may take on a loaded machine before the test fails


def serve(settings: Settings, **update: Any) -> TestClient:
    return TestClient(create_app(settings.model_copy(update={"expensive_deadline": 300, **update})))


@pytest.fixture
def isolated(seed_settings: Settings) -> Iterator[TestClient]:
    """The seed database with one expensive-work process and one place in the queue."""
    with serve(
        seed_settings, expensive_isolation="process", expensive_workers=1, expensive_queue=1
    ) as client:
        yield client


def pool_of(client: TestClient) -> WorkPool:
    return client.app.state.workpool  # type: ignore[attr-defined,no-any-return]


def wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the state was never reached"
        time.sleep(0.02)


def without_timing(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: without_timing(v) for k, v in body.items() if k != "took_ms"}
    if isinstance(body, list):
        return [without_timing(v) for v in body]
    return body


def in_background(call: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}
    thread = threading.Thread(target=lambda: out.setdefault("response", call()), daemon=True)
    thread.start()
    return thread, out


def started_child(client: TestClient) -> int:
    """The pid of the pool's only child, started by a first request."""
    assert client.post(FACTCHECK, json={"text": POST}).status_code == 200
    [pid] = pool_of(client).pids()
    return pid


def error(response: Any) -> dict[str, Any]:
    assert response.headers["retry-after"]
    return response.json()["error"]  # type: ignore[no-any-return]


def test_the_expensive_routes_answer_the_same_from_a_process(
    seed_settings: Settings, isolated: TestClient
) -> None:
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("post", FACTCHECK, {"json": {"text": POST, "limit": 3}}),
        ("post", "/api/v1/factcheck/batch", {"json": {"posts": [{"text": POST}, {"id": "b", "text": "Stretching prevents injury."}]}}),
        ("post", "/factcheck", {"data": {"text": POST}}),
        ("get", "/api/v1/citations", {"params": {"format": "apa", "q": "knee"}}),
        ("get", "/api/v1/citations", {"params": {"format": "bibtex"}}),
        ("get", "/api/v1/citations", {"params": {"format": "ris", "study": "nope"}}),  # 404 from the child
    ]  # fmt: skip
    with serve(seed_settings, expensive_isolation="thread") as threads:
        for method, path, kw in requests:
            a = getattr(isolated, method)(path, **kw)
            b = getattr(threads, method)(path, **kw)
            assert a.status_code == b.status_code, path
            if a.headers["content-type"].startswith("application/json"):
                assert without_timing(a.json()) == without_timing(b.json()), path
            elif path == "/factcheck":
                assert "backward" in a.text and a.text.count("<li") == b.text.count("<li")
            else:
                assert a.content == b.content and a.headers.get("etag") == b.headers.get("etag"), path
    assert len(pool_of(isolated).pids()) == 1 and not pool_of(threads).pids()


def test_a_crashed_process_answers_503_and_the_next_request_starts_another(isolated: TestClient) -> None:
    first = isolated.post(FACTCHECK, json={"text": POST})
    pid = pool_of(isolated).pids()[0]
    os.kill(pid, signal.SIGSTOP)  # the next request waits inside the pool
    thread, out = in_background(lambda: isolated.post(FACTCHECK, json={"text": POST}))
    wait_until(lambda: pool_of(isolated).in_flight == 1)
    os.kill(pid, signal.SIGKILL)
    thread.join(PATIENCE)
    crashed = out["response"]
    assert crashed.status_code == 503 and error(crashed)["code"] == "worker-crashed"
    again = isolated.post(FACTCHECK, json={"text": POST})
    assert again.status_code == 200 and without_timing(again.json()) == without_timing(first.json())
    assert pool_of(isolated).pids() != [pid] and pool_of(isolated).crashes == 1


def test_a_process_that_died_while_idle_is_replaced_without_an_error(isolated: TestClient) -> None:
    pid = started_child(isolated)
    os.kill(pid, signal.SIGKILL)
    wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid))
    assert isolated.post(FACTCHECK, json={"text": POST}).status_code in (200, 503)  # 503 if still noticing
    assert isolated.post(FACTCHECK, json={"text": POST}).status_code == 200


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def test_past_the_deadline_a_waiting_request_gets_503(isolated: TestClient) -> None:
    pool = pool_of(isolated)
    pid = started_child(isolated)
    pool.deadline = 0.5
    os.kill(pid, signal.SIGSTOP)
    try:
        late = isolated.post(FACTCHECK, json={"text": POST})
    finally:
        os.kill(pid, signal.SIGCONT)
    assert late.status_code == 503 and error(late)["code"] == "deadline-exceeded"
    wait_until(lambda: pool.in_flight == 0)  # the child saw the deadline and gave the place back
    pool.deadline = 300
    assert isolated.post(FACTCHECK, json={"text": POST}).status_code == 200


def test_a_full_pool_answers_503_with_retry_after(isolated: TestClient) -> None:
    pool = pool_of(isolated)
    pid = started_child(isolated)
    os.kill(pid, signal.SIGSTOP)
    try:
        waiting = [in_background(lambda: isolated.post(FACTCHECK, json={"text": POST})) for _ in range(2)]
        wait_until(lambda: pool.in_flight == 2)  # one running, one in the queue: full
        refused = isolated.post(FACTCHECK, json={"text": POST})
        form = isolated.post("/factcheck", data={"text": POST}, headers={"accept": "text/html"})
    finally:
        os.kill(pid, signal.SIGCONT)
    assert refused.status_code == 503 and error(refused)["code"] == "overloaded"
    assert form.status_code == 503 and form.headers["retry-after"]
    for thread, out in waiting:
        thread.join(PATIENCE)
        assert out["response"].status_code == 200
    assert pool.refused == 2


def stop_when_asked(_store: Store, budget: Budget, marker: str) -> str:
    """A job for the child: says it runs, works until its budget says stop, then says so."""
    Path(marker).write_text("running")
    try:
        while True:
            budget.check()
            time.sleep(0.01)
    except Abandoned:
        Path(marker).write_text("stopped")
        raise


def test_a_client_that_leaves_stops_the_job_in_the_child(seed_settings: Settings, tmp_path: Path) -> None:
    settings = seed_settings.model_copy(
        update={"expensive_isolation": "process", "expensive_deadline": 300, "expensive_queue": 0}
    )
    pool = WorkPool(settings, None)  # type: ignore[arg-type]  # the child has a store of its own
    marker = tmp_path / "stopped"

    class LeavingRequest:
        def __init__(self) -> None:
            self.leave = asyncio.Event()

        async def receive(self) -> dict[str, str]:
            await self.leave.wait()
            return {"type": "http.disconnect"}

    async def scenario() -> None:
        request = LeavingRequest()
        job = asyncio.ensure_future(pool.run(request, stop_when_asked, str(marker)))  # type: ignore[arg-type]
        deadline = time.monotonic() + PATIENCE
        while not marker.exists():
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)
        request.leave.set()
        with pytest.raises(Overloaded):
            await job
        while pool.in_flight or marker.read_text() != "stopped":  # long before the job's deadline
            assert time.monotonic() < deadline
            await asyncio.sleep(0.02)

    try:
        asyncio.run(scenario())
    finally:
        pool.shutdown()
    assert marker.read_text() == "stopped"


def test_a_request_reads_the_index_of_the_build_it_started_with(seed_settings: Settings) -> None:
    store = Store(Database(seed_settings))
    current = get_index(store)
    assert index_at(store, store.generation()) is current
    with pytest.raises(BuildChanged):
        index_at(store, "a-build-long-gone")


def test_the_worker_keeps_no_fact_check_index_of_its_own(isolated: TestClient) -> None:
    """The children map the index file; the worker only makes sure it exists (and is ready then)."""
    wait_until(lambda: isolated.get("/readyz").status_code == 200)
    assert isolated.post(FACTCHECK, json={"text": POST}).status_code == 200
    store: Store = isolated.app.state.store  # type: ignore[attr-defined]
    assert not store.has_pinned("factcheck-index")


def test_a_fact_check_answers_from_the_build_it_started_on(
    database_url: str, mini_data: Path, tmp_path: Path
) -> None:
    """A request waiting in the pool while builds are swapped in: answered from the build it
    started on while that build's index file is kept (the newest two) or the child has not yet
    noticed the builds, else 503 build-changed; never from another build."""
    settings = make_settings(database_url, mini_data, factcheck_index_dir=str(tmp_path / "fc"),
                             expensive_isolation="process", expensive_deadline=300)  # fmt: skip
    build_database(settings)
    claims_file = mini_data / "claims.yaml"
    claims = yaml.safe_load(claims_file.read_text())
    text = claims[1]["statement"]

    def rebuild(statement: str) -> None:
        claims[1]["statement"] = statement
        claims_file.write_text(yaml.safe_dump(claims, sort_keys=False))
        build_database(settings)

    def statements(response: Any) -> list[str]:
        assert response.status_code == 200, response.text
        return [m["claim"]["statement"] for m in response.json()["matches"]]

    with TestClient(create_app(settings)) as client:
        store: Store = client.app.state.store  # type: ignore[attr-defined]
        first = statements(client.post(FACTCHECK, json={"text": text}))
        assert first == [text]
        pid = pool_of(client).pids()[0]
        latest = first  # what the build the worker reads now answers
        for builds_meanwhile in (1, 2):
            os.kill(pid, signal.SIGSTOP)  # the request waits inside the pool ...
            try:
                thread, out = in_background(lambda: client.post(FACTCHECK, json={"text": text}))
                wait_until(lambda: pool_of(client).in_flight == 1)
                for n in range(builds_meanwhile):  # ... while builds are swapped in
                    rebuild(f"{text[:-1]}, phase {builds_meanwhile}, build {n + 1}.")
            finally:
                os.kill(pid, signal.SIGCONT)
            thread.join(PATIENCE)
            answer = out["response"]
            if answer.status_code == 503:  # its index is gone: the child has seen two builds since
                assert builds_meanwhile == 2 and error(answer)["code"] == "build-changed"
            else:  # the build it started on, never a newer one (the child may not have noticed
                # the builds yet: PostgreSQL without a listener looks again after 1 s)
                assert statements(answer) == latest
            latest = [claims[1]["statement"]]
            store.db.invalidate()
            wait_until(lambda now=latest: statements(client.post(FACTCHECK, json={"text": text})) == now)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stopped_server_leaves_no_semaphore_behind(mini_data: Path, tmp_path: Path, workers: str) -> None:
    """SIGTERM after the expensive-work child started: uvicorn shuts down, then ends its process
    with the signal (no atexit); the pool's queues must have let go of their semaphores by then,
    or multiprocessing's resource tracker warns that they leaked."""
    import http.client
    import json

    from serverproc import serving

    stderr: list[str] = []
    url = f"sqlite:///{tmp_path / 'kb.db'}"
    with serving(mini_data, url, "--workers", workers, stderr=stderr) as port:
        for _ in range(int(workers) * 3):  # each worker starts its child at its first fact-check
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=PATIENCE)
            body = json.dumps({"text": POST})
            conn.request("POST", FACTCHECK, body, {"Content-Type": "application/json"})
            assert conn.getresponse().status == 200
            conn.close()
    assert stderr and "leaked semaphore" not in stderr[0], stderr[0][-2000:]
