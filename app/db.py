"""Engine, sessions and build generations: how the app reads the database.

SQLite: a build (``app.build``) writes a new file beside the database and swaps it in with
``os.replace``; serving processes notice the swap (the file's inode changes) and reopen.
PostgreSQL: a build commits in one transaction and ends with ``NOTIFY evidence_kb_build``; a
``LISTEN`` thread per process drops the caches at once. ``Database.generation`` is what caches
compare to know that a build happened.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DatabaseError, OperationalError, ProgrammingError
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

from app.dbguard import OutageLog, StatementWatchdog, pg_connect_args
from app.models import BuildInfo
from app.settings import Settings

log = logging.getLogger("evidence_kb")

PG_CHANNEL = "evidence_kb_build"
PG_TS_CONFIG = "evidence_kb"


#: Each serving connection's private SQLite page cache (KiB; SQLite's default), see ``make_engine``.
SQLITE_SERVING_CACHE_KIB = 2000


def make_engine(settings: Settings, *, path: Path | None = None, serving: bool = False) -> Engine:
    """An engine for ``settings``. PostgreSQL: the connect and pool timeouts always; ``serving``
    adds the statement timeout (a build's statements may take long)."""
    if settings.is_sqlite:
        target = path or settings.sqlite_path
        url = f"sqlite:///{target}" if target else settings.database_url
        engine = create_engine(
            url, connect_args={"check_same_thread": False}, poolclass=NullPool if path else None
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if serving:
                # Reads find the file in the OS page cache, shared by every connection and
                # worker; a private cache of 20 MB per connection (up to 15 per worker: the
                # pool's 5 and its overflow of 10) grew a warm worker for nothing.
                cursor.execute(f"PRAGMA cache_size=-{SQLITE_SERVING_CACHE_KIB}")
            else:
                cursor.execute("PRAGMA cache_size=-20000")  # a build's inserts: 20 MB
            cursor.close()

        return engine
    engine = create_engine(
        settings.database_url,
        pool_size=settings.pool_size,
        max_overflow=settings.pool_size,
        pool_pre_ping=True,  # a restarted database costs one failed ping, not a failed request
        pool_recycle=1800,
        pool_timeout=settings.pg_pool_timeout,
        # Serving: every statement of a session reads one snapshot, so one request never mixes
        # two builds (read-only transactions never fail to serialise).
        isolation_level="REPEATABLE READ" if serving else "READ COMMITTED",
        connect_args=pg_connect_args(
            settings.pg_connect_timeout, settings.pg_statement_timeout if serving else None
        ),
    )
    return engine


class Database:
    """One per process: the engine, plus detection of a newer build (for cache invalidation)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._engine: Engine | None = None
        self._lock = threading.Lock()
        self._file_id: tuple[int, int] | None = None
        self._generation: str | None = None
        self._generation_checked = 0.0
        self._listener: _PgListener | None = None
        self.watchdog: StatementWatchdog | None = None
        self.outages = OutageLog()
        # Resolved once: ``sqlite_path`` resolves symlinks (syscalls), and every request checks
        # the file (10% of a cached claim request when it was resolved each time).
        self._sqlite_path = settings.sqlite_path

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._file_id = self._sqlite_file_id()
                    self._engine = make_engine(self.settings, serving=True)
                    if not self.settings.is_sqlite and self.settings.pg_statement_timeout:
                        self.watchdog = StatementWatchdog(
                            self._engine, self.settings.pg_statement_timeout + 2.0
                        )
                        self.watchdog.start()
        return self._engine

    def _sqlite_file_id(self) -> tuple[int, int] | None:
        path = self._sqlite_path
        if path is None:
            return None
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        self.refresh_if_rebuilt()
        with Session(self.engine) as session:
            yield session

    def refresh_if_rebuilt(self) -> bool:
        """Reopen the SQLite file when a build swapped in a new one. Cheap: one stat call."""
        if not self.settings.is_sqlite or self._engine is None:
            return False
        current = self._sqlite_file_id()
        if current == self._file_id:
            return False
        with self._lock:
            if self._engine is not None:
                self._engine.dispose()
            self._engine = None
            self._generation = None
        return True

    def generation(self, max_age: float = 0.0) -> str | None:
        """The current build generation; caches compare it to know when to drop entries.

        SQLite: a file swap is seen by ``refresh_if_rebuilt`` (a stat per call). PostgreSQL: a
        LISTEN connection clears the value on every build; without a listener it is re-read at
        most every ``max_age`` seconds.
        """
        if self.refresh_if_rebuilt():
            self._generation = None
        now = time.monotonic()
        listening = self._listener is not None and self._listener.alive
        if self._generation is None or (
            not self.settings.is_sqlite and not listening and now - self._generation_checked > max_age
        ):
            self._generation = read_generation(self.engine)
            self._generation_checked = now
        return self._generation

    def invalidate(self) -> None:
        self._generation = None

    def start_listener(self) -> None:
        """PostgreSQL only: listen for builds made by any host, to drop caches at once."""
        if self.settings.is_sqlite or self._listener is not None:
            return
        self._listener = _PgListener(self.settings.database_url, self.invalidate)
        self._listener.start()

    def close_idle_connections(self) -> None:
        """Close the pool's connections that no request is using; the next request opens one.

        A burst opens as many connections as it has requests in threads at once, and the pool
        keeps ``pool_size`` of them for good: on SQLite each with its page cache, schema and
        prepared statements (about 8 MB for 5 after a 1,000-connection flood, docs/deploy.md),
        on PostgreSQL a server process each. Connections in use are not touched (SQLAlchemy
        closes them when they come back to the pool it replaced)."""
        with self._lock:
            if self._engine is not None:
                self._engine.dispose(close=True)

    def dispose(self) -> None:
        if self.watchdog is not None:
            self.watchdog.stop()
            self.watchdog = None
        if self._listener:
            self._listener.stop()
            self._listener = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


class _PgListener(threading.Thread):
    """LISTEN evidence_kb_build; reconnects after a database restart (and invalidates then)."""

    def __init__(self, url: str, on_build: Callable[[], None]):
        super().__init__(name="evidence-kb-listener", daemon=True)
        self.url = url.replace("postgresql+psycopg://", "postgresql://")
        self.on_build = on_build
        self.alive = False
        self._stop = threading.Event()

    def run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {PG_CHANNEL}")
                    self.alive = True
                    self.on_build()  # anything may have changed while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0):
                            self.on_build()
            except Exception as exc:  # connection lost: caches must not be trusted
                log.warning("build listener disconnected (%s); retrying", exc)
            self.alive = False
            self.on_build()
            self._stop.wait(1.0)

    def stop(self) -> None:
        self._stop.set()


def read_generation(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            row = conn.execute(text("SELECT generation FROM build_info WHERE id = 1")).first()
    except (OperationalError, ProgrammingError):
        return None
    return row[0] if row else None


def read_build_info(engine: Engine) -> BuildInfo | None:
    """The last build's record; None when there is none, or the database cannot be read at all
    (a file that is not SQLite: the next build replaces it rather than failing on it)."""
    try:
        with Session(engine) as session:
            return session.get(BuildInfo, 1)
    except DatabaseError:
        return None
