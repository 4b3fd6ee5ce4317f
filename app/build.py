"""The all-or-nothing build: data files -> validated records (``app.loader``) -> database.

Full build: the records stream from the parsers to the database in batches (``load_stream``
with ``buildrows.DatabaseSink``): the .bib files are read in pieces, claims.yaml item by item,
each study and claim is checked and graded as it comes, and only small indexes (study facts,
keys) are kept for the checks across records. Memory is about one batch plus the indexes, not
the whole data set. The build also stores a state for the next one (``app.incremental``).

Incremental build (the default when the last build left a state): only changed, added and
removed records are read again, plus the claims whose grade depends on a changed study or
concept; the difference is applied (deletes, inserts, moved rows) in one transaction, and the
warnings are those a full build would report. It falls back to a full build, saying why, when
something global changed: the schema version, an ``@string`` macro or another non-entry .bib
block, the shape of claims.yaml, a ``crossref``, or when the changed records have an error (the
full build then reports every problem as always). ``force`` always builds in full.
``BuildResult.how`` says which ("full" or "incremental: 1 claim changed, ...").

SQLite: the build writes a new file beside the database (an incremental build starts from a
copy of the current one) and swaps it in with ``os.replace`` (atomic), so readers see the old
database or the new one, never half of either, and a failed build leaves the old file untouched.

PostgreSQL: the build runs in one transaction (under an advisory lock, so two hosts cannot
build at once); readers keep seeing the previous data until it commits. The build ends with
``NOTIFY evidence_kb_build`` so every app process drops its caches at once. Every build that
changes data writes a new generation id (``build_info.generation``).

``build_database`` raises ``DataError`` (every problem with file and line) on bad data and
leaves the database unchanged.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, SQLModel

from app import dbfile, incremental, listing
from app.buildrows import CLAIM_TABLES, STUDY_TABLES, DatabaseSink, insert_concepts
from app.db import PG_CHANNEL, make_engine, read_build_info
from app.loader import data_hash, gc_paused, load_stream
from app.models import BuildInfo
from app.problems import DataError
from app.settings import Settings

log = logging.getLogger("evidence_kb")

#: Bump when the tables or the search index change: a build then rebuilds from scratch.
#: 7: the search index holds search.index_text; 8: outcomes, estimates, risk of bias;
#: 9: concept translations; 10: study_list and study_group (app.listing); 11: study.groups
SCHEMA_VERSION = 13  # 12: the phrasings column holds the population; 13: "back" the adverb
PG_LOCK_ID = 7_316_420_001  # advisory lock held while a build runs

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- schema and search index --------------------------------------------------------------------

# The search columns hold ``search.index_text`` of the claim's texts: tokens already normalised,
# numbers canonical, words stemmed, so neither backend stems or drops words again and both hold
# the same tokens at the same positions (search.py has the one ranking rule). The phrasings column
# also holds who the claim is about (``search.who_texts``).
SQLITE_FTS = """
CREATE VIRTUAL TABLE claim_search USING fts5(
    claim_id UNINDEXED, statement, phrasings, summary, caveats,
    tokenize = 'unicode61 remove_diacritics 0'
)
"""


def _create_schema_sqlite(conn: Any) -> None:
    SQLModel.metadata.create_all(conn)
    conn.execute(text(SQLITE_FTS))


def _create_schema_pg(conn: Any) -> None:
    SQLModel.metadata.create_all(conn)
    cfg = "simple"  # the columns hold search.index_text: already tokenised and stemmed
    conn.execute(text(f"""
        CREATE TABLE IF NOT EXISTS claim_search (
            claim_id text PRIMARY KEY REFERENCES claim(id) ON DELETE CASCADE,
            statement text NOT NULL, phrasings text NOT NULL,
            summary text NOT NULL, caveats text NOT NULL,
            document tsvector GENERATED ALWAYS AS (
                setweight(to_tsvector('{cfg}', statement), 'A') ||
                setweight(to_tsvector('{cfg}', phrasings), 'B') ||
                setweight(to_tsvector('{cfg}', summary), 'C') ||
                setweight(to_tsvector('{cfg}', caveats), 'D')) STORED
        )"""))  # fmt: skip
    conn.execute(
        text("CREATE INDEX IF NOT EXISTS ix_claim_search_document ON claim_search USING gin (document)")
    )


def _drop_schema_pg(conn: Any) -> None:
    conn.execute(text("DROP TABLE IF EXISTS claim_search CASCADE"))
    conn.execute(text(f"DROP TABLE IF EXISTS {incremental.STATE_TABLE}"))
    SQLModel.metadata.drop_all(conn)


# --- build --------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    status: str  # "built" | "unchanged"
    claims: int = 0
    studies: int = 0
    seconds: float = 0.0
    warnings: int = 0
    #: How: "full" or "incremental: 1 claim changed, 0 added, 0 removed; ..." (``Plan.summary``).
    how: str = ""


def current_hash(engine: Engine) -> tuple[str | None, int | None]:
    info = read_build_info(engine)
    return (info.data_hash, info.schema_version) if info else (None, None)


def staleness(settings: Settings, new_hash: str | None = None) -> str | None:
    """Why the database must be built, or None when it holds a build of this data and schema
    (``new_hash``: the data's hash when the caller has it). The reason is a phrase for the
    build's first progress message: "no earlier build", "the data changed since the last
    build" or "the schema version changed"."""
    if settings.is_sqlite and (settings.sqlite_path is None or not settings.sqlite_path.exists()):
        return "no earlier build"
    engine = make_engine(settings)
    try:
        stored, version = current_hash(engine)
    finally:
        engine.dispose()
    if stored is None:
        return "no earlier build"
    if version != SCHEMA_VERSION:
        return "the schema version changed"
    new_hash = new_hash or data_hash(settings.data_dir, str(SCHEMA_VERSION))
    return None if stored == new_hash else "the data changed since the last build"


def is_stale(settings: Settings, new_hash: str | None = None) -> bool:
    """Whether the database is missing or was built from other data (see ``staleness``)."""
    return staleness(settings, new_hash) is not None


@dataclass
class _Built:
    info: BuildInfo
    warnings: int
    how: str
    #: An incremental build: the previous build's generation and the claims it added or read again
    #: (the fact-check index is updated from the previous one's for these, ``indexfile.prepare``).
    previous: str | None = None
    changed_claims: frozenset[str] = frozenset()


@gc_paused()  # the rows of a large build would be scanned again and again for nothing
def build_database(
    settings: Settings,
    *,
    force: bool = False,
    progress: Progress = _quiet,
    replace_foreign: bool = False,
    prepare_factcheck: bool = True,
) -> BuildResult:
    """Validate the data and load it, all or nothing: incrementally when the last build's state
    allows it (``app.incremental``), else in full; ``force`` always builds in full. Raises
    ``DataError`` on bad data and ``dbfile.UnsafeDatabasePath`` when the SQLite path holds
    something that is not our database (``replace_foreign`` allows replacing a regular file)."""
    started = time.perf_counter()
    if settings.sqlite_configured_path is not None:
        dbfile.check_target(settings.sqlite_configured_path, replace_foreign=replace_foreign)
    new_hash = data_hash(settings.data_dir, str(SCHEMA_VERSION))
    reason = None if force else staleness(settings, new_hash)
    if not force and reason is None:
        return BuildResult("unchanged", seconds=time.perf_counter() - started)
    if force:
        progress("full build (forced)")
    elif reason != "no earlier build":  # the backend's own path says "full build: no earlier build"
        progress(str(reason))
    built: _Built | None
    if settings.is_sqlite:
        built = _build_sqlite(
            settings,
            new_hash,
            progress,
            replace_foreign=replace_foreign,
            force=force,
            prepare_factcheck=prepare_factcheck,
        )
    else:
        built = _build_postgres(settings, new_hash, progress, force=force)
    if built is None:
        return BuildResult("unchanged", seconds=time.perf_counter() - started)
    info = built.info
    return BuildResult(
        "built", info.claims, info.studies, time.perf_counter() - started, built.warnings, built.how
    )


def _new_info(new_hash: str, claims: int, studies: int) -> BuildInfo:
    return BuildInfo(
        data_hash=new_hash,
        generation=uuid.uuid4().hex,  # every build that changes data: caches key on it
        built_at=datetime.now(UTC),
        claims=claims,
        studies=studies,
        schema_version=SCHEMA_VERSION,
    )


def _plan(conn: Any, settings: Settings, progress: Progress) -> incremental.Plan | None:
    """The incremental plan against the database behind ``conn``, or None (a full build, whose
    reason goes to ``progress``)."""
    try:
        version = conn.execute(text("SELECT schema_version FROM build_info WHERE id = 1")).scalar()
        if version != SCHEMA_VERSION:
            raise incremental.FullBuild("the schema version changed")
        found = incremental.plan(settings.data_dir, incremental.read_state(conn))
    except incremental.FullBuild as exc:
        progress(f"full build: {exc}")
        return None
    progress(f"incremental: {found.summary()}")
    return found


def _apply_plan(conn: Any, found: incremental.Plan, new_hash: str) -> _Built:
    previous = conn.execute(text("SELECT generation FROM build_info WHERE id = 1")).scalar()
    incremental.apply(conn, found)
    if found.studies_touched:
        listing.derive(conn)
    info = _new_info(new_hash, found.claim_total, found.study_total)
    conn.execute(text("DELETE FROM build_info"))
    conn.execute(insert(BuildInfo), [info.model_dump()])
    incremental.write_state(conn, found.state)
    changed = frozenset(r.claim.id for r in found.claim_rows)
    return _Built(info, len(found.warnings), f"incremental: {found.summary()}", previous, changed)


def _make_folder(folder: Path, progress: Progress) -> None:
    """The SQLite file's folder, made when missing and said: a mistyped path is seen, not
    silently created."""
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        progress(f"created the folder {folder} for the database")


def _build_sqlite(
    settings: Settings,
    new_hash: str,
    progress: Progress,
    *,
    replace_foreign: bool,
    force: bool,
    prepare_factcheck: bool = True,
) -> _Built:
    configured = settings.sqlite_configured_path
    if configured is None:
        raise dbfile.UnsafeDatabasePath(
            "an in-memory SQLite database (sqlite://) cannot be built or served; give a file path, "
            "e.g. sqlite:///evidence-kb.db"
        )
    _make_folder(configured.absolute().parent, progress)
    target = dbfile.check_target(configured, replace_foreign=replace_foreign)
    for stale in dbfile.remove_stale_builds(target):
        progress(f"removed {stale.name}, left behind by a build that was killed")
    found = None
    if force:
        pass
    elif dbfile.is_evidence_kb_database(target):
        current = make_engine(settings)
        try:
            with current.connect() as conn:
                found = _plan(conn, settings, progress)
        finally:
            current.dispose()
    else:
        progress("full build: no earlier build")
    tmp = dbfile.temp_path(target)
    tmp.unlink(missing_ok=True)
    if found is not None:  # a copy of the current database, changed, then swapped in
        shutil.copyfile(target, tmp)
    engine = make_engine(settings, path=tmp)
    try:
        with engine.begin() as conn:
            conn.execute(text("PRAGMA journal_mode=OFF"))
            conn.execute(text("PRAGMA synchronous=OFF"))
            conn.execute(text(f"PRAGMA application_id={dbfile.APPLICATION_ID}"))
        with engine.begin() as conn:
            if found is not None:
                built = _apply_plan(conn, found, new_hash)
            else:
                _create_schema_sqlite(conn)
                built = load_into(conn, settings, new_hash, progress)
        if found is None:
            with engine.begin() as conn:
                progress("optimising the search index")
                conn.execute(text("INSERT INTO claim_search(claim_search) VALUES ('optimize')"))
                conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=DELETE"))
        if prepare_factcheck:  # not for a copy nobody serves (the open-data download)
            _prepare_factcheck(settings, engine, progress, built)
        engine.dispose()
        # fsync the new file, then swap it in atomically.
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        # Checked again just before the swap: the path may have changed during a long build.
        os.replace(tmp, dbfile.check_target(configured, replace_foreign=replace_foreign))
    except BaseException:
        engine.dispose()
        tmp.unlink(missing_ok=True)
        raise
    return built


def _build_postgres(settings: Settings, new_hash: str, progress: Progress, *, force: bool) -> _Built | None:
    """Load the data in one transaction; None when another process built the same data while
    this one waited for the lock (several hosts starting at once build once)."""
    engine = make_engine(settings)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PG_LOCK_ID})
            existing = conn.execute(text("SELECT to_regclass('build_info')")).scalar()
            version = (
                conn.execute(text("SELECT schema_version FROM build_info WHERE id = 1")).scalar()
                if existing
                else None
            )
            if existing and version == SCHEMA_VERSION and not force:
                stored = conn.execute(text("SELECT data_hash FROM build_info WHERE id = 1")).scalar()
                if stored == new_hash:
                    progress("another process built the same data meanwhile: nothing to do")
                    return None
            found = None
            if force:
                pass
            elif existing:
                found = _plan(conn, settings, progress)
            else:
                progress("full build: no earlier build")
            if found is not None:
                built = _apply_plan(conn, found, new_hash)
            else:
                if existing and version != SCHEMA_VERSION:
                    progress("schema changed: recreating the tables")
                    _drop_schema_pg(conn)
                _create_schema_pg(conn)
                for table in (*CLAIM_TABLES, *STUDY_TABLES, "concept", "build_info"):
                    conn.execute(text(f"DELETE FROM {table}"))
                built = load_into(conn, settings, new_hash, progress)
            # The new rows sit in the GIN index's pending list, which every search would scan
            # until autovacuum merges it (a selective search at 10,000 claims: 20 ms, not 0.4).
            conn.execute(text("SELECT gin_clean_pending_list('ix_claim_search_document')"))
            _prepare_factcheck(settings, conn, progress, built)
            conn.execute(
                text("SELECT pg_notify(:channel, :g)"), {"channel": PG_CHANNEL, "g": built.info.generation}
            )
        if found is None:
            with engine.connect() as conn:  # fresh statistics for the planner
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return built


def _prepare_factcheck(settings: Settings, bind: Any, progress: Progress, built: _Built) -> None:
    """Write the new build's fact-check index file before the build is served (swapped in or
    committed), so the first fact-check after it does not compile it (``factcheck.indexfile``);
    after an incremental build, by updating the previous build's."""
    from app.factcheck import indexfile
    from app.factcheck.indexbuild import Changes

    progress("preparing the fact-check index")
    changes = Changes(built.previous, built.changed_claims) if built.previous else None
    try:
        with Session(bind) as session:
            indexfile.prepare(settings, session, changes, progress)
    except Exception as exc:  # the server compiles it on first use instead
        log.warning("fact-check index not prepared: %s", exc)
        progress(f"fact-check index not prepared ({exc}); the server will compile it")


def load_into(conn: Any, settings: Settings, new_hash: str, progress: Progress) -> _Built:
    """Stream the data files into the empty tables of ``conn``; raises ``DataError`` (the caller
    rolls back or deletes the file) when there is any error."""
    progress("reading, validating and writing the data files")
    collector = incremental.StateCollector()
    sink = DatabaseSink(conn, progress, collector)
    result = load_stream(settings.data_dir, sink)
    if result.errors:
        raise DataError(result.problems)
    progress(f"wrote {sink.study_count} studies and {sink.claim_count} claims")
    insert_concepts(conn, result.concepts)
    listing.derive(conn)  # the study list's order and counts, from the rows above
    info = _new_info(new_hash, sink.claim_count, sink.study_count)
    conn.execute(insert(BuildInfo), [info.model_dump()])
    state = collector.state(settings.data_dir, result.concepts, len(result.warnings), result.cross_warnings)
    incremental.write_state(conn, state)
    return _Built(info, len(result.warnings), "full")


def ensure_built(settings: Settings, progress: Progress = _quiet) -> BuildResult:
    """Build when the database is missing or older than the data (used by ``serve``)."""
    return build_database(settings, force=False, progress=progress)
