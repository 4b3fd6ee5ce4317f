"""JSON routes under /api/v1. Thin: parse the request, call the store, shape the answer.

Errors are JSON ``{"error": {"status", "code", "message", "details"}}`` with a 4xx status
(see ``main.py`` for the handlers), never a bare 500.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app import grading
from app.store import SORTS, ClaimQuery, Store

router = APIRouter(prefix="/api/v1", tags=["claims and studies"])

Verdict = grading.Verdict
GradeLevel = Literal["high", "moderate", "low", "very-low"]
SortName = Literal["relevance", "reviewed", "grade", "statement", "appearances"]
Design = Literal[
    "systematic-review", "meta-analysis", "randomized-controlled-trial", "controlled-trial",
    "crossover-trial", "cohort", "case-control", "cross-sectional", "case-series",
    "laboratory", "expert-opinion", "guideline", "web-page",
]  # fmt: skip
assert set(SORTS) == set(SortName.__args__)  # type: ignore[attr-defined]
assert set(grading.DESIGNS) == set(Design.__args__)  # type: ignore[attr-defined]


class NotFound(HTTPException):
    def __init__(self, what: str, key: str):
        super().__init__(404, detail=f"No {what} with id '{key}'.")
        self.code = f"{what}-not-found"


def get_store(request: Request) -> Store:
    return request.app.state.store  # type: ignore[no-any-return]


def dumps(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def json_response(
    body: bytes, request: Request, etag: str | None = None, media_type: str = "application/json"
) -> Response:
    headers = {"Cache-Control": "no-cache"}
    if etag:
        headers["ETag"] = etag
        if etag_matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 If-None-Match: '*', or a list of tags compared weakly (a proxy may add W/)."""
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or etag.removeprefix("W/") in tags


_MISSING = object()


async def cached_document(
    request: Request,
    kind: str,
    key: str,
    load: Callable[[], Any],
    what: str,
    *,
    render: Callable[[Any], bytes] = dumps,
    media_type: str = "application/json",
) -> Response:
    """Serve a document from the per-build cache, rendering and caching it on a miss.

    A hit costs a dictionary look-up (plus a stat call on SQLite); a miss goes to the database in
    the threadpool so the event loop never blocks on I/O. ``load`` returns the document (None:
    404); ``render`` turns it into the response body (JSON here, an HTML page in ``web.py``).
    """
    store = get_store(request)
    body = store.peek(kind, key, _MISSING)
    if body is _MISSING:
        body = await run_in_threadpool(store.cached, kind, key, lambda: _render(load(), render))
    if body is None:
        raise NotFound(what, key)
    etag = f'"{store.current_generation}-{kind}-{key}"'
    return json_response(body, request, etag=etag, media_type=media_type)


def _render(doc: Any, render: Callable[[Any], bytes]) -> bytes | None:
    return None if doc is None else render(doc)


@router.get("", summary="The API's home: links and the claims")
async def api_home(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> Response:
    store = get_store(request)

    def load() -> dict[str, Any]:
        overview = store.overview()
        rows = list(store.claim_rows().values())[:limit]
        return {
            "name": "evidence-kb",
            "version": "v1",
            "claims_total": overview["claims"],
            "studies_total": overview["studies"],
            "built_at": overview["built_at"],
            "links": {
                "claims": "/api/v1/claims", "studies": "/api/v1/studies",
                "factcheck": "/api/v1/factcheck", "citations": "/api/v1/citations",
                "docs": "/docs", "openapi": "/openapi.json",
            },
            "claims": [
                {"id": r.id, "statement": r.statement, "verdict": r.verdict, "grade": r.grade_level,
                 "url": f"/api/v1/claims/{r.id}"}
                for r in rows
            ],
        }  # fmt: skip

    return await cached_document(request, "api-home", str(limit), load, "page")


@router.get("/claims", summary="Search and browse claims")
def list_claims(
    request: Request,
    q: Annotated[str, Query(max_length=500, description="Full-text query")] = "",
    topic: Annotated[list[str], Query(description="Topic slug; repeat for several (any of them)")] = [],  # noqa: B006
    verdict: Annotated[list[Verdict], Query()] = [],  # noqa: B006
    grade: Annotated[list[GradeLevel], Query()] = [],  # noqa: B006
    sort: Annotated[SortName | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    query = ClaimQuery(
        q=q,
        topic=topic,
        verdict=list(verdict),
        grade=list(grade),
        sort=sort or "",
        limit=limit,
        offset=offset,
    )
    result = get_store(request).search_claims(query)
    for item in result["items"]:
        item.pop("snippet_marked", None)
    return result


@router.get("/claims/{claim_id}", summary="One claim with its grade and evidence")
async def get_claim(request: Request, claim_id: str) -> Response:
    store = get_store(request)
    return await cached_document(request, "claim-json", claim_id, lambda: store.claim(claim_id), "claim")


@router.get("/studies", summary="List studies")
def list_studies(
    request: Request,
    q: Annotated[str, Query(max_length=500)] = "",
    design: Annotated[list[Design], Query()] = [],  # noqa: B006
    cited: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> dict[str, Any]:
    return get_store(request).list_studies(q=q, design=list(design), cited=cited, limit=limit, offset=offset)


@router.get("/studies/{key}", summary="One study with its appraisal and the claims it bears on")
async def get_study(request: Request, key: str) -> Response:
    store = get_store(request)
    return await cached_document(request, "study-json", key, lambda: store.study(key), "study")


@router.get("/methodology", summary="The grading rules and the verdict-to-rating mapping")
def methodology() -> dict[str, Any]:
    return methodology_doc()


def methodology_doc() -> dict[str, Any]:
    return {
        "levels": [
            {"level": lvl, "label": grading.LEVEL_LABELS[lvl], "meaning": grading.LEVEL_MEANINGS[lvl]}
            for lvl in reversed(grading.LEVELS)
        ],
        "designs": [
            {"design": d, "label": grading.DESIGN_LABELS[d], "starts_at": grading.DESIGN_START[d]}
            for d in grading.DESIGNS
        ],
        "rules": [r.__dict__ for r in grading.RULES],
        "verdicts": [
            {"verdict": v, "label": grading.VERDICT_LABELS[v], "rating": grading.VERDICT_RATING[v]}
            for v in grading.VERDICTS
        ],
        "rating_scale": {"best": grading.BEST_RATING, "worst": grading.WORST_RATING},
    }
