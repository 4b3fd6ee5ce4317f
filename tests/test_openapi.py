"""The OpenAPI document describes every response, and the response models describe the real
documents without losing anything.

The walk goes over ``/openapi.json`` itself: every operation has a schema for its 200 answer and
the project's error shape for each error status it declares (422 included, in place of FastAPI's
own validation error). The round trips check that passing the store's documents through the
response models keeps every key and value, so a field added to a document but not to
``app/schemas.py`` fails here.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from app import schemas
from app.api import methodology_doc
from app.factcheck import factcheck
from app.store import ClaimQuery, Store

ERROR_REF = "#/components/schemas/ErrorResponse"


@pytest.fixture(scope="module")
def openapi(seed_client: TestClient) -> dict[str, Any]:
    response = seed_client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, op)
        for path, item in doc["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def test_every_operation_describes_its_200_and_its_errors(openapi: dict[str, Any]) -> None:
    ops = operations(openapi)
    assert {path for _, path, _ in ops} >= {
        "/api/v1", "/api/v1/claims", "/api/v1/claims/{claim_id}", "/api/v1/studies",
        "/api/v1/studies/{key}", "/api/v1/methodology", "/api/v1/factcheck",
        "/api/v1/factcheck/batch", "/api/v1/citations",
    }  # fmt: skip
    for method, path, op in ops:
        responses = op["responses"]
        ok = responses.get("200", {}).get("content")
        assert ok, f"{method} {path}: no content for 200"
        for media_type, content in ok.items():
            if media_type == "application/json":
                assert content.get("schema", {}).get("$ref"), f"{method} {path}: 200 has no schema"
        errors = {status: r for status, r in responses.items() if status[0] in "45"}
        assert "422" in errors, f"{method} {path}: 422 not described"
        for status, response in errors.items():
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": ERROR_REF}, f"{method} {path}: {status} is not the error shape"
    assert "HTTPValidationError" not in openapi["components"]["schemas"]


def test_lookups_describe_their_404(openapi: dict[str, Any]) -> None:
    for path in ("/api/v1/claims/{claim_id}", "/api/v1/studies/{key}", "/api/v1/citations"):
        assert "404" in openapi["paths"][path]["get"]["responses"], path


def test_the_error_schema_is_the_real_error_shape(openapi: dict[str, Any], seed_client: TestClient) -> None:
    body = openapi["components"]["schemas"]["ErrorBody"]
    assert set(body["required"]) >= {"status", "code", "message"}
    for path, status in [
        ("/api/v1/claims?verdict=nonsense", 422),
        ("/api/v1/claims/no-such-claim", 404),
        ("/api/v1/citations?format=bibtex&study=no-such-study", 404),
        ("/api/v1/citations?format=docx", 422),
    ]:
        response = seed_client.get(path)
        assert response.status_code == status, path
        error = schemas.ErrorResponse.model_validate(response.json()).error
        assert error.status == status and error.code and error.message
        assert response.json()["error"].keys() == {"status", "code", "message", "details"}
    invalid = seed_client.get("/api/v1/claims?verdict=nonsense").json()["error"]["details"]
    assert invalid and invalid[0]["in"] == "query" and invalid[0]["field"].startswith("verdict")


def differences(got: Any, want: Any, path: str = "") -> list[str]:
    """Where two JSON values differ, as paths (``evidence[0].study.design: 'x' != 'y'``)."""
    if isinstance(want, dict) and isinstance(got, dict):
        found = [f"{path}.{k}: missing" for k in want.keys() - got.keys()]
        return found + [
            d for k in want.keys() & got.keys() for d in differences(got[k], want[k], f"{path}.{k}")
        ]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [
            d
            for i, (g, w) in enumerate(zip(got, want, strict=True))
            for d in differences(g, w, f"{path}[{i}]")
        ]
    return [] if got == want else [f"{path}: {got!r} != {want!r}"]


def lossless(model: type[BaseModel], doc: Any) -> None:
    """Passing ``doc`` through ``model`` keeps every key and value."""
    plain = json.loads(json.dumps(doc, default=str))
    found = differences(json.loads(schemas.dump_json(model, doc)), plain)
    assert not found, f"{model.__name__} loses: " + "; ".join(found[:10])


def test_the_models_describe_the_real_documents(seed_client: TestClient) -> None:
    store: Store = seed_client.app.state.store  # type: ignore[attr-defined]
    for claim_id in store.claim_rows():
        lossless(schemas.ClaimDetail, store.claim(claim_id))
    keys = [s.key for s in store.studies_raw()]
    for key in keys:
        lossless(schemas.StudyDetail, store.study(key))
    listed = store.search_claims(ClaimQuery(q="knee pain", limit=100))
    for item in listed["items"]:
        item.pop("snippet_marked")  # for the pages only; the API drops them
        item.pop("matched_phrasing_marked")
    lossless(schemas.ClaimList, listed)
    lossless(schemas.ClaimList, store.search_claims(ClaimQuery(limit=100)))
    lossless(schemas.StudyList, store.list_studies(limit=100))
    lossless(schemas.Methodology, methodology_doc())
    for post in [
        "Six weeks of backwards walk/run training improved VO2 max by 40%",
        "Walking backwards on the treadmill is the knee pain cure nobody talks about",
        "Backward walking is proven to cure knee osteoarthritis in everyone, 100% guaranteed",
    ]:
        result = factcheck(store, post)
        assert result["matches"], post
        lossless(schemas.FactCheckResult, result)


def test_a_match_carries_the_claims_list_summary(seed_client: TestClient) -> None:
    post = {"text": "Walking backwards on the treadmill is the knee pain cure nobody talks about"}
    match = seed_client.post("/api/v1/factcheck", json=post).json()["matches"][0]
    listed = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    summary = next(item for item in listed if item["id"] == match["claim"]["id"])
    assert match["claim"].keys() == summary.keys()
    assert {k: v for k, v in match["claim"].items() if k != "url"} == {
        k: v for k, v in summary.items() if k != "url"
    }
    assert match["claim"]["url"].endswith(summary["url"])


def test_statuses_the_api_answers_are_in_the_document(
    openapi: dict[str, Any], seed_client: TestClient
) -> None:
    """Statuses that the guard and the rate limiter answer before any route runs are listed on
    every route they can reach: a key that is not known (401) everywhere, and on the routes that
    read a body, a body too large (413), too slow (408) or not JSON (415)."""
    answered = seed_client.get("/api/v1/claims", headers={"X-API-Key": "not-a-key"})
    assert answered.status_code == 401
    for method, path, op in operations(openapi):
        assert "401" in op["responses"], f"{method} {path}: 401 not described"
        if method == "post":
            for status in ("408", "413", "415"):
                assert status in op["responses"], f"{method} {path}: {status} not described"
