"""PostgreSQL that does not answer: bounded waits and one log line per failure.

Three limits keep a request from waiting on the database for long (``Settings.pg_*``):
``connect_timeout`` (a new connection), ``pool_timeout`` (a free pooled connection) and the
server's ``statement_timeout``. A *paused* server (reachable, not answering: the kernel still
acknowledges every packet) honours none of them: ``StatementWatchdog`` sees a connection whose
one command has been running for longer than the statement timeout plus a grace period and
shuts its socket down, so the waiting thread gets an ``OperationalError`` at once (answered 503)
and the pool drops that connection.

``OutageLog`` writes one line per failed request, with a running count, instead of a traceback
and the statement with its parameters.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import time
import weakref
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger("evidence_kb")


class StatementWatchdog(threading.Thread):
    """Ends commands the server has not answered within ``limit`` seconds (see module doc)."""

    def __init__(self, engine: Engine, limit: float, interval: float = 0.25):
        super().__init__(name="evidence-kb-db-watchdog", daemon=True)
        self.limit = limit
        self.interval = interval
        self.ended = 0
        self._connections: weakref.WeakSet[Any] = weakref.WeakSet()
        self._commands: dict[int, int] = {}  # id(dbapi connection) -> commands sent so far
        self._running_since: dict[int, tuple[int, float]] = {}
        self._stop = threading.Event()
        event.listen(engine, "connect", self._on_connect)
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_connect(self, dbapi_connection: Any, _record: Any) -> None:
        self._connections.add(dbapi_connection)

    def _on_execute(self, conn: Any, *_: Any) -> None:
        dbapi = conn.connection.dbapi_connection
        self._commands[id(dbapi)] = self._commands.get(id(dbapi), 0) + 1

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sweep(time.monotonic())

    def sweep(self, now: float) -> None:
        from psycopg import pq

        connections = list(self._connections)
        # Forget closed connections (the pool closes its idle ones after every burst).
        for key in self._commands.keys() - {id(conn) for conn in connections}:
            self._commands.pop(key, None)
        for conn in connections:
            key = id(conn)
            try:
                active = not conn.closed and conn.pgconn.transaction_status == pq.TransactionStatus.ACTIVE
            except Exception:
                active = False
            if not active:
                self._running_since.pop(key, None)
                continue
            command = self._commands.get(key, 0)
            seen = self._running_since.get(key)
            if seen is None or seen[0] != command:  # a new command since the last look
                self._running_since[key] = (command, now)
            elif now - seen[1] > self.limit:
                self._running_since.pop(key, None)
                self._end(conn)

    def _end(self, conn: Any) -> None:
        """Shut the socket down: the blocked read returns and psycopg raises OperationalError."""
        self.ended += 1
        log.error(
            "database did not answer within %.1f s: connection closed (%d so far)", self.limit, self.ended
        )
        with contextlib.suppress(OSError, ValueError):
            dup = socket.socket(fileno=os.dup(conn.fileno()))
            try:
                dup.shutdown(socket.SHUT_RDWR)
            finally:
                dup.close()

    def stop(self) -> None:
        self._stop.set()


class OutageLog:
    """One log line per request that failed because the database is unavailable."""

    def __init__(self) -> None:
        self.failures = 0
        self._lock = threading.Lock()

    def report(self, path: str, exc: BaseException) -> None:
        with self._lock:
            self.failures += 1
            count = self.failures
        cause = getattr(exc, "orig", None) or exc
        first = (str(cause).strip().splitlines() or [""])[0][:200]
        log.error("database unavailable on %s (%d failures so far): %s: %s",
                  path, count, cause.__class__.__name__, first)  # fmt: skip


def pg_connect_args(connect_timeout: int, statement_timeout: float | None) -> dict[str, Any]:
    """psycopg connection arguments: a connect timeout and, for serving, a statement timeout."""
    args: dict[str, Any] = {"connect_timeout": max(1, int(connect_timeout))}
    if statement_timeout:
        args["options"] = f"-c statement_timeout={int(statement_timeout * 1000)}"
    return args
