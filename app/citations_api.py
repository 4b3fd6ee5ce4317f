"""``GET /api/v1/citations``: the studies of a scope as a BibTeX, RIS or CSL-JSON file, or as APA
or Vancouver references (plain text or HTML).

Scope: ``study=KEY`` and ``claim=ID`` (both repeatable), ``q`` with the filters of
``/api/v1/claims`` (``topic``, ``verdict``, ``grade``): the studies behind the claims found; none
of them: the whole knowledge base. The formatting lives in ``app.citations``; this module parses
the request, caches the file per build and sets the headers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response

from app import citations
from app.http import ApiError, ClaimFiltersDep, StoreDep, cached_document
from app.vocab import ExportFormat

router = APIRouter(prefix="/api/v1", tags=["citations"])

#: A CSL processor formats a reference in several milliseconds: one request formats at most this
#: many (the data formats, fast, have no limit; the command line has none either).
MAX_FORMATTED = 500
MAX_KEYS = 500


def _formats_table() -> str:
    return "\n".join(f"- `{f.name}`: {f.label} (`{f.media_type}`)" for f in citations.FORMATS.values())


@router.get(
    "/citations",
    summary="Export citations: BibTeX, RIS, CSL-JSON, APA or Vancouver",
    description="The studies named (`study`), behind claims (`claim`), behind the claims a search "
    "finds (`q`, `topic`, `verdict`, `grade`, as in `/api/v1/claims`), or, with none of them, "
    "the whole knowledge base. Formats:\n\n" + _formats_table(),
    response_class=Response,
    responses={
        200: {"description": "The file", "content": {f.media_type: {} for f in citations.FORMATS.values()}},
        404: {"description": "An unknown study or claim"},
        422: {"description": "An unknown format, or too many references to format"},
    },
)
async def get_citations(
    request: Request,
    store: StoreDep,
    format: Annotated[ExportFormat, Query(description="Output format")],
    filters: ClaimFiltersDep,
    study: Annotated[list[str], Query(description="A study's BibTeX key; repeat for several")] = [],  # noqa: B006
    claim: Annotated[list[str], Query(description="A claim id (its studies); repeat for several")] = [],  # noqa: B006
    appraisal: Annotated[
        bool, Query(description="BibTeX: keep the appraisal fields (design, samplesize, ...)")
    ] = False,
) -> Response:
    if len(study) + len(claim) > MAX_KEYS:
        raise ApiError(422, "too-many-keys", f"At most {MAX_KEYS} study and claim ids per request.")
    spec = citations.FORMATS[format]
    scope = citations.Scope(
        studies=list(dict.fromkeys(study)),
        claims=list(dict.fromkeys(claim)),
        query=citations.search_scope_query(filters.q, filters.topic, filters.verdict, filters.grade),
    )
    key = (str(format), appraisal and format == ExportFormat.BIBTEX, scope.cache_key())

    def render() -> bytes:
        try:
            studies = citations.select_studies(store, scope)
        except citations.UnknownKeys as exc:
            raise ApiError(404, f"{exc.kind}-not-found", str(exc)) from exc
        if spec.style and len(studies) > MAX_FORMATTED:
            raise ApiError(
                422,
                "too-many-references",
                f"{len(studies)} studies are too many to format as {spec.label} in one request "
                f"(at most {MAX_FORMATTED}); export them as bibtex, ris or csl-json, or narrow the scope.",
            )
        return citations.export(studies, format, appraisal=appraisal).encode()

    # Data files download; formatted references open in the browser (to be copied).
    disposition = "inline" if spec.style else "attachment"
    filename = f"{scope.filename_stem()}.{spec.extension}"
    media_type = spec.media_type if "json" in spec.media_type else f"{spec.media_type}; charset=utf-8"
    return await cached_document(
        request,
        "cite",
        key,
        render,
        "citation",
        render=lambda body: body,
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def register(app: FastAPI) -> None:
    app.include_router(router)
