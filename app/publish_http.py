"""HTTP behaviour for browsers, monitors and integrators: CORS, HEAD on every GET route, and
unknown query parameters answered with an error that names them.

- CORS (``EVIDENCE_KB_CORS_ORIGINS``, default ``*``): Starlette's ``CORSMiddleware`` for GET,
  HEAD and POST (the only POST routes are fact-checks, which store nothing); preflight requests
  are answered; credentials are never allowed.
- HEAD: ``HeadAsGet`` runs the GET route and sends its status and headers without the body
  (FastAPI routes declare GET only; uvicorn would send nothing, other servers might).
- Unknown query parameters: ``reject_unknown_query`` (an app-wide dependency) raises the same
  ``RequestValidationError`` as any invalid parameter, with "did you mean" when a declared
  parameter is close: ``claims`` -> ``claim``; so is a single-valued parameter given twice, and
  a form field given twice (``text=a&text=b``). Campaign- and click-tracking parameters
  (``TRACKING_PREFIXES`` and ``TRACKING_NAMES``: ``utm_*``, ``fbclid``, ``igshid``, ``si``, ...) that
  sharing adds to page links are ignored on pages.
"""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http import MAX_ERRORS
from app.problems import closest

#: The campaign and click-tracking parameters that sharing, ads, newsletters and analytics add to
#: links (the lists of Firefox's query stripping, ClearURLs and the analytics vendors' own
#: documentation). Pages ignore them unless a route declares the name; the API does not.
TRACKING_PREFIXES = (
    "utm_",  # Google Analytics campaigns (utm_source, utm_medium, ...)
    "mtm_", "pk_",  # Matomo / Piwik campaigns
    "hsa_",  # HubSpot ads
)  # fmt: skip
TRACKING_NAMES = frozenset({
    "fbclid", "igshid", "igsh",  # Facebook, Instagram shares
    "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "srsltid", "_ga", "_gl",  # Google ads, Analytics
    "msclkid",  # Microsoft Advertising
    "ttclid",  # TikTok
    "twclid",  # X / Twitter
    "li_fat_id",  # LinkedIn
    "yclid", "ysclid",  # Yandex
    "mc_cid", "mc_eid",  # Mailchimp
    "_hsenc", "_hsmi", "__hsfp", "__hssc", "__hstc", "hsCtaTracking",  # HubSpot
    "mkt_tok",  # Marketo
    "oly_anon_id", "oly_enc_id",  # Omeda
    "vero_id", "vero_conv",  # Vero
    "wickedid", "rb_clickid", "s_cid", "epik",  # Wicked Reports, Rakuten, Adobe, Pinterest
    "si",  # Spotify and YouTube share links
    "ref", "ref_src", "ref_url",  # referrer tags (Product Hunt, X embeds, ...)
})  # fmt: skip


def add_cors(app: FastAPI, origins: list[str]) -> None:
    """Allow the listed origins (``["*"]``: any) to read the API and post fact-checks."""
    app.add_middleware(
        CORSMiddleware,
        allow_origins=origins or ["*"],
        allow_methods=["GET", "HEAD", "POST"],
        # X-API-Key and Authorization carry the optional API key (README "Limits"); they are
        # headers, not credentials in the CORS sense (cookies), which stay refused.
        allow_headers=["Content-Type", "If-None-Match", "Accept", "X-API-Key", "Authorization"],
        expose_headers=["ETag", "Retry-After", "Link", "X-Build-Date"],
        allow_credentials=False,
        max_age=600,
    )


class EmptyMeansAbsent:
    """Pure ASGI middleware for the pages: a query parameter with an empty value (``?sort=``, what
    an HTML form sends for a field left blank) is dropped, so it means "not given" for every
    parameter alike. The JSON API (``/api/``) is left as sent: there an empty value is checked
    like any other (``q=`` is the empty search; ``sort=`` is a 422 that says to leave it out)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query: bytes = scope.get("query_string", b"") if scope["type"] == "http" else b""
        if query and not scope["path"].startswith("/api/"):
            pairs = [p for p in query.split(b"&") if p.partition(b"=")[2]]  # "name=" and "name": empty
            kept = b"&".join(pairs)
            if kept != query:
                scope = {**scope, "query_string": kept}
        await self.app(scope, receive, send)


class HeadAsGet:
    """Pure ASGI middleware: a HEAD request is routed as GET and answered without a body."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)


_DECLARED: dict[int, tuple[frozenset[str], frozenset[str]]] = {}


def _takes_many(annotation: Any) -> bool:
    """Whether a parameter's type is a list (``list[str]``, ``list[str] | None``): it may repeat."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_takes_many(arg) for arg in get_args(annotation))
    return (origin or annotation) in (list, set, frozenset, tuple)


def _query_names(dependant: Dependant) -> tuple[frozenset[str], frozenset[str]]:
    """The query parameter names (aliases) a route and its dependencies declare, and those of
    them that take one value (not a list such as ``topic``); cached: routes live as long as the
    app."""
    found = _DECLARED.get(id(dependant))
    if found is None:
        names = {param.alias for param in dependant.query_params}
        single = {
            param.alias for param in dependant.query_params if not _takes_many(param.field_info.annotation)
        }
        for sub in dependant.dependencies:
            sub_names, sub_single = _query_names(sub)
            names |= sub_names
            single |= sub_single
        found = _DECLARED[id(dependant)] = (frozenset(names), frozenset(single))
    return found


def unknown_message(name: str, declared: frozenset[str]) -> str:
    """For 'claims': "unknown query parameter; did you mean 'claim'? (accepted: claim, format,
    ...)". The error's ``field`` names the parameter itself."""
    close = closest(name, declared, cutoff=0.6)
    text = "unknown query parameter"
    if close:
        text += f"; did you mean '{close}'?"
    accepted = ", ".join(sorted(declared)) if declared else "none"
    return f"{text} (accepted: {accepted})"


def _tracking(name: str) -> bool:
    """A campaign-tracking parameter that sharing adds to page links."""
    return name.startswith(TRACKING_PREFIXES) or name in TRACKING_NAMES


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


async def _reject_repeated_form_fields(request: Request, dependant: Dependant) -> None:
    """422 (pages: the error page, 400) for a form field that takes one value sent more than once
    (``text=a&text=b``: the last would be checked without a word); read from the form the route
    has already parsed."""
    if not dependant.body_params or not request.headers.get("content-type", "").startswith(FORM_TYPES):
        return
    single = {p.alias for p in dependant.body_params if not _takes_many(p.field_info.annotation)}
    form = await request.form()
    errors = [
        {"type": "repeated_field", "loc": ("body", name), "msg": "", "input": [str(v) for v in values]}
        for name in dict.fromkeys(form.keys())
        if name in single and len(values := form.getlist(name)) > 1
    ]
    if errors:
        raise RequestValidationError(errors[:MAX_ERRORS])


async def reject_unknown_query(request: Request) -> None:
    """App-wide dependency: 422 (pages: the error page) for a query parameter the route does not
    declare, or one that takes a single value given more than once (``?limit=5&limit=6``;
    parameters declared as lists, such as ``topic``, may repeat). Runs before the route's own
    validation, so a typo is named even when the misspelt name would have been required."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    await _reject_repeated_form_fields(request, dependant)
    if not request.query_params:
        return
    declared, single = _query_names(dependant)
    is_api = request.url.path.startswith("/api/")
    errors: list[dict[str, Any]] = []
    for name in dict.fromkeys(request.query_params.keys()):
        if name in single and len(values := request.query_params.getlist(name)) > 1:
            # the last one would win silently (?limit=5&limit=6 is 6): say so instead
            errors.append({"type": "repeated_parameter", "loc": ("query", name), "msg": "", "input": values})
        elif name not in declared and (is_api or not _tracking(name)):  # pages ignore tracking
            errors.append({
                "type": "unknown_parameter", "loc": ("query", name),
                "msg": unknown_message(name, declared), "input": request.query_params.get(name),
            })  # fmt: skip
        if len(errors) == MAX_ERRORS:  # the 422 lists no more
            break
    if errors:
        raise RequestValidationError(errors)
