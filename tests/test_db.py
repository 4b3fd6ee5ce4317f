"""The all-or-nothing build and how a running app notices a new one, on SQLite and PostgreSQL.

Every test here runs once per backend (the ``database_url`` fixture: a fresh empty database).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import make_settings
from sqlalchemy import text

from app import build, buildrows
from app.build import build_database, is_stale
from app.db import Database, make_engine, read_build_info
from app.dbfile import UnsafeDatabasePath
from app.main import create_app
from app.models import Evidence
from app.problems import DataError
from app.settings import Settings
from app.store import Store

CLAIM = "backward-walking-eases-knee-osteoarthritis"
OLD_STATEMENT = (
    "Backward walking eases pain and improves function and quadriceps strength in knee osteoarthritis."
)
NEW_STATEMENT = "Backward walking eases knee osteoarthritis pain (edited)."
TABLES = ["study", "claim", "claim_topic", "evidence", "concept", "build_info"]


@pytest.fixture
def settings(database_url: str, mini_data: Path) -> Settings:
    return make_settings(database_url, mini_data)


def edit_claims(data: Path, old: str, new: str) -> None:
    claims = data / "claims.yaml"
    text_ = claims.read_text()
    assert old in text_
    claims.write_text(text_.replace(old, new, 1))


def break_claims(data: Path) -> None:
    edit_claims(data, "verdict: supported", "verdict: proven")


def snapshot(settings: Settings) -> dict[str, Any]:
    """Everything a reader could see: every row of every table (and the SQLite file itself)."""
    state: dict[str, Any] = {}
    if settings.is_sqlite:
        path = settings.sqlite_path
        assert path is not None
        state["file"] = (os.stat(path).st_ino, hashlib.sha256(path.read_bytes()).hexdigest())
    engine = make_engine(settings)
    try:
        with engine.connect() as conn:
            for table in TABLES:
                rows = conn.execute(text(f"SELECT * FROM {table}")).all()
                state[table] = sorted(repr(tuple(r)) for r in rows)
            search = conn.execute(text("SELECT claim_id, statement FROM claim_search")).all()
            state["claim_search"] = sorted(repr(tuple(r)) for r in search)
    finally:
        engine.dispose()
    return state


def generation(settings: Settings) -> str:
    engine = make_engine(settings)
    try:
        info = read_build_info(engine)
    finally:
        engine.dispose()
    assert info is not None
    return info.generation


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """An app serving the mini data, built before it starts."""
    build_database(settings)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def statement(client: TestClient) -> str:
    response = client.get(f"/api/v1/claims/{CLAIM}")
    assert response.status_code == 200
    return response.json()["statement"]  # type: ignore[no-any-return]


# --- building ------------------------------------------------------------------------------------


def test_build_loads_everything(settings: Settings) -> None:
    result = build_database(settings)
    assert (result.status, result.claims, result.studies, result.warnings) == ("built", 2, 3, 0)
    state = snapshot(settings)
    assert [len(state[t]) for t in TABLES] == [3, 2, 4, 2, 2, 1]
    assert len(state["claim_search"]) == 2


def test_progress_is_reported(settings: Settings) -> None:
    messages: list[str] = []
    build_database(settings, progress=messages.append)
    assert messages[:2] == [
        "full build: no earlier build",
        "reading, validating and writing the data files",
    ]
    assert "wrote 3 studies and 2 claims" in messages


def test_unchanged_data_is_a_no_op_unless_forced(settings: Settings) -> None:
    build_database(settings)
    before, first = snapshot(settings), generation(settings)
    assert not is_stale(settings)
    assert build_database(settings).status == "unchanged"
    assert snapshot(settings) == before  # on SQLite: the same file, not a rewrite
    forced = build_database(settings, force=True)
    assert forced.status == "built"
    assert generation(settings) != first


def test_changed_data_rebuilds_without_force(settings: Settings) -> None:
    build_database(settings)
    edit_claims(settings.data_dir, OLD_STATEMENT, NEW_STATEMENT)
    assert is_stale(settings)
    messages: list[str] = []
    assert build_database(settings, progress=messages.append).status == "built"
    assert NEW_STATEMENT in repr(snapshot(settings)["claim"])
    assert messages[0] == "the data changed since the last build"


def test_a_new_schema_version_rebuilds_from_scratch(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_database(settings)
    before = snapshot(settings)
    monkeypatch.setattr(build, "SCHEMA_VERSION", build.SCHEMA_VERSION + 1)
    assert is_stale(settings)
    messages: list[str] = []
    assert build_database(settings, progress=messages.append).status == "built"
    assert messages[0] == "the schema version changed"
    after = snapshot(settings)
    assert after["claim"] == before["claim"]
    assert f", {build.SCHEMA_VERSION})" in after["build_info"][0]  # the last column


def test_a_failed_build_leaves_the_database_exactly_as_it_was(settings: Settings) -> None:
    build_database(settings)
    before = snapshot(settings)
    break_claims(settings.data_dir)
    with pytest.raises(DataError) as failure:
        build_database(settings)
    assert any("'proven' is not allowed" in p.message for p in failure.value.problems)
    assert snapshot(settings) == before


def test_a_mis_indented_phrasing_fails_the_build_and_leaves_the_database(settings: Settings) -> None:
    """A phrasing indented deeper than the one above it is valid YAML (the two read as one text,
    "... - ..."): the build names the file, the line and the mistake, and changes nothing."""
    build_database(settings)
    before = snapshot(settings)
    edit_claims(
        settings.data_dir,
        "  phrasings: [reverse running is easier on the kneecap]\n",
        "  phrasings:\n    - reverse running is easier on the kneecap\n      - retro running spares the knees\n",
    )
    with pytest.raises(DataError) as failure:
        build_database(settings)
    assert [(Path(p.path).name, p.line) for p in failure.value.problems] == [("claims.yaml", 12)]
    assert "indented deeper than the items above it" in failure.value.problems[0].message
    assert snapshot(settings) == before


def test_a_failure_while_writing_leaves_the_database_intact(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_database(settings)
    before, first = snapshot(settings), generation(settings)
    real_insert = buildrows.insert_rows

    def failing_insert(conn: Any, table: Any, rows: Any) -> None:
        if table.name == Evidence.__tablename__:  # studies and claims are already written by now
            raise RuntimeError("disk full")
        real_insert(conn, table, rows)

    monkeypatch.setattr(buildrows, "insert_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        build_database(settings, force=True)
    assert snapshot(settings) == before
    assert generation(settings) == first
    if settings.is_sqlite:  # the half-written file is gone
        assert settings.sqlite_path is not None
        assert [p.name for p in settings.sqlite_path.parent.iterdir() if ".build-" in p.name] == []
    monkeypatch.setattr(buildrows, "insert_rows", real_insert)
    assert build_database(settings, force=True).status == "built"  # nothing left locked


def test_first_build_failure_leaves_no_database(database_url: str, mini_data: Path) -> None:
    settings = make_settings(database_url, mini_data)
    break_claims(mini_data)
    with pytest.raises(DataError):
        build_database(settings)
    if settings.is_sqlite:
        assert settings.sqlite_path is not None and not settings.sqlite_path.exists()
    else:
        engine = make_engine(settings)
        try:
            assert read_build_info(engine) is None
        finally:
            engine.dispose()


def test_an_in_memory_sqlite_database_cannot_be_built(mini_data: Path) -> None:
    from app.dbfile import UnsafeDatabasePath

    with pytest.raises(UnsafeDatabasePath, match="give a file path"):
        build_database(make_settings("sqlite://", mini_data))


# --- a running app and a new build ---------------------------------------------------------------


def test_a_failed_build_keeps_the_app_serving_the_old_data(client: TestClient, settings: Settings) -> None:
    assert statement(client) == OLD_STATEMENT
    edit_claims(settings.data_dir, OLD_STATEMENT, NEW_STATEMENT)
    break_claims(settings.data_dir)
    with pytest.raises(DataError):
        build_database(settings)
    assert statement(client) == OLD_STATEMENT
    assert client.get("/api/v1/claims", params={"q": "edited"}).json()["total"] == 0


def test_the_app_serves_a_new_build(client: TestClient, settings: Settings) -> None:
    store: Store = client.app.state.store  # type: ignore[attr-defined]
    store.generation_max_age = 3600.0  # PostgreSQL: only the NOTIFY listener can tell it
    db_: Database = client.app.state.db  # type: ignore[attr-defined]
    if not settings.is_sqlite:
        assert wait_for(lambda: db_._listener is not None and db_._listener.alive)
    old = client.get(f"/api/v1/claims/{CLAIM}")
    assert old.json()["statement"] == OLD_STATEMENT
    assert client.get("/api/v1/claims", params={"q": "edited"}).json()["total"] == 0

    edit_claims(settings.data_dir, OLD_STATEMENT, NEW_STATEMENT)
    assert build_database(settings).status == "built"

    assert wait_for(lambda: statement(client) == NEW_STATEMENT)
    new = client.get(f"/api/v1/claims/{CLAIM}", headers={"If-None-Match": old.headers["etag"]})
    assert new.status_code == 200 and new.headers["etag"] != old.headers["etag"]
    assert client.get("/api/v1/claims", params={"q": "edited"}).json()["total"] == 1
    home = client.get("/api/v1").json()
    assert NEW_STATEMENT in [c["statement"] for c in home["claims"]]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # PostgreSQL has no file to swap
def test_sqlite_file_swap_is_detected(database_url: str, mini_data: Path) -> None:
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    database = Database(settings)
    try:
        first = database.generation()
        assert database.refresh_if_rebuilt() is False
        build_database(settings, force=True)
        assert database.refresh_if_rebuilt() is True
        assert database.generation() not in (None, first)
    finally:
        database.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite: the file swap instead
def test_postgres_generation_poll_without_a_listener(database_url: str, mini_data: Path) -> None:
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    database = Database(settings)  # no start_listener(): only the poll
    try:
        first = database.generation(max_age=3600)
        build_database(settings, force=True)
        assert database.generation(max_age=3600) == first  # within max_age: the cached value
        assert database.generation(max_age=0) not in (None, first)
    finally:
        database.dispose()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_both_postgresql_url_forms_work(database_url: str, mini_data: Path) -> None:
    psycopg_form = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    assert psycopg_form != database_url
    plain, explicit = make_settings(database_url, mini_data), make_settings(psycopg_form, mini_data)
    assert plain.database_url == explicit.database_url == psycopg_form  # psycopg 3, never psycopg2
    assert build_database(plain).status == "built"
    assert build_database(explicit).status == "unchanged"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_file_that_is_not_a_database_is_replaced_only_when_asked(
    database_url: str, mini_data: Path
) -> None:
    settings = make_settings(database_url, mini_data)
    assert settings.sqlite_path is not None
    settings.sqlite_path.write_text("not a database")
    assert is_stale(settings)
    with pytest.raises(UnsafeDatabasePath):
        build_database(settings)
    assert settings.sqlite_path.read_text() == "not a database"
    assert build_database(settings, replace_foreign=True).status == "built"
    assert len(snapshot(settings)["claim"]) == 2


def test_serving_sqlite_connections_share_the_os_page_cache(tmp_path: Path) -> None:
    """A serving connection keeps SQLite's small default page cache (the OS caches the file for
    every connection and worker); a build's connection keeps a large one for its inserts."""
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}")
    build_database(settings)
    with Database(settings).engine.connect() as conn:
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -2000
    with make_engine(settings).connect() as conn:
        assert conn.execute(text("PRAGMA cache_size")).scalar() == -20000
