"""``GET /api/v1/citations``: the studies of a scope as a BibTeX, RIS or CSL-JSON file, or as APA
or Vancouver references (plain text or HTML).

Scope: ``study=KEY`` and ``claim=ID`` (both repeatable), ``q`` with the filters of
``/api/v1/claims`` (``topic``, ``verdict``, ``grade``): the studies behind the claims found; none
of them: the whole knowledge base. The formatting lives in ``app.citations``; this module parses
the request, caches the file per build and sets the headers.
"""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app import citations
from app.api import GradeLevel, Verdict, get_store

router = APIRouter(prefix="/api/v1", tags=["citations"])

FormatName = Literal["bibtex", "ris", "csl-json", "apa", "apa-html", "vancouver", "vancouver-html"]
assert set(FormatName.__args__) == set(citations.FORMATS)  # type: ignore[attr-defined]

#: A CSL processor formats a reference in several milliseconds: one request formats at most this
#: many (the data formats, fast, have no limit; the command line has none either).
MAX_FORMATTED = 500
MAX_KEYS = 500

_MISSING = object()


class CitationError(HTTPException):
    """A 4xx with the project's error ``code`` (see ``main.py``'s handler)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(status, detail=message)
        self.code = code


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
    format: Annotated[FormatName, Query(description="Output format")],
    study: Annotated[list[str], Query(description="A study's BibTeX key; repeat for several")] = [],  # noqa: B006
    claim: Annotated[list[str], Query(description="A claim id (its studies); repeat for several")] = [],  # noqa: B006
    q: Annotated[
        str, Query(max_length=500, description="Full-text query: the studies behind the claims found")
    ] = "",
    topic: Annotated[list[str], Query(description="Search filter; repeatable")] = [],  # noqa: B006
    verdict: Annotated[list[Verdict], Query(description="Search filter; repeatable")] = [],  # noqa: B006
    grade: Annotated[list[GradeLevel], Query(description="Search filter; repeatable")] = [],  # noqa: B006
    appraisal: Annotated[
        bool, Query(description="BibTeX: keep the appraisal fields (design, samplesize, ...)")
    ] = False,
) -> Response:
    if len(study) + len(claim) > MAX_KEYS:
        raise CitationError(422, "too-many-keys", f"At most {MAX_KEYS} study and claim ids per request.")
    spec = citations.FORMATS[format]
    scope = citations.Scope(
        studies=list(dict.fromkeys(study)),
        claims=list(dict.fromkeys(claim)),
        query=citations.search_scope_query(q, topic, verdict, grade),
    )
    store = get_store(request)
    key = (format, appraisal and format == "bibtex", scope.cache_key())

    def render() -> bytes:
        try:
            studies = citations.select_studies(store, scope)
        except citations.UnknownKeys as exc:
            raise CitationError(404, f"{exc.kind}-not-found", str(exc)) from exc
        if spec.style and len(studies) > MAX_FORMATTED:
            raise CitationError(
                422,
                "too-many-references",
                f"{len(studies)} studies are too many to format as {spec.label} in one request "
                f"(at most {MAX_FORMATTED}); export them as bibtex, ris or csl-json, or narrow the scope.",
            )
        return citations.export(studies, format, appraisal=appraisal).encode()

    body = store.peek("citations", key, _MISSING)
    if body is _MISSING:
        body = await run_in_threadpool(store.cached, "citations", key, render)
    return _file_response(request, body, spec, scope, etag=_etag(store.current_generation, key))


def _etag(generation: str | None, key: object) -> str:
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).hexdigest()
    return f'"{generation}-cite-{digest}"'


def _file_response(
    request: Request, body: bytes, spec: citations.Format, scope: citations.Scope, etag: str
) -> Response:
    # Data files download; formatted references open in the browser (to be copied).
    disposition = "inline" if spec.style else "attachment"
    headers = {
        "Content-Disposition": f'{disposition}; filename="{scope.filename_stem()}.{spec.extension}"',
        "Cache-Control": "no-cache",
        "ETag": etag,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    media_type = spec.media_type
    if "json" not in media_type:
        media_type += "; charset=utf-8"
    return Response(body, media_type=media_type, headers=headers)


def register(app: FastAPI) -> None:
    app.include_router(router)
