"""The ASGI application: routers, error handling and security headers.

``create_app`` is the factory uvicorn runs (``evidence-kb serve`` builds the database first).
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.citations_citeproc import patch_citeproc
from app.db import Database
from app.guard import RequestGuard
from app.http import MAX_ERRORS, ApiError, error_json, expected_values, plain_problem, wants_html
from app.publish_http import EmptyMeansAbsent, HeadAsGet, add_cors, reject_unknown_query
from app.ratelimit import RateLimits
from app.settings import Settings, get_settings
from app.store import Store
from app.workpool import WorkPool

log = logging.getLogger("evidence_kb")

SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
     b"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    (b"cross-origin-opener-policy", b"same-origin"),
]  # fmt: skip


class SecurityHeaders:
    """Pure ASGI middleware (BaseHTTPMiddleware costs throughput): adds headers to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0] != b"content-security-policy"]
                message["headers"] = headers + SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_expected(request: Request, err: dict[str, Any]) -> dict[str, Any]:
    """A missing query parameter's error with the values it takes (``ctx["expected"]``) when its
    type is an Enum or Literal (``format`` of /api/v1/citations), found on the matched route."""
    loc = err.get("loc", ())
    route = request.scope.get("route")
    if err.get("type") != "missing" or len(loc) != 2 or loc[0] != "query" or not isinstance(route, APIRoute):
        return err
    dependants = [route.dependant]  # the route's parameters and its dependencies' (filters)
    while dependants:
        dependant = dependants.pop()
        for param in dependant.query_params:
            if param.alias == loc[1] and (expected := expected_values(param.field_info.annotation)):
                return {**err, "ctx": {**(err.get("ctx") or {}), "expected": expected}}
        dependants.extend(dependant.dependencies)
    return err


def _validation_details(request: Request, exc: RequestValidationError) -> list[dict[str, Any]]:
    details = []
    for err in exc.errors()[:MAX_ERRORS]:  # a body with 100,000 unknown fields: 20 listed
        err = with_expected(request, err)
        if err.get("type") == "json_invalid":
            details.append({"in": "body", "field": "", "message": _json_problem(err)})
            continue
        loc = [str(p) for p in err.get("loc", ())]
        where = ".".join(loc[1:]) if loc and loc[0] in ("body", "query", "path") else ".".join(loc)
        details.append({"in": loc[0] if loc else "", "field": where, "message": plain_problem(err)})
    return details


def _json_problem(err: dict[str, Any]) -> str:
    """What is wrong with a body that is not JSON we read: FastAPI's parser gives the reason in
    ``ctx``, pydantic's (the fact-check routes) in ``msg`` ("Invalid JSON: ..."). Valid JSON
    nested deeper than pydantic's parser goes (``recursion limit exceeded``) is said to be so,
    not called malformed."""
    reason = str((err.get("ctx") or {}).get("error") or err.get("msg", "")).removeprefix("Invalid JSON: ")
    if "recursion limit" in reason:
        return (
            f"JSON body nested too deeply ({reason}); no field of this request nests more than a few levels"
        )
    # the parser's reason keeps its position ("line 1 column 2"), the part a client can act on
    return f"The body is not valid JSON ({reason}).".replace(" ().", ".")


HTTP_CODES = {404: "not-found", 405: "method-not-allowed", 413: "too-large"}


def describe_error(request: Request, exc: Exception) -> ApiError:
    """Any exception a route lets out, as the API error it is reported as."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, RequestValidationError):
        details = _validation_details(request, exc)
        message = " ".join(d["message"] for d in details) or "The request is not valid."
        return ApiError(422, "invalid-request", message, details=details)
    if isinstance(exc, StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else "error"
        if exc.status_code == 404 and message == "Not Found":
            message = f"Nothing at {request.url.path}."
        allow = (getattr(exc, "headers", None) or {}).get("Allow")
        if exc.status_code == 405 and message == "Method Not Allowed" and allow:
            methods = " or ".join(m.strip() for m in allow.split(","))
            message = f"{request.url.path} does not take {request.method}; use {methods}."
        code = getattr(exc, "code", None) or HTTP_CODES.get(exc.status_code, "error")
        return ApiError(exc.status_code, code, message, headers=getattr(exc, "headers", None))
    if isinstance(exc, OperationalError | PoolTimeout):  # refused, restarting, paused, disk I/O
        request.app.state.db.outages.report(request.url.path, exc)  # one line, with a count
        request.app.state.db.invalidate()
        message = "The database is unavailable right now; try again in a moment."
        return ApiError(503, "database-unavailable", message, headers={"Retry-After": "5"})
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    return ApiError(500, "internal-error", "Something went wrong on our side. It has been logged.")


async def respond_to_error(request: Request, exc: Exception) -> Response:
    """The one error responder: JSON ``{"error": ...}`` for API paths and clients that ask for
    JSON, the friendly HTML page otherwise (a validation error shows there as a 400)."""
    error = describe_error(request, exc)
    status = error.status_code
    render_error = getattr(request.app.state, "render_error", None)
    if wants_html(request.url.path, request.headers.get("accept", "")) and render_error is not None:
        shown = error.page_message or error.detail
        return render_error(request, 400 if status == 422 else status, shown)  # type: ignore[no-any-return]
    body = error_json(status, error.code, error.detail, error.details)
    return Response(body, status_code=status, headers=error.headers, media_type="application/json")


class EvidenceKB(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outermost, so that even the 500 page of ServerErrorMiddleware carries the headers; the
        # guard (Host, body size, content type) runs before anything else reads the request; a
        # HEAD request is routed as GET and answered without its body; on pages an empty query
        # parameter is one not given.
        settings = self.state.settings
        return SecurityHeaders(
            RequestGuard(
                RateLimits(HeadAsGet(EmptyMeansAbsent(super().build_middleware_stack())), settings),
                settings,
                release=self.state.db.close_idle_connections,
            )
        )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    sys.setswitchinterval(settings.gil_switch_interval)  # per worker process (README "Limits")
    patch_citeproc()  # fails at start-up, not at the first citation, on an unsupported citeproc-py
    db = Database(settings)
    store = Store(db, cache_bytes=settings.cache_bytes)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        db.start_listener()
        threading.Thread(
            target=_warm_up, args=(store, app.state.workpool), name="evidence-kb-warm-up", daemon=True
        ).start()
        yield
        app.state.workpool.shutdown()
        db.dispose()

    app = EvidenceKB(
        lifespan=lifespan,
        title="evidence-kb",
        description="Research claims, the studies behind them, and how strong the evidence is.",
        version="1.0",
        docs_url=None,  # /docs is served from the installed Swagger UI files (publish_web.py)
        redoc_url=None,
        dependencies=[Depends(reject_unknown_query)],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.store = store
    app.state.workpool = WorkPool(settings, store)

    from app import api, citations_api, factcheck_api, publish_web, web

    add_cors(app, settings.cors_origin_list)
    app.include_router(api.router)
    publish_web.register(app)
    factcheck_api.register(app)
    citations_api.register(app)
    web.register(app)  # last: it also sets the HTML error pages

    for exc_class in (
        RequestValidationError,
        StarletteHTTPException,
        OperationalError,
        PoolTimeout,
        Exception,
    ):
        app.add_exception_handler(exc_class, respond_to_error)

    return app


def _warm_up(store: Store, workpool: WorkPool) -> None:
    """Load what the first requests would otherwise wait for (claim list, fact-check index, the
    fact-check's models in the processes that run it: ``WorkPool.warm_up``).

    With expensive work in processes of their own the worker never reads the fact-check index:
    it only makes sure the file exists (compiled when a build elsewhere did not write it), which
    saves the index's memory in every worker; the children map the file."""
    try:
        from app.factcheck import get_index, indexfile

        store.claim_rows()
        if store.db.settings.expensive_isolation != "process" or not indexfile.ensure(store):
            get_index(store)
    except Exception as exc:  # no database yet, or it is down: requests will say so
        log.warning("warm-up skipped: %s", exc)
    workpool.warm_up()  # the models, where fact-checks run (after the index file exists)
