"""Lists that cost what the page needs (issues 12 and 13), pinned on both backends.

- The study list reads pages by the build's listing order (``app.listing``) and totals from its
  counts: every filter combination must give exactly the studies (and totals) the data files
  define, in bibliography order, at every offset, including the last one and past the end.
- Search ranks every match in the database, counts facets from the matches and pages in
  memory: totals must equal the items a client collects by paging, each facet count the total
  of the search filtered by that value, and the order the documented column rule.

Ground truth comes from the data files (``load_data``), never from remembered numbers.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import DATA_DIR

from app import facets, search
from app.db import Database
from app.loader import LoadedData, load_data
from app.settings import Settings
from app.store import ClaimQuery, Store


@cache
def loaded() -> LoadedData:
    return load_data(DATA_DIR)


def expected_studies(design: list[str], cited: bool | None) -> list[str]:
    """Study keys in bibliography order that pass the filters, from the data files."""
    cited_keys = {link.study for record in loaded().claims for link in record.claim.evidence}
    return [
        s.key
        for s in sorted(loaded().studies, key=lambda s: s.position)
        if (not design or s.design in design) and (cited is None or (s.key in cited_keys) == cited)
    ]


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def collect(client: TestClient, path: str, page_size: int, **params: Any) -> tuple[list[Any], set[int]]:
    """Every item of a list, page by page, and the totals the pages reported."""
    items: list[Any] = []
    totals: set[int] = set()
    for offset in itertools.count(0, page_size):
        page = get(client, path, limit=page_size, offset=offset, **params)
        totals.add(page["total"])
        items += page["items"]
        if len(page["items"]) < page_size:
            return items, totals
    raise AssertionError("unreachable")


def designs() -> list[str]:
    """The designs of the shipped studies, most common first (each a filter to try)."""
    counts: dict[str, int] = {}
    for s in loaded().studies:
        if s.design:
            counts[s.design] = counts.get(s.design, 0) + 1
    return sorted(counts, key=lambda d: (-counts[d], d))


# --- the study list ----------------------------------------------------------------------------------


def filter_cases() -> list[tuple[list[str], bool | None]]:
    common = designs()[:3]
    cases: list[tuple[list[str], bool | None]] = []
    for design in ([], [common[0]], [common[1]], common[:2]):
        for cited in (None, True, False):
            cases.append((design, cited))
    return cases


@pytest.mark.parametrize(("design", "cited"), filter_cases())
def test_study_list_pages_and_totals_match_the_data(
    seed_client: TestClient, design: list[str], cited: bool | None
) -> None:
    expected = expected_studies(design, cited)
    params: dict[str, Any] = {"design": design}
    if cited is not None:
        params["cited"] = str(cited).lower()
    items, totals = collect(seed_client, "/api/v1/studies", 7, **params)
    assert [s["key"] for s in items] == expected
    assert totals == {len(expected)}
    assert all(s["cited"] == (s["key"] in expected_studies([], True)) for s in items)


@pytest.mark.parametrize(("design", "cited"), [([], None), ([], False), ([], True), *filter_cases()[3:6]])
def test_study_list_one_at_a_time_to_the_end(
    seed_client: TestClient, design: list[str], cited: bool | None
) -> None:
    """``limit=1&offset=N``: the N-th study at every N (the deepest page costs what the first
    does), then nothing past the end, with the same total."""
    expected = expected_studies(design, cited)
    params: dict[str, Any] = {"design": design}
    if cited is not None:
        params["cited"] = str(cited).lower()
    for offset in sorted({0, 1, len(expected) // 2, len(expected) - 2, len(expected) - 1} - {-1, -2}):
        page = get(seed_client, "/api/v1/studies", limit=1, offset=offset, **params)
        assert [s["key"] for s in page["items"]] == expected[offset : offset + 1], offset
        assert page["total"] == len(expected)
    past = get(seed_client, "/api/v1/studies", limit=1, offset=len(expected), **params)
    assert past["items"] == [] and past["total"] == len(expected)
    far = get(seed_client, "/api/v1/studies", limit=5, offset=10**6, **params)
    assert far["items"] == [] and far["total"] == len(expected)


def test_study_list_with_words_counts_what_it_shows(seed_client: TestClient) -> None:
    for q in ("trial", "knee", "walking backward", "xyzzy"):
        items, totals = collect(seed_client, "/api/v1/studies", 4, q=q)
        assert totals == {len(items)}, q
        unfiltered, _ = collect(seed_client, "/api/v1/studies", 100)
        order = [s["key"] for s in unfiltered]
        keys = [s["key"] for s in items]
        assert keys == sorted(keys, key=order.index), q  # bibliography order


def test_store_study_list_matches_http(seed_settings: Settings, seed_client: TestClient) -> None:
    store = Store(Database(seed_settings))
    try:
        for design, cited in filter_cases():
            direct = store.list_studies(design=design, cited=cited, limit=3, offset=2)
            params: dict[str, Any] = {"design": design, "limit": 3, "offset": 2}
            if cited is not None:
                params["cited"] = str(cited).lower()
            over_http = get(seed_client, "/api/v1/studies", **params)
            assert [s["key"] for s in direct["items"]] == [s["key"] for s in over_http["items"]]
            assert direct["total"] == over_http["total"] == len(expected_studies(design, cited))
    finally:
        store.db.dispose()


# --- search --------------------------------------------------------------------------------------------

QUERIES = ["knee", "pain", "walking", "strength", "older adults", "trial"]


@pytest.mark.parametrize("q", QUERIES)
def test_search_totals_and_facets_count_the_items(seed_client: TestClient, q: str) -> None:
    """Each facet count is the total of the same search filtered by that value, and each total
    is the number of items a client collects by paging (pages of 3: stable, no repeats)."""
    full = get(seed_client, "/api/v1/claims", q=q, limit=100)
    assert full["total"] == len(full["items"]) > 0, q
    items, totals = collect(seed_client, "/api/v1/claims", 3, q=q)
    assert [i["id"] for i in items] == [i["id"] for i in full["items"]] and totals == {full["total"]}
    for facet, param in (("verdict", "verdict"), ("grade", "grade"), ("topic", "topic")):
        for value in full["facets"][facet]:
            if value["count"] == 0:
                continue
            filtered = get(seed_client, "/api/v1/claims", q=q, limit=100, **{param: value["value"]})
            assert filtered["total"] == value["count"] == len(filtered["items"]), (q, facet, value)


def test_search_with_a_filter_and_a_query(seed_client: TestClient) -> None:
    """A filter and a query together: exact totals, facets that count the other filters only."""
    full = get(seed_client, "/api/v1/claims", q="knee", limit=100)
    verdict = full["facets"]["verdict"][0]["value"]
    both = get(seed_client, "/api/v1/claims", q="knee", verdict=verdict, limit=100)
    ids = [i["id"] for i in both["items"]]
    assert both["total"] == len(ids) == sum(1 for i in full["items"] if i["verdict"] == verdict)
    assert ids == [i["id"] for i in full["items"] if i["verdict"] == verdict]  # relevance order kept
    # The verdict facet still counts every verdict of the query (its own filter left out).
    assert {v["value"]: v["count"] for v in both["facets"]["verdict"]} == {
        v["value"]: v["count"] for v in full["facets"]["verdict"]
    }
    topics: dict[str, int] = {}
    for item in both["items"]:
        for topic in item["topics"]:
            topics[topic] = topics.get(topic, 0) + 1
    shown = {t["value"]: t["count"] for t in both["facets"]["topic"] if t["count"]}
    assert shown == dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))[:40])


@pytest.mark.parametrize("sort", ["reviewed", "grade", "statement", "appearances"])
def test_browse_orders_page_stably(seed_client: TestClient, sort: str) -> None:
    full = get(seed_client, "/api/v1/claims", sort=sort, limit=100)
    items, totals = collect(seed_client, "/api/v1/claims", 4, sort=sort)
    assert [i["id"] for i in items] == [i["id"] for i in full["items"]]
    assert totals == {full["total"]} == {len(loaded().claims)}


@pytest.mark.parametrize("q", ["pain", "walking", "strength", "balance", "trial"])
def test_search_order_is_the_column_rule(seed_settings: Settings, q: str) -> None:
    """The order equals the documented rule computed here from the data files: 8 when the
    query is in the statement, 4 in the phrasings or who the claim is about, 2 in the summary, 1 in the caveats, then
    the order of claims.yaml (synonyms included)."""
    store = Store(Database(seed_settings))
    try:
        groups = search.query_groups(q, store.synonyms())

        def has(column: str, group: tuple[str, ...]) -> bool:  # a word, or a phrase's words in a row
            return any(f" {option} " in column for option in group)

        expected = []
        for record in loaded().claims:
            c = record.claim
            who = search.who_texts(c.phrasings, c.population, c.tested_in)
            texts = [c.statement, " · ".join(who), c.summary, " · ".join(c.caveats)]
            columns = [f" {search.index_text(text)} " for text in texts]
            if not all(any(has(column, g) for column in columns) for g in groups):
                continue
            score = sum(
                weight
                for (_, _, weight), column in zip(search.COLUMN_WEIGHTS, columns, strict=True)
                if all(has(column, g) for g in groups)
            )
            expected.append((-score, record.position, c.id))
        found = store.search_claims(ClaimQuery(q=q, limit=100), facets=False)
        assert [i["id"] for i in found["items"]] == [cid for *_, cid in sorted(expected)]
        assert found["total"] == len(expected) > 0
    finally:
        store.db.dispose()


# --- the facet index against counting row by row ---------------------------------------------------


@dataclass(frozen=True)
class Row:
    position: int
    topics: tuple[str, ...]
    verdict: str
    grade_level: str


def test_facet_index_equals_counting_row_by_row() -> None:
    """Random claims, matches and filters: the sets give the same passing claims and the same
    counts as testing each row (each facet counts the rows that pass the other filters)."""
    rng = random.Random(12)
    topics, verdicts, grades = list("abcdefg"), ["yes", "no", "mixed"], ["high", "low"]
    rows = [
        Row(p, tuple(rng.sample(topics, rng.randint(0, 3))), rng.choice(verdicts), rng.choice(grades))
        for p in range(300)
    ]
    index = facets.FacetIndex.of(rows)
    for _ in range(200):
        matches = frozenset(rng.sample(range(300), rng.randint(0, 300))) if rng.random() < 0.7 else None
        t = rng.sample([*topics, "nowhere"], rng.randint(0, 2))
        v = rng.sample(verdicts, rng.randint(0, 2))
        g = rng.sample(grades, rng.randint(0, 1))
        passing, counts = index.filter_and_count(matches, t, v, g)
        expected: dict[str, Counter[str]] = {"topic": Counter(), "verdict": Counter(), "grade": Counter()}
        passed = []
        for row in rows:
            if matches is not None and row.position not in matches:
                continue
            t_ok = not t or bool(set(t) & set(row.topics))
            v_ok, g_ok = not v or row.verdict in v, not g or row.grade_level in g
            if t_ok and v_ok and g_ok:
                passed.append(row)
            if v_ok and g_ok:
                expected["topic"].update(row.topics)
            if t_ok and g_ok:
                expected["verdict"][row.verdict] += 1
            if t_ok and v_ok:
                expected["grade"][row.grade_level] += 1
        candidates = [r for r in rows if matches is None or r.position in matches]  # as the store
        assert facets.in_order(candidates, passing) == passed
        if matches is None:  # browse: every claim, in order, with each position's place
            assert facets.in_order(rows, passing, {r.position: i for i, r in enumerate(rows)}) == passed
        assert {k: +c for k, c in counts.items()} == {k: +c for k, c in expected.items()}
