"""``GET /api/v1/citations``: the studies of a scope as a BibTeX, RIS or CSL-JSON file, or as APA
or Vancouver references (plain text or HTML).

Scope: ``study=KEY`` and ``claim=ID`` (both repeatable), ``q`` with the filters of
``/api/v1/claims`` (``topic``, ``verdict``, ``grade``): the studies behind the claims found; none
of them: the whole knowledge base. The formatting lives in ``app.citations``; this module parses
the request, resolves the scope and counts formatted references (a worker thread), renders the
file in the pool for expensive work (``app.workpool``: a process of its own), caches it per build
and sets the headers.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from app import citations
from app.citations_scope import NO_STUDY_REASON, load_studies, resolve_keys
from app.http import (
    ApiError,
    ClaimFiltersDep,
    SchemaBool,
    StoreDep,
    cached_response,
    check_response_size,
    make_etag,
)
from app.schemas import COMMON_ERRORS, error_responses
from app.store import Store, plausible_key
from app.vocab import ExportFormat
from app.workpool import Budget, get_pool

router = APIRouter(prefix="/api/v1", tags=["citations"])

#: A CSL processor formats a reference in about 6 ms: one request formats at most this many, so it
#: stays well under a second (the data formats, fast, have no limit; the command line has none).
MAX_FORMATTED = 100
MAX_KEYS = 500
#: Studies rendered to estimate an export's size before rendering all of them (README "Limits").
SIZE_SAMPLE = 100  # list_studies gives at most 100 keys at once
TOO_LARGE_ADVICE = (
    "narrow the scope (study, claim, q, topic, verdict, grade), or take the whole knowledge base "
    "from /api/v1/downloads (written once per build)"
)


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
        **error_responses(*COMMON_ERRORS, 404),
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
        bool, Query(description="BibTeX: keep the appraisal fields (design, samplesize, ...)"), SchemaBool
    ] = False,
) -> Response:
    if len(study) + len(claim) > MAX_KEYS:
        raise ApiError(422, "too-many-keys", f"At most {MAX_KEYS} study and claim ids per request.")
    for kind, keys in (("study", study), ("claim", claim)):
        impossible = [k for k in keys if not plausible_key(k)]  # a NUL byte would be a 500 on PostgreSQL
        if impossible:
            raise ApiError(404, f"{kind}-not-found", str(citations.UnknownKeys(kind, impossible)))
    spec = citations.FORMATS[format]
    scope = citations.Scope(
        studies=list(dict.fromkeys(study)),
        claims=list(dict.fromkeys(claim)),
        query=citations.search_scope_query(filters.q, filters.topic, filters.verdict, filters.grade),
    )
    if spec.style and scope.everything:  # counted before any work: the build knows the total
        _check_count(await run_in_threadpool(lambda: store.overview()["studies"]), spec)
    bibtex_appraisal = appraisal and format == ExportFormat.BIBTEX
    cap = request.app.state.settings.max_response_bytes
    fmt = str(format)
    generation, resolved, digest, found = await run_in_threadpool(
        _resolve, store, scope, fmt, bibtex_appraisal
    )
    if found is None:  # rendered in the pool (a process of its own), kept by this worker
        found = await get_pool(request).run(
            request, render_file, generation, resolved, fmt, bibtex_appraisal, cap
        )
        store.remember(generation, "citations", digest, found)
    if isinstance(found, int):  # only the size of a file over the cap is kept
        check_response_size(found, cap, TOO_LARGE_ADVICE)
    assert isinstance(found, bytes)
    body = found
    # Data files download; formatted references open in the browser (to be copied).
    disposition = "inline" if spec.style else "attachment"
    filename = f"{scope.filename_stem()}.{spec.extension}"
    media_type = spec.media_type if "json" in spec.media_type else f"{spec.media_type}; charset=utf-8"
    return cached_response(
        request,
        body,
        etag=make_etag(generation, "cite", digest),
        media_type=media_type,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


def _check_count(count: int, spec: citations.Format) -> None:
    if spec.style and count > MAX_FORMATTED:
        raise ApiError(
            422,
            "too-many-references",
            f"{count} studies are too many to format as {spec.label} in one request "
            f"(at most {MAX_FORMATTED}); export them as bibtex, ris or csl-json, or narrow the scope.",
        )


def _resolve(
    store: Store, scope: citations.Scope, fmt: str, appraisal: bool
) -> tuple[str | None, list[str] | None, str, bytes | int | None]:
    """(build generation, the scope's study keys (None: everything), the file's digest, the file
    or its size when already rendered on this build), in a worker thread. Formatted references
    are counted here, before any work (422 ``too-many-references``). The cache is keyed on the
    studies the scope resolved to (two searches finding the same studies share one entry), never
    on the raw parameters."""
    generation = store.generation()
    try:
        keys = resolve_keys(store, scope)
    except citations.UnknownKeys as exc:
        raise ApiError(404, f"{exc.kind}-not-found", str(exc)) from exc
    if keys == []:  # an empty file would look like a failed download to a reference manager
        raise ApiError(404, "no-studies", f"No study matches this request: {NO_STUDY_REASON}.")
    _check_count(len(keys) if keys is not None else 0, citations.FORMATS[fmt])
    listed = "\x00everything" if keys is None else "\n".join(keys)
    digest = hashlib.blake2b(f"{fmt}\x00{appraisal}\x00{listed}".encode(), digest_size=12).hexdigest()
    return generation, keys, digest, store.peek("citations", digest)


def render_file(
    store: Store,
    budget: Budget,
    generation: str | None,
    keys: list[str] | None,
    fmt: str,
    appraisal: bool,
    cap: int,
) -> bytes | int:
    """A pool job (in the expensive-work process): the file of the studies ``keys`` (None:
    every study) of build ``generation`` in format ``fmt``, or its size in bytes when it passes
    ``cap`` (the worker answers 422 ``response-too-large`` and keeps the size).

    A scope of more than ``SIZE_SAMPLE`` studies is estimated first from that many of them, so an
    export far over the cap is refused after rendering a sample, not everything. Raises 404 for
    keys the build does not have, ``BuildChanged`` when this process reads another build."""
    store.expect_generation(generation)
    count = len(keys) if keys is not None else store.overview()["studies"]
    try:
        if count > SIZE_SAMPLE:
            sample = keys[:SIZE_SAMPLE] if keys is not None else _first_keys(store, SIZE_SAMPLE)
            rows = load_studies(store, sample)
            text = citations.export(rows, fmt, appraisal=appraisal, year_letters=store.year_letters(rows))
            estimate = len(text.encode()) * count // len(sample)
            if estimate > cap:
                return estimate
        budget.check()
        studies = load_studies(store, keys)
    except citations.UnknownKeys as exc:
        raise ApiError(404, f"{exc.kind}-not-found", str(exc)) from exc
    budget.check()
    body = citations.export(
        studies, fmt, appraisal=appraisal, year_letters=store.year_letters(studies)
    ).encode()
    return len(body) if len(body) > cap else body


def _first_keys(store: Store, count: int) -> list[str]:
    """The keys of the first ``count`` studies in bibliography order (a sample of everything)."""
    return [item["key"] for item in store.list_studies(limit=count)["items"]]


def register(app: FastAPI) -> None:
    app.include_router(router)
