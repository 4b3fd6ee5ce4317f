"""Budgets on what a request may ask for and what an answer may weigh (issue 13), through HTTP on
both backends: the response cap (``max_response_bytes``), query strings bounded before parsing
(414), validation errors capped at 20, and query parameters that accept exactly what the OpenAPI
document says."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import citations, citations_api
from app.main import create_app
from app.settings import Settings

CAP = 4_000  # bytes: one study's BibTeX fits, the seed data's whole bibliography (59 studies) does not
POST = "Walking backwards eased knee pain in people with knee osteoarthritis."


@pytest.fixture
def capped(seed_settings: Settings) -> Iterator[TestClient]:
    """The seed database served with a small response cap."""
    # A long deadline: the batch below must end in the size check, not the deadline, on a busy machine.
    settings = seed_settings.model_copy(update={"max_response_bytes": CAP, "expensive_deadline": 300})
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def capped_in_threads(seed_settings: Settings) -> Iterator[TestClient]:
    """``capped`` with the expensive work in threads of this process, where a test can count it."""
    update = {"max_response_bytes": CAP, "expensive_deadline": 300, "expensive_isolation": "thread"}
    with TestClient(create_app(seed_settings.model_copy(update=update))) as client:
        yield client


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"} and body["error"]["status"] == response.status_code
    return body["error"]  # type: ignore[no-any-return]


# --- the response cap ---------------------------------------------------------------------------


def test_an_export_of_everything_over_the_cap_is_refused(capped: TestClient) -> None:
    for _ in range(2):  # the second answer comes from the cache, the same
        response = capped.get("/api/v1/citations", params={"format": "bibtex"})
        assert response.status_code == 422
        err = error(response)
        assert err["code"] == "response-too-large"
        assert f"{CAP:,}" in err["message"] and "/api/v1/downloads" in err["message"]
    small = capped.get("/api/v1/citations", params={"format": "bibtex", "study": "anon2020should"})
    assert small.status_code == 200 and 0 < len(small.content) <= CAP


def test_a_large_export_is_refused_from_a_sample_before_rendering_everything(
    capped_in_threads: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    export = citations.export

    def counting_export(studies: Any, fmt: str, **kw: Any) -> str:
        rendered.append(len(studies))
        return export(studies, fmt, **kw)

    monkeypatch.setattr(citations, "export", counting_export)
    monkeypatch.setattr(citations_api, "SIZE_SAMPLE", 5)
    response = capped_in_threads.get("/api/v1/citations", params={"format": "ris"})
    assert response.status_code == 422 and error(response)["code"] == "response-too-large"
    assert rendered == [5]  # the sample only, never the whole scope


def test_no_answer_passes_the_cap(capped: TestClient) -> None:
    """Routes whose answers grow with the knowledge base or the request: each answer is either
    within the cap or the 422, never a larger body."""
    paths = [
        "/api/v1?limit=1000", "/api/v1/claims?limit=100", "/api/v1/studies?limit=100",
        "/api/v1/citations?format=csl-json", "/api/v1/citations?format=bibtex&appraisal=true",
        "/feeds/claimreview.json", "/feeds/claims.atom", "/sitemap.xml", "/claims", "/studies",
    ]  # fmt: skip
    refused = 0
    for path in paths:
        response = capped.get(path, headers={"accept": "application/json"})
        assert len(response.content) <= CAP, path
        if response.status_code != 200:
            assert response.status_code == 422 and error(response)["code"] == "response-too-large", path
            refused += 1
    assert refused >= 5  # the seed data's big answers are all over 4,000 bytes
    batch = {"posts": [{"text": POST}] * 20, "limit": 20}
    response = capped.post("/api/v1/factcheck/batch", json=batch)
    assert response.status_code == 422 and error(response)["code"] == "response-too-large"
    assert len(response.content) <= CAP


def test_files_are_not_capped(capped: TestClient) -> None:
    assert len(capped.get("/static/site.css").content) > CAP


# --- query strings ------------------------------------------------------------------------------


def test_a_query_string_over_the_limits_is_414_before_parsing(seed_client: TestClient) -> None:
    settings = seed_client.app.state.settings  # type: ignore[attr-defined]
    many = "&".join(["verdict=nonsense"] * (settings.max_query_params + 1))
    response = seed_client.get(f"/api/v1/claims?{many}")
    assert response.status_code == 414 and error(response)["code"] == "query-too-long"
    long = "q=" + "a" * settings.max_query_bytes
    assert seed_client.get(f"/api/v1/claims?{long}").status_code == 414


def test_invalid_and_unknown_parameters_list_the_first_20(seed_client: TestClient) -> None:
    invalid = "&".join([f"verdict=bad{i}" for i in range(900)])
    response = seed_client.get(f"/api/v1/claims?{invalid}")
    assert response.status_code == 422 and len(error(response)["details"]) == 20
    assert len(response.content) < 10_000
    unknown = "&".join([f"x{i}=1" for i in range(900)])
    response = seed_client.get(f"/api/v1/claims?{unknown}")
    assert response.status_code == 422 and len(error(response)["details"]) == 20


# --- parameters accept what the schema says -----------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/studies?cited=yes", "/api/v1/studies?cited=1", "/api/v1/studies?cited=TRUE",
        "/api/v1/studies?limit=%2B1", "/api/v1/studies?limit=1_0", "/api/v1/studies?limit=1.5",
        "/api/v1/studies?offset=%201", "/api/v1?limit=1e1", "/api/v1/claims?limit=0x10",
        "/api/v1/claims?topic=", "/api/v1/claims?topic=Knee%20Pain", "/api/v1/claims?topic=knee_pain",
        "/api/v1/citations?format=bibtex&appraisal=1", "/api/v1/citations?format=bibtex&appraisal=yes",
    ],
)  # fmt: skip
def test_values_the_schema_does_not_allow_are_422(seed_client: TestClient, query: str) -> None:
    response = seed_client.get(query)
    assert response.status_code == 422 and error(response)["code"] == "invalid-request"


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/studies?cited=true", "/api/v1/studies?cited=false&limit=1&offset=0",
        "/api/v1/claims?topic=knee-pain&limit=100", "/api/v1/claims?offset=-0", "/api/v1?limit=5.0",
        "/api/v1/citations?format=bibtex&appraisal=true&study=nope-nope",
    ],
)  # fmt: skip
def test_values_the_schema_allows_are_accepted(seed_client: TestClient, query: str) -> None:
    assert seed_client.get(query).status_code in (200, 404)


def test_request_bodies_take_the_json_types_of_the_schema(seed_client: TestClient) -> None:
    for limit in ("5", True, 5.5):
        response = seed_client.post("/api/v1/factcheck", json={"text": POST, "limit": limit})
        assert response.status_code == 422, limit
    for limit in (5, 5.0):  # JSON Schema: 5.0 is an integer
        response = seed_client.post("/api/v1/factcheck", json={"text": POST, "limit": limit})
        assert response.status_code == 200 or error(response)["code"] == "deadline-exceeded", limit


# --- refusals before routing: the page a browser reads, the JSON a program reads -----------------

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture
def small_bodies(seed_settings: Settings) -> Iterator[TestClient]:
    """The seed database with a 1,000-byte body limit and an API key (for the 401)."""
    settings = seed_settings.model_copy(update={"max_body_bytes": 1_000, "api_keys": ["k" * 32]})
    with TestClient(create_app(settings)) as client:
        yield client


def refusals(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    """Each early refusal of the guard and the rate limiter, on a page path."""
    max_query_params = client.app.state.settings.max_query_params  # type: ignore[attr-defined]
    return {
        "413": client.post("/factcheck", data={"text": "x" * 5_000}, headers=headers),
        "414": client.get("/claims?" + "&".join(["q=a"] * (max_query_params + 1)), headers=headers),
        "400 bad-host": client.get("/claims", headers={**headers, "Host": "evil.example"}),
        "401": client.get("/claims", headers={**headers, "X-API-Key": "not-a-key"}),
    }


def test_early_refusals_on_pages_are_the_html_error_page_for_browsers(small_bodies: TestClient) -> None:
    """README: errors on pages are the friendly page for a browser, whichever layer refuses."""
    for what, response in refusals(small_bodies, HTML).items():
        assert response.status_code == int(what[:3]), what
        assert response.headers["content-type"].startswith("text/html"), what
        assert f"Error {response.status_code}" in response.text and "<h1" in response.text, what
    for what, response in refusals(small_bodies, {"Accept": "application/json"}).items():
        assert response.headers["content-type"] == "application/json", what
        assert error(response)["status"] == int(what[:3]), what


def test_every_error_body_is_written_by_one_serializer(small_bodies: TestClient) -> None:
    """Compact JSON, whichever layer answers: the router (404, 422) or the guard (413, 415, 414,
    400, 401)."""
    api = {"Accept": "application/json"}
    responses = [
        small_bodies.get("/api/v1/claims/nothing"),
        small_bodies.get("/api/v1/claims?limit=abc"),
        small_bodies.post(
            "/api/v1/factcheck", content=b"x" * 5_000, headers={"Content-Type": "application/json"}
        ),
        small_bodies.post("/api/v1/factcheck", content=b"text", headers={"Content-Type": "text/plain"}),
        *refusals(small_bodies, api).values(),
    ]
    statuses = set()
    for response in responses:
        statuses.add(response.status_code)
        assert response.content.startswith(b'{"error":{"status":'), response.content[:60]
        assert b'", "' not in response.content and b'": ' not in response.content, response.content
    assert statuses == {404, 422, 413, 415, 414, 400, 401}
