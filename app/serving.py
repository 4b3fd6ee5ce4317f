"""What ``evidence-kb serve`` adds to uvicorn against slow and numerous clients.

- ``HeaderTimeoutProtocol``: uvicorn's httptools protocol with a *header timeout*: a connection
  that has not sent a complete request head within ``Settings.header_timeout`` seconds of opening
  (or of starting its next request) is closed. uvicorn itself only times out idle keep-alive
  connections, so a slowloris client (headers one byte at a time, thousands of connections) would
  otherwise hold a file descriptor each for ever.
- ``raise_open_file_limit``: the soft limit on open files raised to the hard limit, so the
  concurrency limit, not the file table, decides when new requests are refused (503).
- ``uvicorn_options``: the options ``serve`` passes (keep-alive timeout, backlog).

The body timeout is in ``app.guard`` (it reads every request body).
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.settings import Settings, get_settings


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """See the module docstring."""

    _head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_timer = self.loop.call_later(get_settings().header_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _too_slow(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def raise_open_file_limit() -> int:
    """Raise the soft limit on open files to the hard limit; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    return soft


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """uvicorn.run keyword arguments for the limits in ``settings`` (README "Limits")."""
    return {
        "http": HeaderTimeoutProtocol,
        # Requests in progress are limited by app.guard (503 with Retry-After); connections are
        # not, since the header timeout closes idle and slow ones (a limit on connections would
        # let slowloris clients lock everyone out).
        "limit_concurrency": None,
        "timeout_keep_alive": settings.keep_alive_timeout,
        "backlog": 2048,
    }
