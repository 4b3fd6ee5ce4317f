"""What several test modules share: paths, settings and throw-away PostgreSQL databases.

Test modules import these from here (``from helpers import ...``), never from ``conftest``;
``conftest.py`` holds only fixtures and pytest hooks.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.settings import Settings

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PG_ADMIN_URL = os.environ.get("EVIDENCE_KB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def _pg_unavailable_reason() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}"
    return None


PG_SKIP_REASON = _pg_unavailable_reason()


def create_pg_database() -> str:
    """A new empty database; returns its URL. Dropped by ``drop_pg_database``."""
    import psycopg

    name = f"evidence_kb_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_pg_database(url: str) -> None:
    import psycopg

    from app.factcheck import indexfile

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    # the database's fact-check index files live in a per-URL folder of the temporary directory
    shutil.rmtree(indexfile.directory(make_settings(url, factcheck_index_dir="")), ignore_errors=True)


#: conftest runs the in-process apps' expensive work in threads through this variable.
ISOLATION = "EVIDENCE_KB_EXPENSIVE_ISOLATION"


def served_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a server process a test starts: the suite's (conftest: no rate limits,
    no warm-up), with expensive work in processes as a user's server runs it, and ``extra``."""
    return {**os.environ, ISOLATION: "process", **(extra or {})}


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now (bound, read, released) for a server a test starts."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_settings(database_url: str, data_dir: Path = DATA_DIR, **extra: object) -> Settings:
    return Settings(database_url=database_url, data_dir=data_dir, **extra)


@contextmanager
def empty_database(backend: str, sqlite_path: Path) -> Iterator[str]:
    """The URL of an empty database: ``sqlite_path`` on SQLite, a fresh PostgreSQL database
    (dropped afterwards) on "postgres"; skips the test when PostgreSQL is unavailable."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    if PG_SKIP_REASON:
        import pytest

        pytest.skip(PG_SKIP_REASON)
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


# The fact-check through its public route: what the fact-check test modules share.


def factcheck_body(client: TestClient, text: str) -> dict[str, Any]:
    """``POST /api/v1/factcheck`` with ``text``; asserts 200 and returns the JSON body."""
    response = client.post("/api/v1/factcheck", json={"text": text})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def claims_of(client: TestClient, text: str) -> list[str]:
    """The claim ids ``POST /api/v1/factcheck`` returns for ``text``, best first (asserts 200)."""
    return [m["claim"]["id"] for m in factcheck_body(client, text)["matches"]]


def claim_matches(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A fact-check body's matches by claim id."""
    return {m["claim"]["id"]: m for m in body["matches"]}


def post_matches(client: TestClient, text: str) -> dict[str, dict[str, Any]]:
    """The matches ``POST /api/v1/factcheck`` returns for ``text``, by claim id (asserts 200)."""
    return claim_matches(factcheck_body(client, text))


def stance_of(client: TestClient, text: str, claim: str) -> str:
    """The stance of ``claim``'s match for ``text``; fails naming the claims returned without it."""
    found = post_matches(client, text)
    assert claim in found, f"{claim} not among {list(found)}"
    return str(found[claim]["stance"])


def match_for(body: dict[str, Any], *claim_ids: str) -> dict[str, Any]:
    """The first match of any of ``claim_ids``; fails naming the claims that were returned."""
    found = [m for m in body["matches"] if m["claim"]["id"] in claim_ids]
    assert found, f"none of {claim_ids} among {[m['claim']['id'] for m in body['matches']]}"
    return found[0]


def flag_codes(match: dict[str, Any]) -> set[str]:
    """The codes of a match's flags."""
    return {f["code"] for f in match["flags"]}


#: Tries of a first fact-check request (``conftest.seed_client``, a served process): each may
#: answer 503 while the models load on a loaded machine.
WARM_UP_TRIES = 10


def post_features(index: Any, text: str) -> set[str]:
    """The features every unit of ``text`` has (``check.post_units``: the concepts and words the
    matcher reads, activities lent across units included)."""
    from app.factcheck.check import clean, post_units

    units, _ = post_units(index, clean(text))
    return set().union(*(u.have for u in units))
