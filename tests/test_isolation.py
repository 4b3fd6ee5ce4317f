"""Expensive work is isolated: formatted references counted before any work and run in the
bounded pool, the cache keyed on the studies resolved and bounded by bytes, no process-wide
lock around citeproc (two threads format at once and agree with one thread)."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from app import citations, citations_api
from app.cache import BytesLRU
from app.store import Store

CLAIM = "backward-walking-eases-knee-osteoarthritis"


def test_formatting_everything_is_refused_before_any_study_is_loaded(
    seed_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    total = store.overview()["studies"]
    monkeypatch.setattr(citations_api, "MAX_FORMATTED", total - 1)

    def no_loading(*_: object, **__: object) -> None:
        raise AssertionError("studies were loaded for a request that is refused")

    monkeypatch.setattr(store, "studies_raw", no_loading)
    response = seed_client.get("/api/v1/citations", params={"format": "apa"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "too-many-references"
    assert str(total) in response.json()["error"]["message"]


def test_the_cache_is_keyed_on_the_studies_resolved(seed_client: TestClient) -> None:
    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    keys = [link["study"]["key"] for link in store.claim(CLAIM)["evidence"]]  # type: ignore[index]
    first = seed_client.get("/api/v1/citations", params={"format": "ris", "claim": CLAIM})
    before = len(store.cache.data)
    padded = seed_client.get("/api/v1/citations", params={"format": "ris", "study": keys})
    assert padded.status_code == first.status_code == 200
    assert padded.content == first.content
    assert padded.headers["etag"] == first.headers["etag"]
    assert len(store.cache.data) == before  # the same studies: the same entry


def test_the_cache_is_bounded_by_bytes() -> None:
    cache = BytesLRU(10_000)
    for i in range(100):
        cache.get_or_compute(i, lambda: b"x" * 1000)
    assert cache.data.currsize <= 10_000 and len(cache.data) < 11
    huge = cache.get_or_compute("huge", lambda: b"y" * 50_000)
    assert len(huge) == 50_000 and cache.get("huge") is None  # served, not kept


def test_the_byte_bound_holds_for_documents_as_they_sit_in_memory(seed_client: TestClient) -> None:
    """Claim documents (nested dicts) are counted by what they take in memory, measured here by
    tracemalloc: an estimate from their top-level keys let the cache hold several times its
    budget."""
    import copy
    import tracemalloc

    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    doc = store.claim(CLAIM)
    budget = 300_000
    cache = BytesLRU(budget)
    tracemalloc.start()
    try:
        for i in range(200):
            cache.get_or_compute(i, lambda: copy.deepcopy(doc))
        # only what the copies allocated: the app's own threads allocate meanwhile
        copies = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, copy.__file__)])
        held = sum(stat.size for stat in copies.statistics("filename"))
    finally:
        tracemalloc.stop()
    assert cache.data.currsize <= budget
    assert held < 1.5 * budget, f"{held} bytes held by a cache of {budget}"
    assert len(cache.data) < 200


def test_formatting_runs_in_several_threads_without_a_shared_lock(
    seed_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thread A stops in the middle of a rendering until thread B has finished a whole one: with
    a lock held across the rendering (as before), B could never finish."""
    import citeproc

    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    studies = store.studies_raw()
    alone = citations.export(studies, "apa")
    b_done = threading.Event()
    original = citeproc.CitationStylesBibliography.sort

    def sort(self: object) -> None:
        if threading.current_thread().name == "A":
            assert b_done.wait(20), "B could not format while A was inside a rendering"
        original(self)  # type: ignore[arg-type]

    monkeypatch.setattr(citeproc.CitationStylesBibliography, "sort", sort)
    results: dict[str, str] = {}

    def run(name: str) -> None:
        results[name] = citations.export(studies, "apa")
        if name == "B":
            b_done.set()

    a = threading.Thread(target=run, args=("A",), name="A")
    a.start()
    b = threading.Thread(target=run, args=("B",), name="B")
    b.start()
    b.join(25)
    a.join(25)
    assert results == {"A": alone, "B": alone}


def test_a_long_fact_check_stops_inside_the_post_once_past_its_deadline(seed_client: TestClient) -> None:
    """The deadline answers the client at once; the post's own loops then stop at their next
    checkpoint instead of keeping the expensive-work thread for the whole post."""
    import asyncio

    from app.factcheck import factcheck
    from app.workpool import Abandoned, Budget, Overloaded, WorkPool

    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    text = (" ".join(r.statement for r in store.claim_rows().values()) * 20)[:10_000]
    factcheck(store, "warm up")
    outcome: list[str] = []

    def job(_store: object, _budget: Budget) -> object:
        try:
            result = factcheck(store, text, 20)
        except Abandoned:
            outcome.append("abandoned")
            raise
        outcome.append("finished")
        return result

    class StayingRequest:
        async def receive(self) -> dict:
            await asyncio.sleep(60)
            return {"type": "http.disconnect"}

    settings = store.db.settings.model_copy(
        update={"expensive_isolation": "thread", "expensive_deadline": 0.02}
    )
    pool = WorkPool(settings, store)
    with pytest.raises(Overloaded):
        asyncio.run(pool.run(StayingRequest(), job))  # type: ignore[arg-type]
    executor = pool._executor
    assert executor is not None
    executor.shutdown(wait=True)
    assert outcome == ["abandoned"]
