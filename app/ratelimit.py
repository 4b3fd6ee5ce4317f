"""Rate limits per client (a pure ASGI middleware on the ``limits`` library).

Each request counts against one of two budgets, chosen by route: *expensive* (fact-check, the
fact-check page's form and its shareable links ``GET /factcheck?text=...``, citation exports) or *cheap* (everything else; static files are not
counted). The client is its address (``scope["client"]``: behind a reverse proxy run uvicorn with
``--proxy-headers --forwarded-allow-ips`` so that it is the real client's), or its API key when it
sends a valid one (``X-API-Key: KEY`` or ``Authorization: Bearer KEY``), which has budgets of its
own. Reading never needs a key; an unknown key is refused (401) rather than silently ignored.

Counters live in memory (one host) or in Redis (``Settings.rate_limit_storage =
"redis://host:6379/0"``: several hosts in front of one PostgreSQL database share them). Every
counted answer carries ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` (seconds)
and ``RateLimit-Policy`` (``LIMIT;w=SECONDS``); a refusal is 429 with ``Retry-After``. When the
shared store is unreachable requests are let through (one log line per minute says so).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.guard import error_response, send_all
from app.settings import Settings

log = logging.getLogger("evidence_kb")

EXPENSIVE = (("POST", "/api/v1/factcheck"), ("POST", "/factcheck"), ("GET", "/api/v1/citations"))
EXPENSIVE_WITH_QUERY = (("GET", "/factcheck"),)  # the page checks a post when the query carries one
NOT_COUNTED = ("/static/", "/favicon")


@dataclass(frozen=True)
class Budgets:
    """The four limits (None: unlimited). ``limits`` syntax: ``"600/minute"``, ``"10/second"``."""

    cheap: RateLimitItem | None
    expensive: RateLimitItem | None
    key_cheap: RateLimitItem | None
    key_expensive: RateLimitItem | None

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        def item(text: str) -> RateLimitItem | None:
            return parse(text) if text.strip() else None

        return cls(
            item(settings.rate_limit),
            item(settings.rate_limit_expensive),
            item(settings.rate_limit_api_key),
            item(settings.rate_limit_api_key_expensive),
        )


def is_expensive(method: str, path: str, query: bytes = b"") -> bool:
    """The route does costly work: always (``EXPENSIVE``), or when it has a query string
    (``EXPENSIVE_WITH_QUERY``: the fact-check page given a post in its link)."""
    if query and (method, path) in EXPENSIVE_WITH_QUERY:
        return True
    return any(method == m and (path == p or path.startswith(p + "/")) for m, p in EXPENSIVE)


def storage_uri(uri: str) -> str:
    """``memory://`` / ``redis://...`` as the asyncio storages of ``limits`` name them."""
    return uri if uri.startswith("async+") else f"async+{uri}"


class RateLimits:
    """See the module docstring. ``app`` is the rest of the stack."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.budgets = Budgets.from_settings(settings)
        self.keys = {hashlib.sha256(k.encode()).hexdigest() for k in settings.api_keys}
        uri = storage_uri(settings.rate_limit_storage)
        options = {"implementation": "redispy"} if "redis" in uri else {}
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri, **options))
        self._store_down_logged = 0.0
        self.store_failures = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_COUNTED):
            await self.app(scope, receive, send)
            return
        identity = self._identity(scope)
        if identity is None:
            await send_all(send, error_response(scope, 401, "bad-api-key", "That API key is not known here."))
            return
        who, keyed = identity
        expensive = is_expensive(scope["method"], scope["path"], scope.get("query_string", b""))
        item = self._budget(keyed, expensive)
        if item is None:
            await self.app(scope, receive, send)
            return
        namespace = "expensive" if expensive else "cheap"
        verdict = await self._hit(item, namespace, who)
        if verdict is None:  # the shared store is down: fail open
            await self.app(scope, receive, send)
            return
        allowed, remaining, reset = verdict
        headers = [
            ("RateLimit-Limit", str(item.amount)),
            ("RateLimit-Remaining", str(remaining)),
            ("RateLimit-Reset", str(reset)),
            ("RateLimit-Policy", f"{item.amount};w={item.get_expiry()}"),
        ]
        if not allowed:
            message = (
                f"Too many {'expensive ' if expensive else ''}requests from this client "
                f"(at most {item.amount} per {item.get_expiry()} s); retry after {reset} s."
            )
            await send_all(
                send,
                error_response(scope, 429, "rate-limited", message, [("Retry-After", str(reset)), *headers]),
            )
            return
        await self.app(scope, receive, _with_headers(send, headers))

    def _identity(self, scope: Scope) -> tuple[str, bool] | None:
        """("key:<hash>" or "ip:<address>", keyed); None for a key that is not known."""
        headers = dict(scope.get("headers", []))
        sent = headers.get(b"x-api-key", b"").decode("latin-1").strip()
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if not sent and auth.lower().startswith("bearer "):
            sent = auth[7:].strip()
        if sent:
            digest = hashlib.sha256(sent.encode()).hexdigest()
            if not any(hmac.compare_digest(digest, known) for known in self.keys):
                return None
            return f"key:{digest[:24]}", True
        client = scope.get("client") or ("unknown", 0)
        return f"ip:{client[0]}", False

    def _budget(self, keyed: bool, expensive: bool) -> RateLimitItem | None:
        b = self.budgets
        if keyed:
            return b.key_expensive if expensive else b.key_cheap
        return b.expensive if expensive else b.cheap

    async def _hit(self, item: RateLimitItem, namespace: str, who: str) -> tuple[bool, int, int] | None:
        try:
            allowed = await self.limiter.hit(item, namespace, who)
            stats = await self.limiter.get_window_stats(item, namespace, who)
        except Exception as exc:  # Redis unreachable or failing
            self.store_failures += 1
            now = time.monotonic()
            if now - self._store_down_logged > 60:
                self._store_down_logged = now
                log.error("rate limit store unavailable (%s); letting requests through (%d so far)",
                          exc.__class__.__name__, self.store_failures)  # fmt: skip
            return None
        reset = max(1, math.ceil(stats.reset_time - time.time()))
        return allowed, stats.remaining, reset


def _with_headers(send: Send, headers: list[tuple[str, str]]) -> Send:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers]

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = list(message.get("headers", [])) + raw
        await send(message)

    return sending
