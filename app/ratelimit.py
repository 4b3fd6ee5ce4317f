"""Rate limits per client (a pure ASGI middleware on the ``limits`` library).

Two budgets per client. The *general* one (``rate_limit``) counts every request (static files
aside), whatever its answer: a 422 for a malformed body counts like a 200. The *expensive* one
(``rate_limit_expensive``) counts the expensive work actually started: a job of the bounded pool
(``app.workpool``: a fact-check from the API, the form or a shareable link ``GET
/factcheck?text=...``; a citation file rendered, not one served from the cache). A request
refused before its work (bad input: 400, 413, 415, 422; the pool full: 503) costs the general
budget only, so a client sending malformed JSON is answered 422 at the general rate and does not
use up its fact-checks. The middleware charges the general budget and hands the route a hook
(``charge_expensive``) that the pool calls when it takes the job.

The client is its address (``scope["client"]``: behind a reverse proxy run uvicorn with
``--proxy-headers --forwarded-allow-ips`` so that it is the real client's), or its API key when it
sends a valid one (``X-API-Key: KEY`` or ``Authorization: Bearer KEY``), which has budgets of its
own. Reading never needs a key; an unknown key is refused (401) rather than silently ignored.

Counters live in memory (one host) or in Redis (``Settings.rate_limit_storage =
"redis://host:6379/0"``: several hosts in front of one PostgreSQL database share them). Every
counted answer carries ``RateLimit-Limit``, ``RateLimit-Remaining``, ``RateLimit-Reset`` (seconds)
and ``RateLimit-Policy`` (``LIMIT;w=SECONDS``), of the expensive budget when the request used it
and of the general one otherwise; a refusal is 429 with ``Retry-After``. When the shared store is
unreachable requests are let through (one log line per minute says so).
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
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.guard import error_response, send_all
from app.http import ApiError
from app.settings import Settings

log = logging.getLogger("evidence_kb")

NOT_COUNTED = ("/static/", "/favicon")
#: The scope key of the hook that charges the expensive budget (``charge_expensive``).
CHARGE_KEY = "evidence_kb.charge_expensive"


async def charge_expensive(request: Request) -> None:
    """Charge the client's expensive budget for work about to start (``WorkPool.run``); raise a
    429 ``ApiError`` when it is spent. Nothing to do without the middleware or its limit (or
    without a scope: the stand-in requests of the pool's own tests)."""
    charge = getattr(request, "scope", {}).get(CHARGE_KEY)
    if charge is not None:
        await charge()


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
        shown: list[tuple[str, str]] = []  # the RateLimit headers of the answer
        scope[CHARGE_KEY] = lambda: self._charge_expensive(who, keyed, shown)
        item = self._budget(keyed, expensive=False)
        if item is None:
            await self.app(scope, receive, _with_headers(send, shown))
            return
        verdict = await self._hit(item, "cheap", who)
        if verdict is None:  # the shared store is down: fail open
            await self.app(scope, receive, _with_headers(send, shown))
            return
        allowed, remaining, reset = verdict
        shown[:] = _headers(item, remaining, reset)
        if not allowed:
            said = f"Too many requests from this client (at most {item.amount} per {item.get_expiry()} s); "
            message = f"{said}retry after {reset} s. {how_to_change(keyed, expensive=False)}"
            await send_all(send, error_response(
                scope, 429, "rate-limited", message, [("Retry-After", str(reset)), *shown],
                page_message=f"{said}please try again in {reset} s.",
            ))  # fmt: skip
            return
        await self.app(scope, receive, _with_headers(send, shown))

    async def _charge_expensive(self, who: str, keyed: bool, shown: list[tuple[str, str]]) -> None:
        """The hook of ``charge_expensive``: hit the expensive budget; its headers replace the
        general budget's on the answer; spent, a 429 (with them) instead of the work."""
        item = self._budget(keyed, expensive=True)
        if item is None:
            return
        verdict = await self._hit(item, "expensive", who)
        if verdict is None:  # the shared store is down: fail open
            return
        allowed, remaining, reset = verdict
        shown[:] = _headers(item, remaining, reset)
        if not allowed:
            refusal = dict(shown)
            shown.clear()  # the error carries them
            raise ApiError(
                429,
                "rate-limited",
                f"Too many expensive requests (fact-checks, formatted references) from this client (at "
                f"most {item.amount} per {item.get_expiry()} s); retry after {reset} s. "
                + how_to_change(keyed, expensive=True),
                headers={"Retry-After": str(reset), **refusal},
                page_message=f"Too many fact-checks from this client (at most {item.amount} per "
                f"{item.get_expiry()} s); please try again in {reset} s.",
            )

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


def how_to_change(keyed: bool, expensive: bool) -> str:
    """What a 429 adds after "retry after N s": the setting of the budget that was spent and how to
    change it, for whoever runs the server (a new user testing on their own machine hit 30
    fact-checks a minute, and the body did not say where that number came from); without a key,
    that a key has a budget of its own. Loopback clients are not exempt (README, "What counts")."""
    name = "rate_limit" + ("_api_key" if keyed else "") + ("_expensive" if expensive else "")
    key = "" if keyed else "; or send an API key, which has a budget of its own"
    return (
        f"The server sets this limit with EVIDENCE_KB_{name.upper()} (e.g. '1000/minute'; empty turns it "
        f"off){key}."
    )


def _headers(item: RateLimitItem, remaining: int, reset: int) -> list[tuple[str, str]]:
    return [
        ("RateLimit-Limit", str(item.amount)),
        ("RateLimit-Remaining", str(remaining)),
        ("RateLimit-Reset", str(reset)),
        ("RateLimit-Policy", f"{item.amount};w={item.get_expiry()}"),
    ]


def _with_headers(send: Send, headers: list[tuple[str, str]]) -> Send:
    """``send`` adding ``headers`` as they are when the answer starts (the expensive budget's,
    when the route charged it)."""

    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and headers:
            raw = [(k.lower().encode(), v.encode()) for k, v in headers]
            message["headers"] = list(message.get("headers", [])) + raw
        await send(message)

    return sending
