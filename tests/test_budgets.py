"""Budgets per request (app/guard.py, app/factcheck_api.py, app/workpool.py), on both backends:
Host checks, body size (413) before parsing, content type (415), capped validation errors, the
batch's total characters, and the bounded pool for expensive work (503 + Retry-After)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from helpers import make_settings

from app.build import build_database
from app.main import create_app
from app.settings import Settings
from app.workpool import Abandoned, Budget, Overloaded, WorkPool

BATCH = "/api/v1/factcheck/batch"
POST = "Walking backwards eased knee pain in people with knee osteoarthritis."


def error(response) -> dict:  # type: ignore[no-untyped-def]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    return body["error"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(seed_client: TestClient) -> None:
    limit = seed_client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    big = json.dumps({"posts": [{"text": "x" * 9000}] * (limit // 9000 + 2)})
    response = seed_client.post(BATCH, content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and error(response)["code"] == "too-large"

    def chunks():  # no Content-Length: counted while reading
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    response = seed_client.post(BATCH, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_json_sent_as_another_type_is_415(seed_client: TestClient) -> None:
    body = json.dumps({"text": POST})
    for ctype in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = seed_client.post("/api/v1/factcheck", content=body, headers={"content-type": ctype})
        assert response.status_code == 415, ctype
        assert error(response)["code"] == "unsupported-media-type"
    ok = seed_client.post(
        "/api/v1/factcheck", content=body, headers={"content-type": "application/json; charset=utf-8"}
    )
    # Accepted: 200, or the pool's 503 when a loaded machine passes the 10 s deadline.
    assert ok.status_code == 200 or error(ok)["code"] in ("deadline-exceeded", "overloaded")


def test_validation_errors_are_capped(seed_client: TestClient) -> None:
    fields = {f"field{i}": i for i in range(50_000)}
    response = seed_client.post("/api/v1/factcheck", json={"text": POST, **fields})
    assert response.status_code == 422
    assert len(error(response)["details"]) == 20
    assert len(response.content) < 10_000


def test_malformed_json_is_a_422_with_the_reason(seed_client: TestClient) -> None:
    response = seed_client.post(BATCH, content=b'{"posts": [', headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert "not valid JSON" in error(response)["details"][0]["message"]
    assert "EOF" in error(response)["message"]  # the reason, not just "malformed"


@pytest.mark.parametrize(
    ("route", "body", "key"),
    [
        ("/api/v1/factcheck", b'{"text": "Walking backwards eases knee pain.", "text": "x"}', "text"),
        (BATCH, b'{"posts": [{"id": "a", "text": "Walking backwards eases knee pain.", "id": "b"}]}', "id"),
    ],
)
def test_a_repeated_json_key_is_refused(seed_client: TestClient, route: str, body: bytes, key: str) -> None:
    # As a repeated query parameter: never the last value used without a word.
    response = seed_client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422
    assert f"key {key} appears more than once" in error(response)["message"]


@pytest.mark.parametrize("route", ["/api/v1/factcheck", BATCH])
def test_deeply_nested_valid_json_is_said_to_be_too_deep(seed_client: TestClient, route: str) -> None:
    deep = b'{"text": "Walking backwards eases knee pain.", "x": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = seed_client.post(route, content=deep, headers={"content-type": "application/json"})
    assert response.status_code == 422
    message = error(response)["message"]
    assert "nested too deeply" in message and "malformed" not in message


def test_a_batch_over_the_character_budget_is_refused(seed_client: TestClient) -> None:
    limit = seed_client.app.state.settings.batch_max_chars  # type: ignore[attr-defined]
    posts = [{"text": "knee " * 2000}] * (limit // 10_000 + 1)
    response = seed_client.post(BATCH, json={"posts": posts})
    assert response.status_code == 422 and error(response)["code"] == "batch-too-large"
    fits = seed_client.post(BATCH, json={"posts": posts[: limit // 10_000]})
    assert fits.status_code == 200 and len(fits.json()["results"]) == limit // 10_000


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"host": "evil.example"}, 400),
        ({"host": "127.0.0.1:8000"}, 200),
        ({"host": "localhost"}, 200),
    ],
)
def test_only_known_hosts_are_answered(seed_client: TestClient, headers: dict[str, str], status: int) -> None:
    response = seed_client.get("/api/v1/methodology", headers=headers)
    assert response.status_code == status
    if status == 400:
        assert error(response)["code"] == "bad-host"


def test_allowed_hosts_setting_and_relative_redirects(tmp_path: Path, mini_data: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}", mini_data, allowed_hosts=["kb.example.org"])
    build_database(settings)
    with TestClient(create_app(settings), base_url="http://kb.example.org") as client:
        assert client.get("/api/v1/methodology").status_code == 200
        assert client.get("/api/v1/methodology", headers={"host": "127.0.0.1"}).status_code == 400
        moved = client.get("/api/v1/claims/?q=knee", follow_redirects=False)
        assert moved.status_code == 307
        assert moved.headers["location"] == "/api/v1/claims?q=knee"  # relative, never a host


@pytest.mark.parametrize(
    ("headers", "http_version", "status"),
    [
        ([(b"host", b"127.0.0.1"), (b"host", b"evil.example")], "1.1", 400),  # two Host headers
        ([], "1.1", 400),  # HTTP/1.1 requires Host (RFC 9112, section 3.2)
        ([], "1.0", 200),  # HTTP/1.0 had none
        ([(b"host", b"127.0.0.1")], "1.1", 200),
    ],
)
def test_host_headers_are_checked(
    seed_client: TestClient, headers: list[tuple[bytes, bytes]], http_version: str, status: int
) -> None:
    # Raw ASGI: an HTTP client always sends exactly one Host header.
    app = seed_client.app
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http", "method": "GET", "path": "/api/v1/methodology", "raw_path": b"/api/v1/methodology",
        "query_string": b"", "headers": headers,
        "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5), "root_path": "",
        "http_version": http_version, "app": app,
    }  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert sent[0]["status"] == status
    if status == 400:
        body = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
        assert body["error"]["code"] == "bad-host"


def thread_pool(workers: int = 1, queue: int = 0, deadline: float = 5) -> WorkPool:
    """A pool running its jobs in threads of this process (the jobs below are closures; the
    process pool's own tests are in test_expensive_process.py)."""
    settings = Settings(expensive_isolation="thread", expensive_workers=workers, expensive_queue=queue,
                        expensive_deadline=deadline)  # fmt: skip
    return WorkPool(settings, None)  # type: ignore[arg-type]  # the jobs need no store


def test_the_pool_refuses_work_beyond_its_queue() -> None:
    pool = thread_pool(queue=1)
    release = threading.Event()

    class FakeRequest:
        async def receive(self) -> dict:
            await asyncio.sleep(60)
            return {"type": "http.disconnect"}

    async def scenario() -> list[object]:
        def slow(_store: object, _budget: Budget) -> str:
            release.wait(5)
            return "done"

        first = asyncio.ensure_future(pool.run(FakeRequest(), slow))  # type: ignore[arg-type]
        second = asyncio.ensure_future(pool.run(FakeRequest(), slow))  # type: ignore[arg-type]
        await asyncio.sleep(0.05)
        with pytest.raises(Overloaded) as refused:
            await pool.run(FakeRequest(), slow)  # type: ignore[arg-type]
        assert refused.value.status_code == 503 and refused.value.headers["Retry-After"]
        release.set()
        done = list(await asyncio.gather(first, second))
        while pool.in_flight:  # places are given back on the loop once the jobs have ended
            await asyncio.sleep(0.01)
        return done

    assert asyncio.run(scenario()) == ["done", "done"]
    assert pool.refused == 1 and pool.in_flight == 0
    pool.shutdown()


def test_work_past_the_deadline_stops_at_its_next_check() -> None:
    pool = thread_pool(deadline=0.3)
    units: list[int] = []

    class FakeRequest:
        async def receive(self) -> dict:
            await asyncio.sleep(60)
            return {"type": "http.disconnect"}

    def job(_store: object, budget: Budget) -> None:
        for i in range(100):
            budget.check()
            units.append(i)
            time.sleep(0.05)

    with pytest.raises(Overloaded) as late:
        asyncio.run(pool.run(FakeRequest(), job))  # type: ignore[arg-type]
    assert late.value.code == "deadline-exceeded"  # type: ignore[attr-defined]
    # Fits a one-line post too (a trial user's first fact-check after start-up was told to narrow it).
    assert "busy or still loading; try again in a few seconds" in str(late.value)
    time.sleep(0.2)
    stopped_at = len(units)
    time.sleep(0.2)
    assert stopped_at == len(units) < 20  # abandoned, not run to the end
    pool.shutdown()


def test_work_for_a_client_that_left_is_abandoned() -> None:
    pool = thread_pool(deadline=30)
    units: list[int] = []

    class GoneRequest:
        async def receive(self) -> dict:
            await asyncio.sleep(0.2)
            return {"type": "http.disconnect"}

    def job(_store: object, budget: Budget) -> None:
        for i in range(200):
            budget.check()
            units.append(i)
            time.sleep(0.02)

    started = time.monotonic()
    with pytest.raises(Overloaded):
        asyncio.run(pool.run(GoneRequest(), job))  # type: ignore[arg-type]
    assert time.monotonic() - started < 2
    time.sleep(0.1)
    assert len(units) < 40
    with pytest.raises(Abandoned):
        Budget(time.monotonic() - 1).check()
    pool.shutdown()


def test_openapi_documents_the_bodies_and_errors(seed_client: TestClient) -> None:
    doc = seed_client.get("/openapi.json").json()
    for path in ("/api/v1/factcheck", BATCH):
        post = doc["paths"][path]["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]
        assert "$defs" not in json.dumps(schema)
        assert {"413", "415", "422", "503"} <= set(post["responses"])


def test_a_nul_byte_in_a_citation_key_is_a_404(seed_client: TestClient) -> None:
    for param in ("study", "claim"):
        response = seed_client.get("/api/v1/citations", params={"format": "ris", param: "roos\x00x"})
        assert response.status_code == 404, response.text
        assert error(response)["code"] == f"{param}-not-found"


def test_a_page_of_studies_is_filtered_counted_and_paged_by_the_database(seed_client: TestClient) -> None:
    everything = seed_client.get("/api/v1/studies", params={"limit": 100}).json()
    one = seed_client.get("/api/v1/studies", params={"limit": 1, "offset": 1}).json()
    assert one["total"] == everything["total"] and one["items"] == everything["items"][1:2]
    cited = seed_client.get("/api/v1/studies", params={"cited": "true", "limit": 100}).json()
    uncited = seed_client.get("/api/v1/studies", params={"cited": "false", "limit": 100}).json()
    assert cited["total"] + uncited["total"] == everything["total"]
    assert {i["cited"] for i in cited["items"]} <= {True} and {i["cited"] for i in uncited["items"]} <= {
        False
    }
    assert [i["key"] for i in everything["items"] if i["cited"]] == [i["key"] for i in cited["items"]]


@pytest.mark.parametrize("q", ["%", "_", "%%", "\\"])
def test_wildcard_characters_match_nothing_rather_than_everything(seed_client: TestClient, q: str) -> None:
    studies = seed_client.get("/api/v1/studies", params={"q": q}).json()
    claims = seed_client.get("/api/v1/claims", params={"q": q}).json()
    assert studies["total"] == claims["total"] == 0


def test_requests_beyond_the_concurrency_limit_get_503_at_once(tmp_path: Path, mini_data: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}", mini_data, max_concurrency=1)
    build_database(settings)
    app = create_app(settings)

    def scope(method: str, path: str) -> dict:
        return {
            "type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")],
            "scheme": "http", "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5), "root_path": "",
            "http_version": "1.1", "app": app,
        }  # fmt: skip

    async def scenario() -> tuple[list[dict], list[dict]]:
        slow_sent: list[dict] = []
        quick_sent: list[dict] = []

        async def slow_body() -> dict:
            await asyncio.sleep(0.5)  # a body still arriving: the request is in progress
            return {"type": "http.request", "body": json.dumps({"text": POST}).encode(), "more_body": False}

        async def no_body() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def collect(into: list[dict], message: dict) -> None:
            into.append(message)

        slow = asyncio.ensure_future(
            app(scope("POST", "/api/v1/factcheck"), slow_body, lambda m: collect(slow_sent, m))
        )
        await asyncio.sleep(0.1)
        await app(scope("GET", "/api/v1/methodology"), no_body, lambda m: collect(quick_sent, m))
        await slow
        return slow_sent, quick_sent

    async def with_lifespan() -> tuple[list[dict], list[dict]]:
        async with app.router.lifespan_context(app):
            return await scenario()

    slow_sent, quick_sent = asyncio.run(with_lifespan())
    assert quick_sent[0]["status"] == 503
    assert dict(quick_sent[0]["headers"])[b"retry-after"] == b"1"
    assert json.loads(quick_sent[1]["body"])["error"]["code"] == "overloaded"
    assert slow_sent[0]["status"] == 200


def test_memory_is_handed_back_after_a_burst_once_idle(seed_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app import guard as guard_module

    # The same sequence, faster: the idle time shortened (2 s in production), the waits with it.
    idle = 0.3
    monkeypatch.setattr(guard_module, "TRIM_IDLE", idle)
    settings = seed_settings.model_copy(update={"memory_trim_after": 5})
    with TestClient(create_app(settings)) as client:
        for _ in range(6):
            assert client.get("/api/v1/methodology").status_code == 200
        guard = client.app.middleware_stack.app  # type: ignore[attr-defined]
        assert guard.trim.trims == 0  # not during the burst
        time.sleep(3 * idle)  # idle for longer than TRIM_IDLE
        client.get("/healthz")  # the loop runs the timer; this request starts a new count
        assert guard.trim.trims == 1 and guard.trim.since_trim <= 1
    off = seed_settings.model_copy(update={"memory_trim_after": 0})
    with TestClient(create_app(off)) as client:
        for _ in range(6):
            client.get("/healthz")
        time.sleep(3 * idle)
        assert client.app.middleware_stack.app.trim.trims == 0  # type: ignore[attr-defined]


def test_a_burst_leaves_no_idle_connections_or_threads_once_idle(seed_settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """What a burst of concurrent requests opened (pooled database connections, anyio's worker
    threads) is released once the process is idle (docs/deploy.md, "Memory after 1,000
    connections"); the next request opens a connection again."""
    from anyio._backends._asyncio import WorkerThread

    from app import guard

    # The same sequence, faster: anyio's thread idle time shortened with ours.
    monkeypatch.setattr(guard, "TRIM_IDLE", 0.3)
    monkeypatch.setattr(guard, "THREAD_IDLE", 1.0, raising=False)
    monkeypatch.setattr(WorkerThread, "MAX_IDLE_TIME", 1.0)

    def anyio_threads() -> set[threading.Thread]:
        return {t for t in threading.enumerate() if t.name == "AnyIO worker thread"}

    before = anyio_threads()  # other tests' clients
    settings = seed_settings.model_copy(update={"memory_trim_after": 5})
    with TestClient(create_app(settings)) as client:
        pool = lambda: client.app.state.db.engine.pool  # noqa: E731  # type: ignore[attr-defined]
        words = ["knee", "pain", "walking", "yoga", "sleep", "vitamin", "exercise", "back"]
        barrier = threading.Barrier(16)
        # Warm first: the burst's connections are the searches' own (tests/test_one_connection.py
        # has cold bursts).
        assert client.get("/api/v1/claims", params={"q": "knee"}).status_code == 200

        def reader(i: int) -> int:
            barrier.wait()
            return client.get("/api/v1/claims", params={"q": words[i % len(words)]}).status_code

        with ThreadPoolExecutor(16) as executor:
            assert set(executor.map(reader, range(16))) == {200}
        assert pool().checkedin() >= 2 and len(anyio_threads() - before) >= 2  # the burst's
        deadline = time.monotonic() + 15
        # Until the state asserted below: waiting for no thread at all always ran to the deadline.
        while time.monotonic() < deadline and (pool().checkedin() or len(anyio_threads() - before) > 1):
            time.sleep(0.1)
        assert pool().checkedin() == 0
        assert len(anyio_threads() - before) <= 1  # the one that ran the release
        assert client.app.middleware_stack.app.trim.trims == 1  # type: ignore[attr-defined]
        assert client.get("/api/v1/claims", params={"q": "knee"}).status_code == 200


def test_each_worker_sets_the_gil_switch_interval(seed_settings) -> None:  # type: ignore[no-untyped-def]
    import sys

    before = sys.getswitchinterval()
    try:
        create_app(seed_settings.model_copy(update={"gil_switch_interval": 0.002}))
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(before)


def test_the_413_and_the_bad_host_400_name_their_settings_in_json_only(seed_client: TestClient) -> None:
    """Operators read the API's JSON; readers of a page get what they can do, no setting name."""
    limit = seed_client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    big = json.dumps({"text": "x" * (limit + 10)})
    response = seed_client.post(
        "/api/v1/factcheck", content=big, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert error(response)["message"] == (
        f"The request body is larger than {limit:,} bytes; the server sets this limit with EVIDENCE_KB_MAX_BODY_BYTES."
    )
    page = seed_client.post("/factcheck", data={"text": "x" * (limit + 10)}, headers={"accept": "text/html"})
    assert page.status_code == 413 and "send less at a time" in page.text and "EVIDENCE_KB_" not in page.text
    host = seed_client.get("/api/v1/methodology", headers={"host": "evil.example"})
    assert (
        "'evil.example'" in error(host)["message"] and "EVIDENCE_KB_ALLOWED_HOSTS" in error(host)["message"]
    )
    page = seed_client.get("/claims", headers={"host": "evil.example", "accept": "text/html"})
    assert page.status_code == 400 and "does not answer for that host name" in page.text
    assert "EVIDENCE_KB_" not in page.text
