"""Reads during builds: builds back to back (the two claims of the data swap places, so the
search index's positions differ between builds) while a client searches. Every answer comes
from one build: never a 500, never a snippet under the wrong claim. Both backends."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import make_settings

from app.build import build_database
from app.main import create_app
from app.store import ClaimQuery, Store

WORD = "patellofemoral"  # in one claim only
OWNER = "backward-running-reduces-patellofemoral-force"


def test_searches_during_builds_read_one_build(database_url: str, mini_data: Path) -> None:
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    claims_file = mini_data / "claims.yaml"
    claims = yaml.safe_load(claims_file.read_text())
    variants = [yaml.safe_dump(claims, sort_keys=False), yaml.safe_dump(claims[::-1], sort_keys=False)]
    stop = threading.Event()
    builds = 0

    def rebuild() -> None:
        nonlocal builds
        while not stop.is_set():
            claims_file.write_text(variants[builds % 2])
            build_database(settings, force=True)
            builds += 1

    with TestClient(create_app(settings)) as client:
        builder = threading.Thread(target=rebuild)
        builder.start()
        try:
            answers = []
            while builds < 6:
                response = client.get("/api/v1/claims", params={"q": WORD})
                answers.append(response)
                page = client.get("/claims", params={"q": WORD})
                assert page.status_code == 200
        finally:
            stop.set()
            builder.join()
    assert {r.status_code for r in answers} == {200}
    for response in answers:
        items = response.json()["items"]
        assert [i["id"] for i in items] == [OWNER], items
        assert WORD in items[0]["snippet"].lower()
        assert sum(f["count"] for f in response.json()["facets"]["verdict"]) >= 1
    assert len(answers) > 20


def _swap_once(settings, claims_file: Path, variant: str):  # type: ignore[no-untyped-def]
    """A function that, the first time it is called, rebuilds with ``variant`` (the swap)."""
    done: list[bool] = []

    def swap() -> None:
        if not done:
            done.append(True)
            claims_file.write_text(variant)
            build_database(settings, force=True)

    return swap


RENAMED = OWNER + "-b"


def _reversed_variant(claims_file: Path) -> str:
    """Build B: the claims in the other order (SQLite's index rows are positions) and the one
    matching claim under another id (PostgreSQL's are ids)."""
    claims = yaml.safe_load(claims_file.read_text())[::-1]
    for claim in claims:
        if claim["id"] == OWNER:
            claim["id"] = RENAMED
    return yaml.safe_dump(claims, sort_keys=False)


def _assert_one_build(result: dict) -> None:  # type: ignore[type-arg]
    assert [i["id"] for i in result["items"]] in ([OWNER], [RENAMED]), result["items"]
    assert WORD in result["items"][0]["snippet"].lower()


def test_a_build_swapped_in_as_a_search_opens_its_session(
    database_url: str, mini_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim rows in memory are of build A; the session the search opens reads build B."""
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    app = create_app(settings)
    store = app.state.store
    store.claim_rows()
    swap = _swap_once(settings, mini_data / "claims.yaml", _reversed_variant(mini_data / "claims.yaml"))
    original = store.db.session

    @contextlib.contextmanager
    def session_after_swap() -> Iterator[Any]:
        swap()
        with original() as session:
            yield session

    monkeypatch.setattr(store.db, "session", session_after_swap)
    _assert_one_build(store.search_claims(ClaimQuery(q=WORD)))
    store.db.dispose()


def test_a_build_committed_in_the_middle_of_a_search_is_not_seen(
    database_url: str, mini_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build commits after the search read its first rows and before the full-text query."""
    settings = make_settings(database_url, mini_data)
    build_database(settings)
    app = create_app(settings)
    store = app.state.store
    store.claim_rows()
    swap = _swap_once(settings, mini_data / "claims.yaml", _reversed_variant(mini_data / "claims.yaml"))
    original = Store._rank

    def rank_after_swap(self: Store, *args: Any) -> Any:
        swap()
        return original(self, *args)

    monkeypatch.setattr(Store, "_rank", rank_after_swap)
    _assert_one_build(store.search_claims(ClaimQuery(q=WORD)))
    store.db.dispose()
