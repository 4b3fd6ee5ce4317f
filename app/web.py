"""The website: server-rendered HTML pages over the same ``Store`` as the JSON API.

Every page works without JavaScript (``static/site.js`` only adds copy buttons). Pages whose
content depends only on the build (home, claim, study, methodology) are rendered once per build
and served from the store's cache as bytes, like the API's documents (``http.cached_document``);
search, the study list and the fact-check render per request in the threadpool.

The templates, their environment and the filters that format data for readers are in
``app/render.py`` (autoescaping on for everything: data and user input can never inject markup).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as SentFile

from app import api, charts, citations, factcheck, grading, search, sof, vocab
from app.bibtex import OTHERS, Person
from app.claimreview import claim_review, json_ld_script_body
from app.http import (
    ClaimFiltersDep,
    QueryText,
    SortParam,
    StoreDep,
    cached_document,
    get_settings,
    get_store,
    query_text,
)
from app.render import STATIC_DIR, render, sample_text
from app.settings import Settings
from app.store import ClaimQuery, Store
from app.workpool import Budget, get_pool

log = logging.getLogger("evidence_kb")

CLAIMS_PER_PAGE = 10
STUDIES_PER_PAGE = 25
KEY_CAVEATS = 3  # caveats shown up front on a claim page; the rest follow the evidence table

router = APIRouter(include_in_schema=False)


def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("canonical_path", request.url.path)
    return HTMLResponse(render(name, get_settings(request), **context), status_code=status)


async def cached_page(
    request: Request,
    kind: str,
    key: str,
    template: str,
    load: Callable[[], dict[str, Any] | None],
    what: str = "page",
) -> Response:
    """A page that depends only on the build: rendered once per build, then served as bytes."""
    settings = get_settings(request)

    path = request.url.path

    def render_bytes(context: dict[str, Any]) -> bytes:
        return render(template, settings, **{"canonical_path": path, **context}).encode()

    return await cached_document(request, kind, key, load, what, render=render_bytes, media_type="text/html")


#: The "Cite" menu: data formats for reference managers, then the formatted styles (plain text;
#: the HTML variants are for embedding elsewhere, not for a menu).
CITE_FORMATS = [name for name, spec in citations.FORMATS.items() if not spec.html]


def cite_links(selector: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(label, URL) of each export format of ``/api/v1/citations`` for a scope given as query
    parameters: ``[("claim", id)]``, ``[("study", key)]`` or a search's ``q`` and filters."""
    return [
        (citations.FORMATS[name].label, "/api/v1/citations?" + urlencode([("format", name), *selector]))
        for name in CITE_FORMATS
    ]


# --- search state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchState:
    """Everything that defines a list page (claims search or studies); ``url`` writes it back
    into a link, so that every state of a result page can be shared."""

    q: str = ""
    topic: tuple[str, ...] = ()
    verdict: tuple[str, ...] = ()
    grade: tuple[str, ...] = ()
    design: tuple[str, ...] = ()  # the studies list's filter
    sort: str = ""
    page: int = 1
    path: str = "/claims"

    FACETS = ("topic", "verdict", "grade", "design")

    def params(self) -> list[tuple[str, str]]:
        params = [("q", self.q)] if self.q else []
        for facet in self.FACETS:
            params += [(facet, value) for value in getattr(self, facet)]
        if self.sort:
            params.append(("sort", self.sort))
        if self.page > 1:
            params.append(("page", str(self.page)))
        return params

    def url(self, **changes: Any) -> str:
        state = replace(self, **changes)
        query = urlencode(state.params())
        return f"{state.path}?{query}" if query else state.path

    def toggle(self, facet: str, value: str) -> str:
        """The URL with one facet value switched on or off (and back to the first page)."""
        current: tuple[str, ...] = getattr(self, facet)
        chosen = tuple(v for v in current if v != value) if value in current else (*current, value)
        return self.url(**{facet: chosen, "page": 1})

    @property
    def has_filters(self) -> bool:
        return any(getattr(self, f) for f in self.FACETS)

    def query(self, limit: int, **changes: Any) -> ClaimQuery:
        state = replace(self, **changes)
        return ClaimQuery(
            q=state.q, topic=list(state.topic), verdict=list(state.verdict), grade=list(state.grade),
            sort=state.sort, limit=limit, offset=(state.page - 1) * limit,
        )  # fmt: skip


@dataclass
class Pager:
    page: int
    pages: int
    numbers: list[int | None] = field(default_factory=list)  # None: an ellipsis

    @classmethod
    def of(cls, page: int, total: int, per_page: int) -> Pager:
        pages = max(1, -(-total // per_page))
        wanted = {1, pages, page - 1, page, page + 1}
        numbers: list[int | None] = []
        for n in sorted(n for n in wanted if 1 <= n <= pages):
            if numbers and n - (numbers[-1] or 0) > 1:
                numbers.append(None)
            numbers.append(n)
        return cls(page, pages, numbers)

    @property
    def previous(self) -> int:
        """The page "Previous" links to: the one before, or the last page when ``page`` is past
        the end (``/claims?page=99`` of 3 pages links to page 3, not 98)."""
        return min(self.page - 1, self.pages)


# --- pages -------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> Response:
    store = get_store(request)

    def load() -> dict[str, Any]:
        return {
            "nav": "home",
            "overview": store.overview(),
            "asked": store.search_claims(ClaimQuery(sort="appearances", limit=6), facets=False)["items"],
            "recent": store.search_claims(ClaimQuery(sort="reviewed", limit=5), facets=False)["items"],
            "state": SearchState(),
        }

    return await cached_page(request, "page-home", "", "home.html", load)


@router.get("/claims", response_class=HTMLResponse)
def claims_search(
    request: Request,
    store: StoreDep,
    filters: ClaimFiltersDep,
    sort: SortParam = None,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    state = SearchState(
        q=filters.q.strip(),
        topic=tuple(filters.topic),
        verdict=tuple(filters.verdict),
        grade=tuple(filters.grade),
        sort=sort or "",
        page=page_number,
    )
    result = store.search_claims(state.query(CLAIMS_PER_PAGE), suggest=True)
    context: dict[str, Any] = {
        "nav": "claims",
        "state": state,
        "result": result,
        "pager": Pager.of(state.page, result["total"], CLAIMS_PER_PAGE),
        "first": result["offset"] + 1,
        "last": result["offset"] + len(result["items"]),
        "suggestions": suggestions(store, state) if result["total"] == 0 else None,
        "cite_links": cite_links([(k, v) for k, v in state.params() if k != "page" and k != "sort"]),
    }
    return page(request, "claims.html", **context)


def suggestions(store: Store, state: SearchState) -> dict[str, Any]:
    """What to try after an empty result: drop the filters, single words that do match, topics."""
    found: dict[str, Any] = {"without_filters": None, "words": [], "topics": store.overview()["topics"][:8]}
    if state.has_filters:
        total = store.search_claims(ClaimQuery(q=state.q, limit=1), facets=False)["total"]
        if total:
            found["without_filters"] = {"url": SearchState(q=state.q).url(), "total": total}
    words = search.query_terms(state.q)
    if len(words) > 1:
        for word in dict.fromkeys(words[:6]):
            total = store.search_claims(ClaimQuery(q=word, limit=1), facets=False)["total"]
            if total:
                found["words"].append({"word": word, "total": total, "url": SearchState(q=word).url()})
    return found


@router.get("/claims/{claim_id}", response_class=HTMLResponse)
async def claim_page(request: Request, claim_id: str) -> Response:
    store = get_store(request)
    settings = get_settings(request)

    def load() -> dict[str, Any] | None:
        claim = store.claim(claim_id)
        return None if claim is None else claim_context(claim, settings)

    return await cached_page(request, "page-claim", claim_id, "claim.html", load, what="claim")


def claim_context(claim: dict[str, Any], settings: Settings) -> dict[str, Any]:
    studies = {link["study"]["key"]: link["study"] for link in claim["evidence"]}
    review = claim_review(claim, base_url=settings.base_url, publisher=settings.publisher_name)
    return {
        "nav": "claims",
        "claim": claim,
        "studies": studies,
        "key_caveats": claim["caveats"][:KEY_CAVEATS],
        "more_caveats": claim["caveats"][KEY_CAVEATS:],
        "history": sorted(claim["history"], key=lambda h: str(h.get("date", "")), reverse=True),
        "chart": charts.evidence_chart(claim["evidence"], kind=claim.get("kind", "effect")),
        "chart_summary": charts.summary_sentence(
            charts.marks(claim["evidence"], claim.get("kind", "effect"))
        ),
        "chart_text": charts.chart_text(claim["evidence"], claim.get("kind", "effect")),
        "json_ld": json_ld_script_body(review),
        "og": {
            "title": f"{claim['verdict_label']}: {claim['statement']}",
            "description": claim["calibrated"],
            "path": claim["url"],
        },
        "cite_links": cite_links([("claim", claim["id"])]),
        "forests": forest_context(claim),
        "outcome_names": {o["id"]: o["name"] for o in claim.get("outcomes", [])},
    }


def forest_context(claim: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per outcome id: its forest plots ({svg, rows, label}), one per group of estimates that
    share a measure (``sof.forest_groups``)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for outcome in claim.get("outcomes", []):
        for n, group in enumerate(sof.forest_groups(claim["evidence"], outcome["links"])):
            plot_id = f"forest-{outcome['id']}-{n}"
            found.setdefault(outcome["id"], []).append({
                "id": plot_id,
                "svg": charts.forest_plot(group, outcome, plot_id=plot_id),
                "rows": charts.forest_rows(group),
                "measure": grading.MEASURE_LABELS[group[0]["estimate"]["measure"]],
            })  # fmt: skip
    return found


@router.get("/studies", response_class=HTMLResponse)
def studies_list(
    request: Request,
    q: QueryText = "",
    design: Annotated[list[vocab.Design], Query()] = [],  # noqa: B006
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    store = get_store(request)
    state = SearchState(q=query_text(q), design=tuple(design), page=page_number, path="/studies")
    offset = (page_number - 1) * STUDIES_PER_PAGE
    result = store.list_studies(q=state.q, design=list(design), limit=STUDIES_PER_PAGE, offset=offset)
    return page(
        request,
        "studies.html",
        nav="studies",
        state=state,
        result=result,
        pager=Pager.of(page_number, result["total"], STUDIES_PER_PAGE),
        first=result["offset"] + 1,
        last=result["offset"] + len(result["items"]),
    )


@router.get("/studies/{key}", response_class=HTMLResponse)
async def study_page(request: Request, key: str) -> Response:
    store = get_store(request)

    def load() -> dict[str, Any] | None:
        study = store.study(key)
        return None if study is None else study_context(store, study)

    return await cached_page(request, "page-study", key, "study.html", load, what="study")


def study_context(store: Store, study: dict[str, Any]) -> dict[str, Any]:
    # The APA reference costs a CSL run (milliseconds); the page is rendered once per build.
    # ``formatted_references`` escapes the data before it adds its own <i> tags.
    rows = store.studies_raw([study["key"]])
    references = citations.formatted_references(rows, "apa", html=True, year_letters=store.year_letters(rows))
    return {
        "nav": "studies",
        "study": study,
        "meta_tags": highwire_meta(study),
        "og": {"title": study["title"], "description": study_preview(study), "path": study["page"]},
        "reference": Markup(references[0]) if references else None,
        "cite_links": cite_links([("study", study["key"])]),
    }


def study_preview(study: dict[str, Any]) -> str:
    """One line for link previews: 'Randomised controlled trial, 13 participants, 2005: Young
    women ... Bears on 2 claims.'"""
    parts = [study.get("design_label") or "Study", sample_text(study)]
    if study.get("year"):
        parts.append(str(study["year"]))
    text = ", ".join(parts)
    if study.get("population"):
        text += f": {study['population']}"
    claims = len(study.get("claims") or [])
    if claims:
        text += f". Bears on {claims} {'claim' if claims == 1 else 'claims'}."
    return text


def highwire_meta(study: dict[str, Any]) -> list[tuple[str, str]]:
    """Highwire Press ``citation_*`` tags, read by Zotero and Google Scholar to save a reference."""
    tags: list[tuple[str, str]] = [("citation_title", study["title"])]
    people = [Person.from_dict(a) for a in study.get("author_names") or []]
    names = [p.highwire_name() for p in people if p != OTHERS] if people else study["authors"]
    tags += [("citation_author", name) for name in names]
    if study.get("year"):
        tags.append(("citation_publication_date", str(study["year"])))
    container = study.get("journal")
    if container:
        kind = study.get("entry_type", "")
        name = {
            "mastersthesis": "citation_dissertation_institution", "phdthesis": "citation_dissertation_institution",
            "thesis": "citation_dissertation_institution", "inproceedings": "citation_conference_title",
            "article": "citation_journal_title",
        }.get(kind, "citation_publisher")  # fmt: skip
        tags.append((name, container))
    if study.get("volume"):
        tags.append(("citation_volume", study["volume"]))
    if study.get("number"):
        tags.append(("citation_issue", study["number"]))
    if study.get("pages"):
        first, _, last = study["pages"].replace("--", "–").replace("-", "–").partition("–")
        tags.append(("citation_firstpage", first.strip()))
        if last.strip():
            tags.append(("citation_lastpage", last.strip()))
    if study.get("doi"):
        tags.append(("citation_doi", study["doi"]))
    if study.get("pmid"):
        tags.append(("citation_pmid", study["pmid"]))
    if study.get("url"):
        tags.append(("citation_public_url", study["url"]))
    return [(name, value) for name, value in tags if value]


@router.get("/methodology", response_class=HTMLResponse)
async def methodology(request: Request) -> Response:
    def load() -> dict[str, Any]:
        return methodology_context()

    return await cached_page(request, "page-methodology", "", "methodology.html", load)


def methodology_context() -> dict[str, Any]:
    """The methodology page's content, all of it taken from the grading code's own constants."""
    doc = api.methodology_doc()
    starts: dict[str, list[str]] = {}
    for item in doc["designs"]:
        starts.setdefault(item["starts_at"], []).append(item["label"])
    question = grading.Question(
        "people with knee osteoarthritis", "backward walking added to physiotherapy", "physiotherapy alone",
        "reduce knee pain", timeframe="in the short term",
    )  # fmt: skip
    wording = [
        {
            "level": lvl["level"],
            "label": lvl["label"],
            "sentence": grading.outcome_answer(question, grading.Grade(lvl["level"], ())),
        }
        for lvl in doc["levels"]
    ]
    return {
        "nav": "methodology",
        "doc": doc,
        "starts": [(level, starts[level]) for level in reversed(grading.LEVELS) if level in starts],
        "wording": wording,
        "sources": {s["id"]: s for s in doc["sources"]},
    }


#: Characters of post a shareable link (``GET /factcheck?text=...``) may carry: a post or a
#: paragraph; longer text goes through the form (POST). Percent-encoded, 2,000 characters stay well
#: under the query-string limit (``Settings.max_query_bytes``) even in non-Latin scripts.
MAX_LINK_TEXT = 2_000


@router.get("/factcheck", response_class=HTMLResponse)
async def factcheck_form(
    request: Request,
    text: Annotated[str | None, Query()] = None,
    context: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    """The form; with ``?text=...`` (and ``&context=...``) the check of that text, so that a
    result can be shared as a link (no JavaScript). The text is bounded (``MAX_LINK_TEXT``), never
    stored or logged."""
    if text is None:
        return page(request, "factcheck.html", **factcheck_context("", None, None))
    return await factcheck_page(request, text, MAX_LINK_TEXT, "a link carries", context)


@router.post("/factcheck", response_class=HTMLResponse)
async def factcheck_submit(
    request: Request,
    text: Annotated[str | UploadFile, Form()] = "",
    context: Annotated[str | UploadFile, Form()] = "",
) -> HTMLResponse:
    """A plain HTML form POST (no JavaScript). Nothing submitted is stored or logged. A file sent
    in place of a field (``multipart/form-data``) re-shows the form with a sentence saying so."""
    # starlette's class: what the form parser gives (fastapi.UploadFile is a subclass of it)
    if isinstance(text, SentFile) or isinstance(context, SentFile):
        field = "post" if isinstance(text, SentFile) else "page title"
        return page(
            request,
            "factcheck.html",
            status=422,
            **factcheck_context(
                "" if isinstance(text, SentFile) else text,
                None,
                f"The {field} came as a file; paste its text into the box instead.",
                None if isinstance(context, SentFile) else context,
            ),
        )
    return await factcheck_page(request, text, factcheck.MAX_TEXT, "paste", context)


async def factcheck_page(
    request: Request, text: str, max_chars: int, how: str, context: str | None = None
) -> HTMLResponse:
    """The page with the check of ``text`` (at most ``max_chars``; ``how`` the text came, for the
    message when it is too long) in ``context`` (the page's title or heading, optional). The
    check runs in the bounded pool for expensive work (``app.workpool``: a process of its own),
    like the API's."""
    context = (context or "").strip() or None
    if factcheck.is_blank(text):
        return page(
            request,
            "factcheck.html",
            status=400,
            **factcheck_context(text, None, "Paste the text of a post to check.", context),
        )
    if context is not None and len(context) > factcheck.MAX_CONTEXT:  # kept: the reader shortens it
        error = (
            f"The page title is {len(context):,} characters long; at most {factcheck.MAX_CONTEXT:,}. "
            "Shorten it (the title or heading is enough) or leave it out."
        )
        return page(request, "factcheck.html", status=422, **factcheck_context(text, None, error, context))
    if len(text) > max_chars:
        error = f"That text is {len(text):,} characters long; {how} at most {max_chars:,}."
        if max_chars < factcheck.MAX_TEXT:
            error += f" Paste it in the form instead (up to {factcheck.MAX_TEXT:,})."
        return page(
            request,
            "factcheck.html",
            status=422,
            **factcheck_context(text[:max_chars], None, error, context),
        )
    generation = await run_in_threadpool(get_store(request).generation)
    result = await get_pool(request).run(request, check_form, generation, text, context)
    return page(request, "factcheck.html", **factcheck_context(text, result, None, context))


def check_form(
    store: Store, _budget: Budget, generation: str | None, text: str, context: str | None = None
) -> dict[str, Any]:
    """A pool job: the form's fact-check, on build ``generation``'s index, with the claims its
    matches are ambiguous with (``ambiguous_claims``: named and linked on the page)."""
    index = factcheck.index_at(store, generation)
    result = factcheck.factcheck(store, text, index=index, context=context)
    return {**result, "ambiguous_claims": factcheck.ambiguous_claims(index, result)}


def factcheck_context(
    text: str, result: dict[str, Any] | None, error: str | None, context: str | None = None
) -> dict[str, Any]:
    """``share_url``: the link to this check (``GET /factcheck?text=...``, with ``&context=...``
    when one was given) when the text fits one. The form sets no ``maxlength``: a browser cuts a
    longer paste without a word, so the server's message about the length is what the reader sees."""
    shareable = result is not None and len(text) <= MAX_LINK_TEXT
    query = {"text": text} | ({"context": context} if context else {})
    return {
        "nav": "factcheck",
        "text": text,
        "context": context,
        "result": result,
        "error": error,
        "max_text": factcheck.MAX_TEXT,
        "max_context": factcheck.MAX_CONTEXT,
        "max_link_text": MAX_LINK_TEXT,
        "share_url": "/factcheck?" + urlencode(query) if shareable else None,
    }


# --- errors ------------------------------------------------------------------------------------

ERROR_TITLES = {
    400: "That request is not valid",
    401: "Unknown API key",
    404: "Page not found",
    405: "Not allowed",
    408: "That took too long",
    413: "Too large",
    414: "That address is too long",
    415: "That kind of content is not accepted",
    422: "That request is not valid",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}
FALLBACK_ERROR = b"<!doctype html><html lang='en'><title>Error</title><h1>Something went wrong</h1><p><a href='/'>Home</a></p></html>"


def render_error(request: Request, status: int, message: str) -> HTMLResponse:
    """The HTML error page ``main.py`` shows for non-API paths. Never includes exception details:
    ``message`` is the handler's own text (a 404's path, a validation message, a fixed 500 text)."""
    title = ERROR_TITLES.get(status, "Error")
    headers = {"Retry-After": "5"} if status == 503 else None
    try:
        body = render(
            "error.html",
            get_settings(request),
            nav="",
            status=status,
            title=title,
            message=message,
            state=SearchState(),
            canonical_path=request.url.path,
        )
    except Exception:  # the error page itself must not fail: fall back to a fixed page
        log.exception("could not render the error page")
        return HTMLResponse(FALLBACK_ERROR, status_code=status, headers=headers)
    return HTMLResponse(body, status_code=status, headers=headers)


def register(app: FastAPI) -> None:
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.render_error = render_error
