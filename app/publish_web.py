"""Routes for publishing: the about page, downloads, feeds, sitemap, robots.txt, health checks and
the API documentation served from the installed Swagger UI files (no CDN, the site's own CSP).

Thin: the documents come from ``opendata`` and ``feeds``; everything that depends only on the
build is produced once per build (``Store.cached`` / ``opendata.downloads``).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from app import feeds, opendata, web
from app.factcheck import indexfile
from app.http import NotFound, cached_document, etag_matches, get_settings, get_store
from app.schemas import COMMON_ERRORS, DownloadList, error_responses

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", tags=["open data"], responses=error_responses(*COMMON_ERRORS))

#: Swagger UI's distribution files, as shipped by the fastapi-offline package.
SWAGGER_DIR = Path(str(importlib.resources.files("fastapi_offline") / "static"))
DOCS_ASSETS = "/docs-assets"


async def _built_at(request: Request) -> str | None:
    store = get_store(request)
    overview = await run_in_threadpool(store.overview)
    return overview.get("built_at")


async def _per_build(
    request: Request, kind: str, media_type: str, produce: Callable[[str | None], bytes]
) -> Response:
    """A document produced once per build from the build date (feeds, sitemap)."""
    built_at = await _built_at(request)
    return await cached_document(
        request, kind, "", lambda: produce(built_at), kind, render=lambda body: body, media_type=media_type
    )


# --- pages ----------------------------------------------------------------------------------------


@router.get("/about", response_class=HTMLResponse)
async def about(request: Request) -> HTMLResponse:
    settings = get_settings(request)
    contact = settings.contact.strip()
    contact_href = (
        contact if contact.startswith(("http://", "https://")) else f"mailto:{contact}" if contact else ""
    )
    return web.page(
        request, "about.html", nav="about", contact=contact, contact_href=contact_href,
        funding=settings.funding.strip(), licence=settings.data_licence,
        licence_url=settings.data_licence_url,
    )  # fmt: skip


@router.get("/downloads", response_class=HTMLResponse)
async def downloads_page(request: Request) -> HTMLResponse:
    found = await _downloads(request)
    return web.page(request, "downloads.html", nav="downloads", downloads=found)


async def _downloads(request: Request) -> opendata.Downloads:
    store = get_store(request)
    settings = get_settings(request)
    return await run_in_threadpool(opendata.downloads, store, settings)


@router.get("/downloads/{name}")
async def download_file(request: Request, name: str) -> Response:
    found = await _downloads(request)
    item = found.get(name)
    if item is None:
        raise NotFound("download", name)
    headers = {
        "ETag": item.etag,
        "Cache-Control": "no-cache",
        "Link": f'<{found.licence_url}>; rel="license"',
        "X-Build-Date": found.built_at,
    }
    if etag_matches(request.headers.get("if-none-match", ""), item.etag):
        return Response(status_code=304, headers=headers)
    return FileResponse(
        found.directory / item.name,
        media_type=item.media_type,
        headers=headers,
        filename=item.name,
        content_disposition_type="attachment" if item.name.endswith(".sqlite") else "inline",
    )


@api_router.get(
    "/downloads",
    summary="The open-data files of the current build, with licence and date",
    response_model=DownloadList,
)
async def downloads_api(request: Request) -> dict[str, Any]:
    found = await _downloads(request)
    return found.as_json()


# --- feeds and discovery ----------------------------------------------------------------------


@router.get(feeds.ATOM_PATH)
async def atom(request: Request) -> Response:
    store, settings = get_store(request), get_settings(request)
    return await _per_build(
        request, "feed-atom", "application/atom+xml", lambda b: feeds.atom_feed(store, settings, b)
    )


@router.get(feeds.CLAIMREVIEW_PATH)
async def claimreview(request: Request) -> Response:
    store, settings = get_store(request), get_settings(request)
    return await _per_build(
        request,
        "feed-claimreview",
        "application/ld+json",
        lambda b: feeds.claimreview_feed(store, settings, b),
    )


@router.get("/sitemap.xml")
async def sitemap(request: Request) -> Response:
    store, settings = get_store(request), get_settings(request)
    return await _per_build(
        request, "sitemap", "application/xml", lambda b: feeds.sitemap(store, settings, b)
    )


@router.get("/robots.txt")
async def robots(request: Request) -> Response:
    return Response(feeds.robots_txt(get_settings(request)), media_type="text/plain")


# --- health checks ----------------------------------------------------------------------------


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers. Never touches the database."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz(request: Request) -> Response:
    """Readiness: the database answers with a build, the fact-check index is built and its models
    are loaded where fact-checks run."""
    store = get_store(request)
    checks: dict[str, str] = {}
    try:
        with store.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok" if store.generation() is not None else "no build yet"
    except Exception as exc:  # any failure means not ready; the reason is for the operator
        checks["database"] = f"unavailable: {exc.__class__.__name__}"
    if checks["database"] == "ok":
        ready = store.has_pinned("factcheck-index") or indexfile.has_file(
            store.db.settings, store.generation()
        )
        checks["factcheck_index"] = "ok" if ready else "building"
        # the models loaded where fact-checks run (``WorkPool.warm_up``)
        checks["factcheck_models"] = "ok" if request.app.state.workpool.warmed.is_set() else "loading"
    ready = all(value == "ok" for value in checks.values()) and len(checks) == 3
    return JSONResponse(
        {"status": "ready" if ready else "not-ready", "checks": checks},
        status_code=200 if ready else 503,
        headers={"Cache-Control": "no-store"},
    )


# --- API documentation ------------------------------------------------------------------------


@router.get("/docs", response_class=HTMLResponse)
async def docs(request: Request) -> HTMLResponse:
    """Swagger UI from the installed files; its start-up script is a static file (no inline JS)."""
    return web.page(request, "docs.html", nav="", assets=DOCS_ASSETS)


def register(app: FastAPI) -> None:
    app.include_router(router)
    app.include_router(api_router)
    app.mount(DOCS_ASSETS, StaticFiles(directory=SWAGGER_DIR), name="docs-assets")
