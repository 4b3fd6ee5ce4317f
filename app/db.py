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
from dataclasses import dataclass, field
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
        # Serving: the pool holds ``pool_size`` connections and twice as many more under a burst
        # (SQLAlchemy's default for a file: 5 and 10); a build's engine (``path``) pools none.
        pooling: dict[str, Any] = (
            {"poolclass": NullPool}
            if path
            else {"pool_size": settings.pool_size, "max_overflow": 2 * settings.pool_size}
        )
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pooling)

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
        self._generation_checked = 0.0  # time.monotonic() of the snapshot it was read from
        #: Bumped whenever the known generation is forgotten (a build notice, a swapped file): a
        #: value read in a snapshot taken before that is older news and is not kept.
        self._epoch = 0
        self._flight: _Flight | None = None  # the read of the generation under way, if any
        self._held = threading.local()  # .session: the session this thread reads through
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
        """A session, or inside another ``session()`` of this thread that same one.

        So a request never needs two pooled connections at once (it would hold one while
        waiting for another: with as many such requests as the pool has connections, none gets
        its second) and everything it reads, including the build generation, comes from one
        snapshot: the SQLite file its connection opened, or one REPEATABLE READ transaction on
        PostgreSQL. (The session is this thread's until the block ends: never keep one open
        across a generator's ``yield``, which may resume on another thread.)
        """
        held: Session | None = getattr(self._held, "session", None)
        if held is not None:
            yield held
            return
        self.refresh_if_rebuilt()
        with Session(self.engine) as session:
            # The snapshot is taken at the first statement, after this: a generation read in it
            # is at least as new as this epoch and time.
            session.info[_OPENED] = (self._epoch, time.monotonic())
            self._held.session = session
            try:
                yield session
            finally:
                self._held.session = None

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
            self._forget()
        return True

    def generation(self, max_age: float = 0.0) -> str | None:
        """The current build generation; caches compare it to know when to drop entries.

        SQLite: a file swap is seen by ``refresh_if_rebuilt`` (a stat per call). PostgreSQL: a
        LISTEN connection clears the value on every build; without a listener it is re-read at
        most every ``max_age`` seconds.

        When it must be read: inside a ``session()`` on that session (the connection the request
        holds, in the snapshot it reads its data from), else on a connection of its own, one read
        for all the threads that ask at once.
        """
        self.refresh_if_rebuilt()
        listening = self._listener is not None and self._listener.alive
        known = self._generation
        if known is not None and (
            self.settings.is_sqlite or listening or time.monotonic() - self._generation_checked <= max_age
        ):
            return known
        held: Session | None = getattr(self._held, "session", None)
        if held is not None:
            value = session_generation(held)
            epoch, opened = held.info[_OPENED]
            self._publish(value, epoch, opened)
            known = self._generation  # a newer snapshot's value, when this one was older news
            return value if known is None else known
        return self._read_once()

    def generation_known(self) -> bool:
        """Whether this process holds a build generation (False: the next request reads it)."""
        return self._generation is not None

    def _read_once(self) -> str | None:
        """Read the generation on a connection of its own; threads asking meanwhile wait for
        that read instead of each taking a connection (a read begun before the value was last
        forgotten is not joined: it may predate the build)."""
        with self._lock:
            flight = self._flight
            leader = flight is None or flight.epoch != self._epoch
            if leader:
                flight = self._flight = _Flight(self._epoch, time.monotonic())
        assert flight is not None
        if not leader:
            flight.done.wait()
            return flight.value
        try:
            flight.value = read_generation(self.engine)
        finally:
            with self._lock:
                if self._flight is flight:
                    self._flight = None
            flight.done.set()
        self._publish(flight.value, flight.epoch, flight.as_of)
        return flight.value

    def _publish(self, value: str | None, epoch: int, as_of: float) -> None:
        """Keep ``value``, read in a snapshot taken after ``as_of`` at ``epoch``, as the process's
        generation unless it is older news: forgotten since (a build notice), or a value from a
        later snapshot is kept already."""
        with self._lock:
            if epoch == self._epoch and as_of >= self._generation_checked:
                self._generation = value
                self._generation_checked = as_of

    def _forget(self) -> None:
        self._generation = None
        self._epoch += 1

    def invalidate(self) -> None:
        with self._lock:
            self._forget()

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


_OPENED = "evidence_kb.opened"  # Session.info: (epoch, time) when ``Database.session`` opened it
_GENERATION = "evidence_kb.generation"  # Session.info: the generation it reads, once read


@dataclass
class _Flight:
    """One read of the generation that several threads wait for (``Database._read_once``)."""

    epoch: int
    as_of: float
    value: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


def session_generation(session: Session) -> str | None:
    """The build generation ``session`` reads (read once per session: it reads one snapshot)."""
    if _GENERATION not in session.info:
        found = session.connection().execute(text(_GENERATION_SQL)).first()
        session.info[_GENERATION] = found[0] if found else None
    return session.info[_GENERATION]  # type: ignore[no-any-return]


_GENERATION_SQL = "SELECT generation FROM build_info WHERE id = 1"


def read_generation(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            row = conn.execute(text(_GENERATION_SQL)).first()
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
