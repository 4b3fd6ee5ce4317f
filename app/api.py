"""JSON routes under /api/v1. Thin: parse the request, call the store, shape the answer.

Errors are JSON ``{"error": {"status", "code", "message", "details"}}`` with a 4xx status
(see ``main.py`` for the handlers), never a bare 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from app import certainty, grading
from app.documents import with_absolute_urls
from app.http import (
    ClaimSearchDep,
    QueryText,
    SchemaBool,
    SchemaInt,
    SettingsDep,
    StoreDep,
    cached_document,
    get_settings,
    get_store,
    query_text,
)
from app.schemas import (
    COMMON_ERRORS,
    ApiHome,
    ClaimDetail,
    ClaimList,
    Methodology,
    StudyDetail,
    StudyList,
    dump_json,
    error_responses,
)
from app.vocab import Design


def _json(model: type[BaseModel]) -> Callable[[Any], bytes]:
    """Render a cached document as JSON through its response model."""
    return lambda doc: dump_json(model, doc)


router = APIRouter(prefix="/api/v1", tags=["claims and studies"], responses=error_responses(*COMMON_ERRORS))


#: The links of ``GET /api/v1`` (absolute there, from the public base URL).
API_LINKS = {
    "claims": "/api/v1/claims", "studies": "/api/v1/studies",
    "factcheck": "/api/v1/factcheck", "citations": "/api/v1/citations",
    "docs": "/docs", "openapi": "/openapi.json", "downloads": "/api/v1/downloads",
    "atom": "/feeds/claims.atom", "claimreview_feed": "/feeds/claimreview.json",
}  # fmt: skip


@router.get("", summary="The API's home: links and the claims", responses={200: {"model": ApiHome}})
async def api_home(
    request: Request, limit: Annotated[int, Query(ge=1, le=1000), SchemaInt] = 100
) -> Response:
    store, base = get_store(request), get_settings(request).base_url.rstrip("/")

    def load() -> dict[str, Any]:
        overview = store.overview()
        rows = list(store.claim_rows().values())[:limit]
        return {
            "name": "evidence-kb",
            "version": "v1",
            "claims_total": overview["claims"],
            "studies_total": overview["studies"],
            "built_at": overview["built_at"],
            "links": {name: base + path for name, path in API_LINKS.items()},
            "claims": [
                {"id": r.id, "statement": r.statement, "verdict": r.verdict, "grade": r.grade_level,
                 "url": f"{base}/api/v1/claims/{r.id}"}
                for r in rows
            ],
        }  # fmt: skip

    return await cached_document(request, "api-home", str(limit), load, "page", render=_json(ApiHome))


@router.get(
    "/claims",
    summary="Search and browse claims",
    response_model=ClaimList,
    response_model_exclude_unset=True,
    responses=error_responses(404),  # topic-not-found
)
def list_claims(store: StoreDep, query: ClaimSearchDep, settings: SettingsDep) -> dict[str, Any]:
    result = store.search_claims(query, suggest=True)
    for item in result["items"]:
        item.pop("snippet_marked", None)
        item.pop("matched_phrasing_marked", None)
    result["items"] = [with_absolute_urls(item, settings.base_url) for item in result["items"]]
    return result


@router.get(
    "/claims/{claim_id}",
    summary="One claim with its grade and evidence",
    responses={200: {"model": ClaimDetail}, **error_responses(404)},
)
async def get_claim(request: Request, claim_id: str) -> Response:
    store, base = get_store(request), get_settings(request).base_url
    return await cached_document(
        request, "claim-json", claim_id, lambda: _absolute(store.claim(claim_id), base), "claim",
        render=_json(ClaimDetail),
    )  # fmt: skip


@router.get("/studies", summary="List studies", response_model=StudyList)
def list_studies(
    store: StoreDep,
    settings: SettingsDep,
    q: QueryText = "",
    design: Annotated[list[Design], Query()] = [],  # noqa: B006
    cited: Annotated[bool | None, Query(), SchemaBool] = None,
    limit: Annotated[int, Query(ge=1, le=100), SchemaInt] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000), SchemaInt] = 0,
) -> dict[str, Any]:
    result = store.list_studies(q=query_text(q), design=list(design), cited=cited, limit=limit, offset=offset)
    result["items"] = [with_absolute_urls(item, settings.base_url) for item in result["items"]]
    return result


@router.get(
    "/studies/{key}",
    summary="One study with its appraisal and the claims it bears on",
    responses={200: {"model": StudyDetail}, **error_responses(404)},
)
async def get_study(request: Request, key: str) -> Response:
    store, base = get_store(request), get_settings(request).base_url
    return await cached_document(
        request,
        "study-json",
        key,
        lambda: _absolute(store.study(key), base),
        "study",
        render=_json(StudyDetail),
    )


def _absolute(doc: dict[str, Any] | None, base: str) -> dict[str, Any] | None:
    return None if doc is None else with_absolute_urls(doc, base)


@router.get(
    "/methodology", summary="The grading rules and the verdict-to-rating mapping", response_model=Methodology
)
def methodology() -> dict[str, Any]:
    return methodology_doc()


def methodology_doc() -> dict[str, Any]:
    """The certainty rules (``app.certainty.RULES``, with the GRADE guidance each follows), the
    starting level of each design, and the verdict vocabulary with its ClaimReview rating."""
    return {
        "levels": [
            {"level": lvl, "label": grading.LEVEL_LABELS[lvl], "meaning": grading.LEVEL_MEANINGS[lvl]}
            for lvl in grading.CERTAINTIES
        ],
        "designs": [
            {
                "design": d,
                "label": grading.DESIGN_LABELS[d],
                "starts_at": certainty.DESIGN_START[d],
                "starts_at_factual": "high" if d in certainty.FACTUAL_HIGH else certainty.DESIGN_START[d],
            }
            for d in grading.DESIGNS
        ],
        "rules": [
            {"factor": r.factor, "effect": r.effect, "text": r.text, "sources": list(r.sources)}
            for r in certainty.RULES
        ],
        "sources": [
            {"id": key, "label": s.label, "citation": s.citation, "url": s.url}
            for key, s in certainty.SOURCES.items()
        ],
        "verdicts": [
            {
                "verdict": v,
                "label": grading.VERDICT_LABELS[v],
                "meaning": grading.VERDICT_MEANINGS[v],
                "rating": grading.VERDICT_RATING[v],
            }
            for v in grading.VERDICTS
        ],
        "unproven_reasons": [
            {"reason": r, "label": grading.UNPROVEN_LABELS[r]} for r in grading.UNPROVEN_REASONS
        ],
        "rating_scale": {"best": grading.BEST_RATING, "worst": grading.WORST_RATING},
    }
