"""Shared fixtures: the app built from real data on SQLite and on PostgreSQL.

Tests that take the ``database_url`` (or ``seed_client``) fixture run once per backend. The
PostgreSQL runs use a throw-away database on 127.0.0.1:5432 (``EVIDENCE_KB_TEST_PG`` to change
it) and are skipped, with the reason printed, when PostgreSQL is not reachable.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# OpenBLAS (numpy's, scipy's) starts a thread per core for every small product and spins waiting
# for them: on CI's 2 shared cores that made the fit script's logistic regressions (and so
# tests/test_compare_embeddings.py) 3x slower in wall and CPU time than with one thread. Set before
# anything imports numpy; the servers, CLIs and expensive-work children the tests start inherit it.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest
from fastapi.testclient import TestClient
from helpers import (
    FIXTURES,
    ISOLATION,
    PG_ADMIN_URL,
    PG_SKIP_REASON,
    WARM_UP_TRIES,
    create_pg_database,
    drop_pg_database,
    empty_database,
    make_settings,
)

from app.build import build_database
from app.main import create_app
from app.settings import Settings
from app.workpool import WARM_UP_POST

# The suite sends thousands of requests from one client: the rate limits are off unless a test
# turns them on (tests/test_ratelimit.py, which also checks the defaults).
os.environ.setdefault("EVIDENCE_KB_RATE_LIMIT", "")
os.environ.setdefault("EVIDENCE_KB_RATE_LIMIT_EXPENSIVE", "")
# Hundreds of apps are started and most never fact-check: none loads the fact-check at start-up
# unless a test turns it on (tests/test_publishing.py); ``seed_client`` warms its own.
os.environ.setdefault("EVIDENCE_KB_FACTCHECK_WARM_UP", "false")
# The apps the tests start in this process run expensive work in threads: in a process of its own
# each app started a child at its first fact-check or citation file, which loaded the fact-check's
# index and models again (2-3 s of CPU each; test_factcheck_index.py alone 42.7 -> 16.2 s). What
# crosses the process boundary stays tested: ``seed_client`` (the fact-check modules' requests) and
# the servers started as processes (``helpers.served_env``) use processes as the default does, and
# tests/test_expensive_process.py compares both ways.
os.environ.setdefault(ISOLATION, "thread")


@pytest.fixture(autouse=True)
def _base_url_restored() -> Iterator[None]:
    """Put ``EVIDENCE_KB_BASE_URL`` back as it was after every test: ``serve`` run in this process
    sets it to the address it serves (``app.serving.follow_served_address``), and a value left
    behind reached later tests' servers, which then record no address of their own
    (test_trial_cli2's second-serve test failed in full runs, in a different place each time)."""
    before = os.environ.get("EVIDENCE_KB_BASE_URL")
    yield
    if before is None:
        os.environ.pop("EVIDENCE_KB_BASE_URL", None)
    else:
        os.environ["EVIDENCE_KB_BASE_URL"] = before


def pytest_report_header() -> str:
    return "PostgreSQL tests: " + (
        f"SKIPPED ({PG_SKIP_REASON})" if PG_SKIP_REASON else f"enabled ({PG_ADMIN_URL})"
    )


BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (a fresh PostgreSQL database per test)."""
    with empty_database(request.param, tmp_path / "kb.db") as url:
        yield url


@pytest.fixture(scope="session")
def seed_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The shipped data (data/) built once on SQLite for the whole session: ``seed_settings``' SQLite
    database, and the one that tests reading the shipped data without a backend parameter share
    (a module's ``Store``, the CLI's subprocesses) instead of building their own (a build of the
    shipped data is a second or two of CPU each time). Read only: a test that changes a
    database builds its own."""
    settings = make_settings(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'kb.db'}")
    build_database(settings, force=True)
    return settings


@pytest.fixture(scope="session", params=BACKENDS)
def seed_settings(request: pytest.FixtureRequest) -> Iterator[Settings]:
    """The shipped data (data/) built once per backend for the whole session."""
    if request.param == "sqlite":
        yield request.getfixturevalue("seed_sqlite")
        return
    if PG_SKIP_REASON:
        pytest.skip(PG_SKIP_REASON)
    url = create_pg_database()
    settings = make_settings(url)
    build_database(settings, force=True)
    try:
        yield settings
    finally:
        drop_pg_database(url)


@pytest.fixture(scope="session")
def seed_client(seed_settings: Settings) -> Iterator[TestClient]:
    """A TestClient on the app serving the shipped data, once per backend, with the fact-check
    ready: the index file written first (by a store of its own) and the models loaded by a first
    request, repeated while it answers 503 (on a loaded machine loading them can take longer than a
    request's deadline), so that the tests' requests time the checks alone, whichever test module
    comes first."""
    from app.db import Database
    from app.factcheck.index import get_index
    from app.store import Store

    store = Store(Database(seed_settings))
    get_index(store)
    store.db.dispose()
    in_processes = seed_settings.model_copy(update={"expensive_isolation": "process"})  # as served
    with TestClient(create_app(in_processes)) as client:
        for _ in range(WARM_UP_TRIES):
            answer = client.post("/api/v1/factcheck", json={"text": WARM_UP_POST})
            if answer.status_code != 503:
                break
        yield client


@pytest.fixture(scope="session")
def index(seed_settings: Settings) -> Iterator[Any]:
    """The fact-check index of the shipped data, once per backend (tests of the matcher's parts;
    a module with another index defines its own ``index``)."""
    from app.db import Database
    from app.factcheck.index import get_index
    from app.store import Store

    store = Store(Database(seed_settings))
    yield get_index(store)
    store.db.dispose()


@pytest.fixture(scope="module")
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated knowledge base of the test module's ``CLAIMS`` claims (bench/generate.py),
    written once per module; tests copy it before changing it."""
    from test_generate import generate

    out = tmp_path_factory.mktemp("generated")
    generate(out, "--claims", str(request.module.CLAIMS))
    return out


@pytest.fixture
def mini_data(tmp_path: Path) -> Path:
    """A writable copy of the small fixture data set (tests/fixtures/mini)."""
    import shutil

    target = tmp_path / "data"
    shutil.copytree(FIXTURES / "mini", target)
    return target
