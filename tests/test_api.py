"""The JSON API under /api/v1 over the shipped data, on SQLite and on PostgreSQL (``seed_client``).

Assertions compare the API with itself and with the data files (facet counts against filtered
totals, pages against the full list, evidence against studies), not with remembered numbers.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import DATA_DIR
from test_seed_data import REQUIRED_CLAIMS

from app.loader import load_data

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
CLAIM = "backward-walking-eases-knee-osteoarthritis"
STUDY = "roos2012patellofemoral"


def get(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def ids(result: dict[str, Any]) -> list[str]:
    return [item["id"] for item in result["items"]]


def search(client: TestClient, q: str) -> set[str]:
    return set(ids(get(client, "/api/v1/claims", q=q, limit=100)))


@pytest.fixture(scope="module")
def everything(seed_client: TestClient) -> dict[str, Any]:
    return get(seed_client, "/api/v1/claims", limit=100)


# --- the home and the claim list -----------------------------------------------------------------


def test_home_lists_the_16_claims(seed_client: TestClient, seed_settings: Any) -> None:
    base = seed_settings.base_url.rstrip("/")
    home = get(seed_client, "/api/v1")
    assert set(REQUIRED_CLAIMS) <= {c["id"] for c in home["claims"]}
    assert home["claims_total"] == len(home["claims"]) == len(load_data(DATA_DIR).claims)
    assert home["studies_total"] == len(load_data(DATA_DIR).studies)
    for claim in home["claims"]:
        assert claim["url"] == f"{base}/api/v1/claims/{claim['id']}"
        assert claim["verdict"] and claim["grade"] and claim["statement"]
    assert home["links"]["claims"] == f"{base}/api/v1/claims" and home["links"]["docs"] == f"{base}/docs"


def test_claim_list_shape(seed_client: TestClient, everything: dict[str, Any]) -> None:
    first = get(seed_client, "/api/v1/claims")
    assert (first["total"], first["limit"], first["offset"]) == (everything["total"], 20, 0)
    assert set(REQUIRED_CLAIMS) <= set(ids(everything))
    assert ids(first) == ids(everything)[:20]
    item = first["items"][0]
    assert {"id", "statement", "verdict", "grade", "summary", "topics", "url"} <= set(item)
    assert set(item["grade"]) >= {"level", "reasons"}
    assert set(everything["facets"]) == {"topic", "verdict", "grade"}


@pytest.mark.parametrize("facet", ["verdict", "grade", "topic"])
def test_each_facet_value_filters_to_its_count(seed_client: TestClient, everything: dict[str, Any],
                                               facet: str) -> None:  # fmt: skip
    values = everything["facets"][facet]
    assert values, facet
    if facet != "topic":  # one verdict and one grade per claim
        assert sum(v["count"] for v in values) == everything["total"]
    for value in values:
        filtered = get(seed_client, "/api/v1/claims", **{facet: value["value"]}, limit=100)
        assert filtered["total"] == value["count"] == len(filtered["items"])
        for item in filtered["items"]:
            field = {"verdict": item["verdict"], "grade": item["grade"]["level"]}.get(facet)
            assert value["value"] in (item["topics"] if facet == "topic" else [field])
        (chosen,) = [v for v in filtered["facets"][facet] if v["selected"]]
        assert chosen["value"] == value["value"]


def test_repeated_filter_values_are_alternatives(seed_client: TestClient, everything: dict[str, Any]) -> None:
    a, b = everything["facets"]["verdict"][:2]
    both = get(seed_client, "/api/v1/claims", verdict=[a["value"], b["value"]], limit=100)
    assert both["total"] == a["count"] + b["count"]


def test_facets_count_within_the_other_filters(seed_client: TestClient, everything: dict[str, Any]) -> None:
    topic = everything["facets"]["topic"][0]["value"]
    result = get(seed_client, "/api/v1/claims", topic=topic, limit=100)
    # the verdict facet counts the claims of this topic; the topic facet ignores its own filter
    assert sum(v["count"] for v in result["facets"]["verdict"]) == result["total"]
    assert [t["value"] for t in result["facets"]["topic"]] == [
        t["value"] for t in everything["facets"]["topic"]
    ]


def test_limit_and_offset_page_through_the_list(seed_client: TestClient, everything: dict[str, Any]) -> None:
    total = everything["total"]
    pages = [get(seed_client, "/api/v1/claims", limit=5, offset=offset) for offset in range(0, total, 5)]
    assert [len(p["items"]) for p in pages[:-1]] == [5] * (len(pages) - 1)
    assert [claim for page in pages for claim in ids(page)] == ids(everything)
    assert all(p["total"] == total for p in pages)
    assert get(seed_client, "/api/v1/claims", offset=100)["items"] == []


def test_sorting(seed_client: TestClient) -> None:
    by_grade = get(seed_client, "/api/v1/claims", sort="grade", limit=100)["items"]
    ranks = ["no-evidence", "no-direct-evidence", "very-low", "low", "moderate", "high"]
    levels = [ranks.index(i["grade"]["level"]) for i in by_grade]
    assert levels == sorted(levels, reverse=True)
    by_statement = [
        i["statement"].lower()
        for i in get(seed_client, "/api/v1/claims", sort="statement", limit=100)["items"]
    ]
    assert by_statement == sorted(by_statement)
    reviewed = [
        i["reviewed"] for i in get(seed_client, "/api/v1/claims", sort="reviewed", limit=100)["items"]
    ]
    assert reviewed == sorted(reviewed, reverse=True)
    assert get(seed_client, "/api/v1/claims", sort="relevance")["sort"] == "appearances"  # no query


# --- full-text search ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"), [("knee", "knees"), ("walk", "walking"), ("backward", "backwards")]
)
def test_search_stems_english(seed_client: TestClient, one: str, other: str) -> None:
    found = search(seed_client, one)
    assert found, one
    assert search(seed_client, other) == found


def test_search_results_mention_the_words(seed_client: TestClient) -> None:
    result = get(seed_client, "/api/v1/claims", q="quadriceps", limit=100)
    assert result["total"] > 0 and result["sort"] == "relevance"
    for item in result["items"]:
        assert "quadricep" in (item["statement"] + item["summary"] + item.get("snippet", "")).lower()
        assert "snippet_marked" not in item


def test_search_combines_with_filters(seed_client: TestClient) -> None:
    result = get(seed_client, "/api/v1/claims", q="knee", limit=100)
    verdict = result["facets"]["verdict"][0]
    narrowed = get(seed_client, "/api/v1/claims", q="knee", verdict=verdict["value"], limit=100)
    assert narrowed["total"] == verdict["count"]
    assert set(ids(narrowed)) <= set(ids(result))


HOSTILE = [
    '"', '""', "'", "knee\"", 'col:knee', "statement:knee", "claim_id:x", "*", "knee*", "-knee",
    "NOT knee", "knee AND", "OR", "NEAR(knee walk)", "NEAR", "((knee", "knee))", "^knee", "{knee}",
    "knee; DROP TABLE claim; --", "%", "_", "\\", "🦵 knee 🏃", "\u0000knee", "x" * 500,
    "knee " * 100, "ｋｎｅｅ", "ß", "&|!<->:*", "''::tsquery",
]  # fmt: skip


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_never_fail(seed_client: TestClient, q: str) -> None:
    result = get(seed_client, "/api/v1/claims", q=q)
    assert isinstance(result["items"], list) and result["total"] >= 0


def test_an_overlong_query_is_a_422(seed_client: TestClient) -> None:
    response = seed_client.get("/api/v1/claims", params={"q": "x" * 501})
    assert response.status_code == 422
    assert response.json()["error"]["details"][0]["field"] == "q"


# --- one claim -----------------------------------------------------------------------------------


def test_claim_document(seed_client: TestClient) -> None:
    claim = get(seed_client, f"/api/v1/claims/{CLAIM}")
    assert claim["id"] == CLAIM
    assert claim["grade"]["level"] in ("high", "moderate", "low", "very-low")
    assert claim["grade"]["reasons"]
    for reason in claim["grade"]["reasons"]:
        assert set(reason) == {"factor", "effect", "explanation", "studies"}
    assert claim["evidence"]
    for link in claim["evidence"]:
        study = link["study"]
        assert {"key", "title", "authors", "year", "journal", "doi", "design", "sample_size"} <= set(study)
        assert link["stance"] in ("supports", "contradicts", "mixed", "no-effect")
        assert link["finding"] and link["outcome"]
    assert claim["caveats"] and claim["history"] and claim["summary"]


@pytest.mark.parametrize("claim_id", REQUIRED_CLAIMS)
def test_every_claims_evidence_names_studies_that_exist(seed_client: TestClient, claim_id: str) -> None:
    claim = get(seed_client, f"/api/v1/claims/{claim_id}")
    for reason in claim["grade"]["reasons"]:
        for key in reason["studies"]:
            assert seed_client.get(f"/api/v1/studies/{key}").status_code == 200
    for link in claim["evidence"]:
        study = get(seed_client, f"/api/v1/studies/{link['study']['key']}")
        assert claim_id in [c["id"] for c in study["claims"]]


def test_claim_etag_and_304(seed_client: TestClient) -> None:
    first = seed_client.get(f"/api/v1/claims/{CLAIM}")
    etag = first.headers["etag"]
    again = seed_client.get(f"/api/v1/claims/{CLAIM}", headers={"If-None-Match": etag})
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    for name, value in SECURITY_HEADERS.items():
        assert again.headers[name] == value
    for header in (f'"stale", {etag}', f"W/{etag}", "*"):  # lists, weak tags, any
        assert (
            seed_client.get(f"/api/v1/claims/{CLAIM}", headers={"If-None-Match": header}).status_code == 304
        )
    other = seed_client.get(f"/api/v1/claims/{CLAIM}", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.json() == first.json()
    study = seed_client.get(f"/api/v1/studies/{STUDY}")
    assert (
        seed_client.get(
            f"/api/v1/studies/{STUDY}", headers={"If-None-Match": study.headers["etag"]}
        ).status_code
        == 304
    )


# --- studies -------------------------------------------------------------------------------------


def test_study_list(seed_client: TestClient) -> None:
    data_studies = load_data(DATA_DIR).studies
    result = get(seed_client, "/api/v1/studies", limit=100)
    assert result["total"] == len(data_studies)
    assert [s["key"] for s in result["items"]] == [s.key for s in data_studies][:100]
    cited = get(seed_client, "/api/v1/studies", cited="true", limit=100)["total"]
    uncited = get(seed_client, "/api/v1/studies", cited="false", limit=100)["total"]
    assert cited + uncited == result["total"] and cited > 0
    page = get(seed_client, "/api/v1/studies", limit=3, offset=3)
    assert [s["key"] for s in page["items"]] == [s.key for s in data_studies[3:6]]


def test_study_list_filters(seed_client: TestClient) -> None:
    trials = get(seed_client, "/api/v1/studies", design="randomized-controlled-trial", limit=100)
    assert trials["total"] > 0
    assert {s["design"] for s in trials["items"]} == {"randomized-controlled-trial"}
    found = get(seed_client, "/api/v1/studies", q="patellofemoral", limit=100)
    assert STUDY in [s["key"] for s in found["items"]]
    assert all(
        "patellofemoral" in (s["title"] + s["key"] + (s["journal"] or "")).lower() for s in found["items"]
    )


def test_study_document(seed_client: TestClient) -> None:
    (record,) = [s for s in load_data(DATA_DIR).studies if s.key == STUDY]
    study = get(seed_client, f"/api/v1/studies/{STUDY}")
    assert (study["key"], study["title"], study["year"], study["journal"]) == (
        record.key, record.title, record.year, record.container,
    )  # fmt: skip
    assert (study["doi"], study["pmid"], study["design"], study["sample_size"], study["population"]) == (
        record.doi, record.pmid, record.design, record.sample_size, record.population,
    )  # fmt: skip
    assert study["authors"] == [p.sort_name() for p in record.authors]
    assert study["claims"]
    for claim in study["claims"]:
        assert {"id", "statement", "verdict", "grade", "stance", "finding"} <= set(claim)


# --- errors and headers --------------------------------------------------------------------------


def error_of(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "details"}
    assert body["error"]["status"] == status
    return body["error"]  # type: ignore[no-any-return]


def test_unknown_claim_is_a_json_404(seed_client: TestClient) -> None:
    error = error_of(seed_client.get("/api/v1/claims/no-such-claim"), 404)
    assert (error["code"], error["message"]) == ("claim-not-found", "No claim with id 'no-such-claim'.")


@pytest.mark.parametrize("key", ["no-such-study", "%00", "a%0Ab", "x" * 400])
def test_unknown_study_is_a_json_404(seed_client: TestClient, key: str) -> None:
    assert error_of(seed_client.get(f"/api/v1/studies/{key}"), 404)["code"] == "study-not-found"


def test_a_nul_byte_in_a_claim_id_is_a_404(seed_client: TestClient) -> None:
    assert error_of(seed_client.get("/api/v1/claims/%00"), 404)["code"] == "claim-not-found"


def test_unknown_path_is_a_json_404(seed_client: TestClient) -> None:
    error = error_of(seed_client.get("/api/v1/nothing-here"), 404)
    assert (error["code"], error["message"]) == ("not-found", "Nothing at /api/v1/nothing-here.")


@pytest.mark.parametrize(("params", "field"), [
    ({"verdict": "proven"}, "verdict.0"), ({"grade": "excellent"}, "grade.0"),
    ({"sort": "random"}, "sort"), ({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
    ({"offset": -1}, "offset"), ({"limit": "ten"}, "limit"),
])  # fmt: skip
def test_bad_parameters_are_a_json_422(seed_client: TestClient, params: dict[str, Any], field: str) -> None:
    error = error_of(seed_client.get("/api/v1/claims", params=params), 422)
    assert error["code"] == "invalid-request"
    assert [d["field"] for d in error["details"]] == [field]
    assert error["message"].startswith(f"The parameter {field.split('.')[0]} must be ")  # plain English


@pytest.mark.parametrize("offset", ["9223372036854775807", "99999999999", "1" + "0" * 5000])
def test_a_number_out_of_range_is_told_the_range(seed_client: TestClient, offset: str) -> None:
    """A long number is still a number: the answer says the range, not "write digits"."""
    error = error_of(seed_client.get(f"/api/v1/claims?offset={offset}"), 422)
    assert error["message"].startswith("The parameter offset must be a number of at most 1000000;")


def test_an_empty_parameter_on_the_api_is_checked_like_any_value(seed_client: TestClient) -> None:
    """The API takes parameters as its schema writes them (README "Errors"): ``q=`` is the empty
    search; an empty ``sort``, ``verdict`` or ``limit`` is a 422 saying to leave it out."""
    assert seed_client.get("/api/v1/claims?q=").status_code == 200
    for name in ("sort", "verdict", "limit", "offset", "topic"):
        error = error_of(seed_client.get(f"/api/v1/claims?{name}="), 422)
        assert error["message"].startswith(f"The parameter {name} is empty: leave it out, or give "), name


def test_bad_study_filter_is_a_json_422(seed_client: TestClient) -> None:
    error = error_of(seed_client.get("/api/v1/studies", params={"design": "anecdote"}), 422)
    assert error["details"][0]["in"] == "query"


def test_wrong_method_is_a_json_405(seed_client: TestClient) -> None:
    assert error_of(seed_client.post("/api/v1/claims"), 405)["code"] == "method-not-allowed"


@pytest.mark.parametrize("path", ["/api/v1", "/api/v1/claims?q=knee", f"/api/v1/claims/{CLAIM}", "/api/v1/studies",
                                  f"/api/v1/studies/{STUDY}", "/api/v1/claims/nope", "/api/v1/claims?limit=0"])  # fmt: skip
def test_security_headers(seed_client: TestClient, path: str) -> None:
    response = seed_client.get(path)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp


def test_openapi_docs(seed_client: TestClient) -> None:
    schema = get(seed_client, "/openapi.json")
    assert {"/api/v1/claims", "/api/v1/claims/{claim_id}", "/api/v1/studies", "/api/v1/studies/{key}"} <= set(
        schema["paths"]
    )
    docs = seed_client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    # Swagger UI comes from the installed package, under the site's own CSP: nothing from elsewhere.
    assert "http" not in docs.headers["content-security-policy"] and "unsafe-inline" not in docs.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        assert f'src="{asset}"' in docs.text or f'href="{asset}"' in docs.text
        assert seed_client.get(asset).status_code == 200


def test_methodology_publishes_the_rules(seed_client: TestClient) -> None:
    doc = get(seed_client, "/api/v1/methodology")
    assert [lvl["level"] for lvl in doc["levels"]] == [
        "high", "moderate", "low", "very-low", "no-direct-evidence", "no-evidence",
    ]  # fmt: skip
    assert all(rule["sources"] for rule in doc["rules"] if rule["factor"] != "floor")
    cited = {s["id"] for s in doc["sources"]}
    assert all(set(rule["sources"]) <= cited for rule in doc["rules"])
    assert {r["factor"] for r in doc["rules"]} >= {
        "imprecision",
        "indirectness",
        "inconsistency",
        "risk of bias",
    }
    assert [v["rating"] for v in doc["verdicts"]] == [5, 4, 3, 2, 1]


@pytest.mark.parametrize(("posts", "field", "repeated"), [
    ([{"id": "a", "text": "walking"}, {"id": "b", "text": "running"}, {"id": "a", "text": "squats"}],
     "posts.2.id", "'a' is already the id of post 0"),
    ([{"text": "walking"}, {"id": "0", "text": "running"}], "posts.1.id", "'0' is already the id of post 0"),
])  # fmt: skip
def test_a_batch_with_a_repeated_post_id_is_a_422_naming_it(
    seed_client: TestClient, posts: list[dict[str, str]], field: str, repeated: str
) -> None:
    """Results are told apart by id (README "Fact-checking a post"): two posts with one id are refused."""
    error = error_of(seed_client.post("/api/v1/factcheck/batch", json={"posts": posts}), 422)
    assert error["code"] == "invalid-request"
    assert [d["field"] for d in error["details"]] == [field]
    assert repeated in error["message"] and error["message"].startswith(f"The field {field} must be unique")
    distinct = [{**post, "id": f"p{i}"} for i, post in enumerate(posts)]
    answer = seed_client.post("/api/v1/factcheck/batch", json={"posts": distinct})
    assert answer.status_code == 200
    assert [r["id"] for r in answer.json()["results"]] == [p["id"] for p in distinct]
    described = seed_client.get("/openapi.json").json()["paths"]["/api/v1/factcheck/batch"]["post"]
    assert "unique in the batch" in json.dumps(described["requestBody"])


def test_unknown_topic_is_an_error_naming_the_topics(seed_client: TestClient) -> None:
    # A trial user's report: ?topic=knee-pain-x answered 200 with no claims, as if none were
    # about it. An unknown verdict is an error naming the allowed values; so is a topic now (404,
    # as for an unknown claim or study: topics come from the data, not the schema).
    response = seed_client.get("/api/v1/claims", params={"topic": ["knee-pain", "knee-pain-x"]})
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "topic-not-found" and error["details"][0]["field"] == "topic.1"
    assert error["message"].startswith("No topic 'knee-pain-x'; the topics are ")
    assert "'knee-pain'" in error["message"]
    assert seed_client.get("/api/v1/claims", params={"topic": "knee-pain"}).json()["total"] > 0
    cited = seed_client.get("/api/v1/citations", params={"format": "bibtex", "topic": "knee-pain-x"})
    assert cited.status_code == 404 and cited.json()["error"]["code"] == "topic-not-found"
    page = seed_client.get("/claims", params={"topic": "knee-pain-x"})
    assert page.status_code == 404 and "No topic &#39;knee-pain-x&#39;; the topics are" in page.text


def test_claim_urls_are_absolute_everywhere_in_the_api(seed_client: TestClient, seed_settings: Any) -> None:
    """The claims list and the claim gave '/claims/ID' while the fact-check gave the absolute
    URL: one form, built from the public base URL, and the pages still open at it."""
    base = seed_settings.base_url.rstrip("/")
    listed = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    assert listed and all(item["url"] == f"{base}/claims/{item['id']}" for item in listed)
    claim = seed_client.get(f"/api/v1/claims/{listed[0]['id']}").json()
    assert claim["url"] == listed[0]["url"]
    study = seed_client.get(f"/api/v1/studies/{claim['evidence'][0]['study']['key']}").json()
    assert study["claims"] and all(c["url"] == f"{base}/claims/{c['id']}" for c in study["claims"])
    checked = seed_client.post("/api/v1/factcheck", json={"text": claim["statement"]}).json()
    assert checked["matches"][0]["claim"]["url"].startswith(base + "/claims/")
    assert seed_client.get(claim["url"]).status_code == 200


def test_a_title_only_short_citation_nests_its_quotes(seed_client: TestClient) -> None:
    """A study with no named author is cited by its quoted title; quotes inside the title become
    single ones ("“The “Mnemonic Time-Travel Effect”” (n.d.)" nested the same marks, a new
    user's check, 2026-12-01)."""
    claim = get(seed_client, "/api/v1/claims/backward-walking-improves-memory")
    shorts = {e["study"]["key"]: e["study"]["short"] for e in claim["evidence"]}
    assert shorts["mnemonictimetravelreplication"] == "“The ‘Mnemonic Time-Travel Effect’” n.d."


def test_a_study_says_whether_a_claim_cites_it_as_the_list_does(seed_client: TestClient) -> None:
    """New-user check 2026-12-01: the study list had ``cited`` (false for fransen2015exercisebjsm,
    cited by no claim), the study itself had no such field."""
    listed = seed_client.get("/api/v1/studies", params={"limit": 100}).json()["items"]
    assert {item["cited"] for item in listed} == {True, False}
    for item in listed:
        study = seed_client.get(f"/api/v1/studies/{item['key']}").json()
        assert study["cited"] is item["cited"] is bool(study["claims"]), item["key"]
