"""The first check of every request, before any routing or parsing (a pure ASGI middleware).

- ``Host``: exactly one, naming a host the site serves (``Settings.allowed_hosts``, by default the
  host of ``base_url`` and the loopback names); anything else is 400. Redirects the app makes
  are rewritten to be relative, so no answer ever points at a host the client chose.
- Query strings: at most ``Settings.max_query_bytes`` bytes and ``Settings.max_query_params``
  parameters (414), counted before anything parses them, so that validating a query and listing
  its problems costs a bounded time on the event loop.
- Request bodies: at most ``Settings.max_body_bytes`` (413, checked on ``Content-Length`` before
  reading, and while reading a chunked body); the body is read here and handed on, so the route
  never parses more than the limit.
- A body must arrive within ``Settings.body_timeout`` seconds (408); the request head's timeout
  is in ``app.serving``.
- Responses: at most ``Settings.max_response_bytes`` (by ``Content-Length``; counted while
  streaming). The routes whose answers grow with the knowledge base check their estimate before
  the work (``app.http.check_response_size``); this is the rule for every other route: the
  oversized answer is replaced by 422 ``response-too-large``. Files (``FILE_PATHS``) are exempt.
- JSON routes (``POST /api/...``): ``Content-Type`` must be ``application/json`` (or ``+json``);
  pages (the fact-check form): what an HTML form sends (``FORM_TYPES``); anything else is 415.

- Memory after bursts: once ``Settings.memory_trim_after`` requests have been answered and the
  process has been idle for ``TRIM_IDLE`` seconds, the pool's idle database connections are
  closed, anyio's idle threads stopped and glibc's ``malloc_trim`` hands the memory the burst
  freed back to the system (``MemoryTrim``); without it a worker stays near its peak size.

Every refusal is the project's error: the friendly HTML page for a browser on a page
(``app.http.wants_html``, the page ``web.render_error`` draws), the JSON error shape
(``{"error": {...}}``, ``app.http.error_json``) otherwise.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import logging
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.http import ResponseTooLarge, error_json, wants_html
from app.settings import Settings

log = logging.getLogger("evidence_kb")
LOOPBACK = ("localhost", "127.0.0.1", "[::1]", "::1", "testserver")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
#: Files written once per build or shipped with the app, sent from disk: no response cap.
FILE_PATHS = ("/static/", "/downloads/", "/docs-assets/")
#: What an HTML form sends: the only bodies a page takes.
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def error_response(
    scope: Scope,
    status: int,
    code: str,
    message: str,
    headers: Iterable[tuple[str, str]] = (),
    page_message: str | None = None,
) -> list[Message]:
    """The ASGI messages of an error refused before routing, as the app's own error handler
    would answer it: the HTML error page when the client wants HTML (``wants_html``) and the app
    draws one (``app.state.render_error``, set by ``web.register``), the JSON error otherwise.
    ``headers`` are added (and replace the page's own of the same name, e.g. ``Retry-After``).
    ``page_message``: what the page says instead of ``message`` when that names a setting, which
    is for whoever runs the server, not for a reader."""
    extra = [(k.lower().encode(), v.encode()) for k, v in headers]
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"").decode("latin-1")
    render_error = getattr(getattr(scope.get("app"), "state", None), "render_error", None)
    if render_error is not None and wants_html(scope.get("path", ""), accept):
        page = render_error(Request(scope), status, page_message or message)
        names = {k for k, _ in extra}
        raw = [(k, v) for k, v in page.raw_headers if k not in names] + extra
        body = bytes(page.body)
    else:
        body = error_json(status, code, message)
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *extra]
    return [
        {"type": "http.response.start", "status": status, "headers": raw},
        {"type": "http.response.body", "body": body},
    ]


async def send_all(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """Lower-case host names (no port) the site answers to; ``*`` allows any."""
    if settings.allowed_hosts:
        return frozenset(h.lower() for h in settings.allowed_hosts)
    base = urlsplit(settings.base_url).hostname or ""
    return frozenset({base.lower(), *LOOPBACK} - {""})


def _host_name(value: str) -> str:
    value = value.strip().lower()
    if value.startswith("["):  # [::1]:8000
        return value.split("]", 1)[0] + "]"
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class RequestGuard:
    """See the module docstring. ``app`` is the rest of the stack."""

    def __init__(self, app: ASGIApp, settings: Settings, release: Callable[[], None] | None = None):
        """``release``: closes what a burst opened and idle does not need (``MemoryTrim``)."""
        self.app = app
        self.hosts = allowed_hosts(settings)
        self.max_body = settings.max_body_bytes
        self.max_query_bytes = settings.max_query_bytes
        self.max_query_params = settings.max_query_params
        self.body_timeout = settings.body_timeout
        self.max_response = settings.max_response_bytes
        self.max_in_flight = settings.max_concurrency
        self.in_flight = 0  # requests being answered by this process (changed on the event loop)
        self.refused = 0
        self.trim = MemoryTrim(settings.memory_trim_after, release)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await self._answer(scope, receive, send)
        finally:
            self.trim.answered(self)  # refusals count too: a flood is mostly refusals

    async def _answer(self, scope: Scope, receive: Receive, send: Send) -> None:
        refusal = self._check_headers(scope)
        if refusal:
            await send_all(send, error_response(scope, *refusal))
            return
        if self.in_flight >= self.max_in_flight and not scope["path"].startswith("/static/"):
            self.refused += 1
            await send_all(send, error_response(
                scope, 503, "overloaded", "The server is answering too many requests; retry in a moment.",
                [("Retry-After", "1")],
            ))  # fmt: skip
            return
        self.in_flight += 1
        try:
            await self._guarded(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] in BODY_METHODS:
            try:
                body = await asyncio.wait_for(self._read_body(receive), self.body_timeout)
            except TimeoutError:
                await send_all(send, error_response(
                    scope, 408, "body-timeout", f"The request body took longer than {self.body_timeout:g} s to arrive."
                ))  # fmt: skip
                return
            if body is None:
                await send_all(send, error_response(scope, *self._too_large()))
                return
            refusal = self._check_content_type(scope, body)
            if refusal:
                await send_all(send, error_response(scope, *refusal))
                return
            receive = _replay(body, receive)
        host = dict(scope.get("headers", [])).get(b"host", b"").decode("latin-1").lower()
        send = _relative_redirects(send, host)
        if not scope["path"].startswith(FILE_PATHS):
            send = _size_capped(send, self.max_response, scope)
        await self.app(scope, receive, send)

    def _check_headers(self, scope: Scope) -> tuple[Any, ...] | None:
        """(status, code, message[, headers, page message]) of a refusal, or None."""
        headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
        hosts = [v for k, v in headers if k == b"host"]
        if len(hosts) > 1:
            return 400, "bad-host", "The request has more than one Host header."
        if not hosts and scope.get("http_version") not in ("1.0", "0.9"):
            # RFC 9112, section 3.2: an HTTP/1.1 request without Host is answered 400.
            return 400, "bad-host", "The request has no Host header (HTTP/1.1 requires one)."
        if hosts and "*" not in self.hosts:
            name = _host_name(hosts[0].decode("latin-1"))
            if name not in self.hosts:
                return (400, "bad-host", f"This server does not answer for the host name '{name[:100]}'; the server "
                        "answers for the names in EVIDENCE_KB_ALLOWED_HOSTS (a JSON list; when empty, the "
                        "host of EVIDENCE_KB_BASE_URL, localhost, 127.0.0.1 and [::1]).", (),
                        "This server does not answer for that host name.")  # fmt: skip
        query: bytes = scope.get("query_string", b"")
        if len(query) > self.max_query_bytes or query.count(b"&") >= self.max_query_params:
            return (
                414,
                "query-too-long",
                (
                    f"The query string is longer than {self.max_query_bytes:,} bytes or "
                    f"{self.max_query_params:,} parameters."
                ),
            )
        if scope["method"] in BODY_METHODS:
            length = next((v for k, v in headers if k == b"content-length"), None)
            if length is not None and (not length.isdigit() or int(length) > self.max_body):
                return self._too_large()
        return None

    def _too_large(self) -> tuple[Any, ...]:
        """The 413: the API's JSON names the setting for whoever runs the server; the page says
        only what a reader can do."""
        said = f"The request body is larger than {self.max_body:,} bytes"
        return (413, "too-large", f"{said}; the server sets this limit with EVIDENCE_KB_MAX_BODY_BYTES.", (),
                f"{said}: send less at a time.")  # fmt: skip

    @staticmethod
    def _check_content_type(scope: Scope, body: bytes) -> tuple[int, str, str] | None:
        """A body sent to the API must be JSON, one sent to a page (the fact-check form) an HTML
        form's; a request without one is left to the router."""
        if not body:
            return None
        ctype = next((v for k, v in scope.get("headers", []) if k == b"content-type"), b"")
        media = ctype.decode("latin-1").split(";", 1)[0].strip().lower()
        if not scope["path"].startswith("/api/"):
            if media in FORM_TYPES:
                return None
            return (
                415,
                "unsupported-media-type",
                (
                    "This page takes what its form sends (Content-Type: application/x-www-form-urlencoded "
                    "or multipart/form-data); to send JSON, use the API (POST /api/v1/factcheck)."
                ),
            )
        if media == "application/json" or media.endswith("+json"):
            return None
        return 415, "unsupported-media-type", "Send the body as JSON (Content-Type: application/json)."

    async def _read_body(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)


class ResponseOverflow(Exception):
    """A streamed response (no ``Content-Length``) passed the cap after it started: the
    connection is dropped, since its status has been sent."""


def _size_capped(send: Send, cap: int, scope: Scope) -> Send:
    """``send`` that replaces a response over ``cap`` bytes by the 422 ``response-too-large``."""
    refused = False
    sent = 0

    async def sending(message: Message) -> None:
        nonlocal refused, sent
        if message["type"] == "http.response.start":
            length = next((v for k, v in message.get("headers", []) if k == b"content-length"), b"")
            if length.isdigit() and int(length) > cap:
                refused = True
                error = ResponseTooLarge(int(length), cap)
                await send_all(send, error_response(scope, error.status_code, error.code, error.detail))
                return
        elif message["type"] == "http.response.body":
            if refused:
                return
            sent += len(message.get("body", b""))
            if sent > cap:
                raise ResponseOverflow(f"a streamed response passed {cap:,} bytes")
        await send(message)

    return sending


TRIM_IDLE = 2.0  # seconds without a request in progress
#: anyio stops a worker thread of its pool that has been idle this long, when a thread is next
#: asked for (``anyio._backends._asyncio.WorkerThread.MAX_IDLE_TIME``); see ``MemoryTrim``.
THREAD_IDLE = 10.0


def _load_malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` (None elsewhere: musl, macOS)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
        return trim
    except (OSError, AttributeError):
        return None


class MemoryTrim:
    """Gives back what a burst of requests created, once the burst is over.

    A flood of 1,000 connections left a worker about 45 MB over its size before (docs/deploy.md,
    "Memory after 1,000 connections"), held by three things the burst created and nothing
    released: memory CPython had freed but glibc's malloc kept in its arenas; the database
    connections the pool keeps (up to ``pool_size``, each with its SQLite page cache); and the
    threads of anyio's pool that ran the requests (up to 40, each with its stack and malloc
    cache), which anyio stops only when a thread is next asked for.

    When the process has answered at least ``after`` requests (0: never) and then been idle for
    ``TRIM_IDLE`` seconds, the release runs: the pool's idle connections are closed (``release``,
    ``Database.close_idle_connections``) and ``malloc_trim(0)`` returns the free pages, in a
    thread of anyio's pool (ctypes releases the GIL). ``THREAD_IDLE`` seconds later, if no
    request is in progress, it runs once more: asking anyio for a thread then stops every other
    one the burst started, and the trim returns what they held. It never competes with a burst."""

    def __init__(self, after: int, release: Callable[[], None] | None = None) -> None:
        self.after = after
        self.release = release
        self.since_trim = 0
        self.timer: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[None] | None = None
        self.trims = 0
        self.malloc_trim = _load_malloc_trim() if after > 0 else None

    def answered(self, guard: RequestGuard) -> None:
        self.since_trim += 1
        if self.after <= 0 or self.since_trim < self.after or guard.in_flight:
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = asyncio.get_running_loop().call_later(TRIM_IDLE, self._trim_if_idle, guard, True)

    def _trim_if_idle(self, guard: RequestGuard, first: bool) -> None:
        self.timer = None
        if guard.in_flight:  # a request arrived meanwhile: the next one to finish re-arms
            return
        loop = asyncio.get_running_loop()
        if first:
            self.since_trim = 0
            self.trims += 1
            # Once more when the burst's threads have been idle long enough for anyio to stop
            # them (a request meanwhile does not cancel this; a new burst re-arms it).
            self.timer = loop.call_later(THREAD_IDLE - TRIM_IDLE + 1.0, self._trim_if_idle, guard, False)
        self.task = loop.create_task(self._release())

    async def _release(self) -> None:
        import anyio.to_thread

        try:
            # Asking for a thread makes anyio stop the ones idle for THREAD_IDLE seconds: they
            # exit while this one closes connections; the trim comes after their exit.
            await anyio.to_thread.run_sync(self._close_connections)
            await asyncio.sleep(0.2)
            await anyio.to_thread.run_sync(self._trim)
        except Exception as exc:  # never fail a request over it
            log.warning("releasing memory after a burst failed: %s", exc)

    def _close_connections(self) -> None:
        if self.release is not None:
            self.release()

    def _trim(self) -> None:
        if self.malloc_trim is not None:
            self.malloc_trim(0)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as a server would

    return replayed


def _relative_redirects(send: Send, host: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start" and 300 <= message["status"] < 400:
            message["headers"] = [_relative(k, v, host) for k, v in message.get("headers", [])]
        await send(message)

    return sending


def _relative(name: bytes, value: bytes, host: str) -> tuple[bytes, bytes]:
    """A ``Location`` on this request's own host, made relative (Starlette's slash redirects)."""
    if name != b"location":
        return name, value
    parts = urlsplit(value.decode("latin-1"))
    if not parts.netloc or parts.netloc.lower() != host:
        return name, value
    relative = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return name, relative.encode("latin-1")
