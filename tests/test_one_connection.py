"""A request never needs two pooled connections at once (issue 13), on both backends.

A worker that does not know the build generation yet (fresh, or just told of a new build) reads
it on the connection the request already holds, in the snapshot that then reads the data; the
claim rows and synonyms it loads on first use come from that same session. Before, each such
search held its session's connection and waited for a second one: with more concurrent searches
than the pool has connections, every connection was held by a request waiting for another, and
they answered 503 ``database-unavailable`` after the pool timeout.

The pool here is small (2 connections, twice as many more under a burst) and its timeout short:
on PostgreSQL 15 of 16 searches at once got 503 before. Each test also counts the connections
every thread holds (the pool's checkout and checkin events): never two, on either backend (on
SQLite the old searches took their second connection too, but were quick enough that 16 of them
rarely held all the pool at once).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import make_settings
from sqlalchemy import event
from sqlalchemy.pool import Pool

from app.build import build_database
from app.main import create_app
from app.settings import Settings

READERS = 16
WORDS = ["knee", "running", "pain", "force", "patellofemoral", "backward", "injury", "walking"]


def _settings(database_url: str, data: Path) -> Settings:
    return make_settings(database_url, data, pool_size=2, pg_pool_timeout=1.0)


@pytest.fixture
def most_held() -> Iterator[Callable[[], int]]:
    """The most pooled connections any thread held at once while the test ran."""
    held: dict[int, int] = {}
    most = [0]
    lock = threading.Lock()

    def checkout(*_: object) -> None:
        with lock:
            me = threading.get_ident()
            held[me] = held.get(me, 0) + 1
            most[0] = max(most[0], held[me])

    def checkin(*_: object) -> None:
        with lock:
            me = threading.get_ident()
            held[me] = held.get(me, 0) - 1

    event.listen(Pool, "checkout", checkout)
    event.listen(Pool, "checkin", checkin)
    try:
        yield lambda: most[0]
    finally:
        event.remove(Pool, "checkout", checkout)
        event.remove(Pool, "checkin", checkin)


def _burst(get: Callable[..., object]) -> list[tuple[int, str]]:
    """``READERS`` searches released at once (API and page), as (status, error code)."""
    barrier = threading.Barrier(READERS)

    def reader(i: int) -> tuple[int, str]:
        path = "/api/v1/claims" if i % 2 else "/claims"
        barrier.wait()
        response = get(path, params={"q": WORDS[i % len(WORDS)]})
        code = (
            response.json()["error"]["code"]
            if path.startswith("/api") and response.status_code != 200
            else ""
        )  # type: ignore[attr-defined]
        return response.status_code, code  # type: ignore[attr-defined]

    with ThreadPoolExecutor(READERS) as executor:
        return list(executor.map(reader, range(READERS)))


def test_a_cold_worker_answers_a_burst_of_searches(
    database_url: str, mini_data: Path, most_held: Callable[[], int]
) -> None:
    """A fresh worker (no start-up warm-up: the app's lifespan does not run), 16 searches at once."""
    settings = _settings(database_url, mini_data)
    build_database(settings)
    app = create_app(settings)
    try:
        client = TestClient(app)
        assert app.state.store.current_generation is None  # cold: nothing read yet
        answers = _burst(client.get)
        assert answers == [(200, "")] * READERS
        assert most_held() == 1
    finally:
        app.state.db.dispose()


def test_a_burst_right_after_a_new_build(
    database_url: str, mini_data: Path, most_held: Callable[[], int]
) -> None:
    """A warm worker is told of a new build (PostgreSQL: the NOTIFY; SQLite: the file swap); the
    next 16 concurrent searches all answer, from the new build."""
    settings = _settings(database_url, mini_data)
    build_database(settings)
    with TestClient(create_app(settings)) as client:
        store = client.app.state.store  # type: ignore[attr-defined]
        assert client.get("/api/v1/claims", params={"q": "knee"}).status_code == 200
        before = store.current_generation
        claims_file = mini_data / "claims.yaml"
        claims_file.write_text(yaml.safe_dump(yaml.safe_load(claims_file.read_text())[::-1], sort_keys=False))
        build_database(settings, force=True)
        if not settings.is_sqlite:  # wait for the listener to hear of the build (it forgets the generation)
            deadline = time.monotonic() + 5
            while store.db.generation_known() and time.monotonic() < deadline:
                time.sleep(0.02)
            assert not store.db.generation_known()
        answers = _burst(client.get)
        assert answers == [(200, "")] * READERS
        assert store.current_generation not in (None, before)
    assert most_held() == 1
