"""The all-or-nothing build: data files -> validated records (``app.loader``) -> database.

SQLite: the build writes a new file beside the database and swaps it in with ``os.replace``
(atomic), so readers see the old database or the new one, never half of either, and a failed
build leaves the old file untouched.

PostgreSQL: the build runs in one transaction (under an advisory lock, so two hosts cannot
build at once); readers keep seeing the previous data until it commits. The build ends with
``NOTIFY evidence_kb_build`` so every app process drops its caches at once.

``build_database`` raises ``DataError`` (every problem with file and line) on bad data and
leaves the database unchanged.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import Session, SQLModel

from app import dbfile, grading, listing, search, sof
from app.claim_records import ClaimRecord
from app.db import PG_CHANNEL, make_engine, read_build_info
from app.loader import StreamResult, data_hash, gc_paused, load_stream
from app.models import BuildInfo, Claim, ClaimTopic, Concept, Evidence, Study
from app.problems import DataError
from app.settings import Settings
from app.study_records import StudyRecord

log = logging.getLogger("evidence_kb")

#: Bump when the tables or the search index change: a build then rebuilds from scratch.
#: 7: the search index holds search.index_text; 8: outcomes, estimates, risk of bias;
#: 9: concept translations; 10: study_list and study_group (app.listing)
SCHEMA_VERSION = 10
PG_LOCK_ID = 7_316_420_001  # advisory lock held while a build runs

Progress = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --- schema and search index --------------------------------------------------------------------

# The search columns hold ``search.index_text`` of the claim's texts: tokens already normalised,
# numbers canonical, words stemmed, so neither backend stems or drops words again and both hold
# the same tokens at the same positions (search.py has the one ranking rule).
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
    SQLModel.metadata.drop_all(conn)


# --- build --------------------------------------------------------------------------------------


@dataclass
class BuildResult:
    status: str  # "built" | "unchanged"
    claims: int = 0
    studies: int = 0
    seconds: float = 0.0
    warnings: int = 0


def current_hash(engine: Engine) -> tuple[str | None, int | None]:
    info = read_build_info(engine)
    return (info.data_hash, info.schema_version) if info else (None, None)


def is_stale(settings: Settings) -> bool:
    if settings.is_sqlite and (settings.sqlite_path is None or not settings.sqlite_path.exists()):
        return True
    engine = make_engine(settings)
    try:
        stored, version = current_hash(engine)
    finally:
        engine.dispose()
    return stored != data_hash(settings.data_dir, str(SCHEMA_VERSION)) or version != SCHEMA_VERSION


@gc_paused()  # the rows of a large build would be scanned again and again for nothing
def build_database(
    settings: Settings, *, force: bool = False, progress: Progress = _quiet, replace_foreign: bool = False
) -> BuildResult:
    """Validate the data and load it, all or nothing. Raises ``DataError`` on bad data and
    ``dbfile.UnsafeDatabasePath`` when the SQLite path holds something that is not our database
    (``replace_foreign`` allows replacing a regular file anyway)."""
    started = time.perf_counter()
    if settings.sqlite_configured_path is not None:
        dbfile.check_target(settings.sqlite_configured_path, replace_foreign=replace_foreign)
    new_hash = data_hash(settings.data_dir, str(SCHEMA_VERSION))
    if not force and not is_stale(settings):
        return BuildResult("unchanged", seconds=time.perf_counter() - started)
    progress("full build" + (" (forced)" if force else ""))
    if settings.is_sqlite:
        info, result = _build_sqlite(settings, new_hash, progress, replace_foreign=replace_foreign)
    else:
        built = _build_postgres(settings, new_hash, progress, force=force)
        if built is None:
            return BuildResult("unchanged", seconds=time.perf_counter() - started)
        info, result = built
    return BuildResult(
        "built", info.claims, info.studies, time.perf_counter() - started, len(result.warnings)
    )


def _build_sqlite(
    settings: Settings, new_hash: str, progress: Progress, *, replace_foreign: bool
) -> tuple[BuildInfo, StreamResult]:
    configured = settings.sqlite_configured_path
    if configured is None:
        raise ValueError("an in-memory SQLite database cannot be built; give a file path")
    configured.absolute().parent.mkdir(parents=True, exist_ok=True)
    target = dbfile.check_target(configured, replace_foreign=replace_foreign)
    for stale in dbfile.remove_stale_builds(target):
        progress(f"removed {stale.name}, left behind by a build that was killed")
    tmp = dbfile.temp_path(target)
    tmp.unlink(missing_ok=True)
    engine = make_engine(settings, path=tmp)
    try:
        with engine.begin() as conn:
            conn.execute(text("PRAGMA journal_mode=OFF"))
            conn.execute(text("PRAGMA synchronous=OFF"))
            conn.execute(text(f"PRAGMA application_id={dbfile.APPLICATION_ID}"))
        with engine.begin() as conn:
            _create_schema_sqlite(conn)
            info, result = load_into(conn, settings, new_hash, progress)
        with engine.begin() as conn:
            progress("optimising the search index")
            conn.execute(text("INSERT INTO claim_search(claim_search) VALUES ('optimize')"))
            conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=DELETE"))
        _prepare_factcheck(settings, engine, progress)
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
    return info, result


def _build_postgres(
    settings: Settings, new_hash: str, progress: Progress, *, force: bool
) -> tuple[BuildInfo, StreamResult] | None:
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
            if existing and version != SCHEMA_VERSION:
                progress("schema changed: recreating the tables")
                _drop_schema_pg(conn)
            _create_schema_pg(conn)
            for table in (*CLAIM_TABLES, *STUDY_TABLES, "concept", "build_info"):
                conn.execute(text(f"DELETE FROM {table}"))
            info, result = load_into(conn, settings, new_hash, progress)
            # The new rows sit in the GIN index's pending list, which every search would scan
            # until autovacuum merges it (a selective search at 10,000 claims: 20 ms, not 0.4).
            conn.execute(text("SELECT gin_clean_pending_list('ix_claim_search_document')"))
            _prepare_factcheck(settings, conn, progress)
            conn.execute(
                text("SELECT pg_notify(:channel, :g)"), {"channel": PG_CHANNEL, "g": info.generation}
            )
        with engine.connect() as conn:  # fresh statistics for the planner
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return info, result


def _prepare_factcheck(settings: Settings, bind: Any, progress: Progress) -> None:
    """Write the new build's fact-check index file before the build is served (swapped in or
    committed), so the first fact-check after it does not compile it (``factcheck.indexfile``)."""
    from app.factcheck import indexfile

    progress("preparing the fact-check index")
    try:
        with Session(bind) as session:
            indexfile.prepare(settings, session)
    except Exception as exc:  # the server compiles it on first use instead
        log.warning("fact-check index not prepared: %s", exc)
        progress(f"fact-check index not prepared ({exc}); the server will compile it")


# --- rows ---------------------------------------------------------------------------------------


STUDY_COLUMNS = (
    "key", "entry_type", "title", "year", "container", "volume", "number", "pages", "doi", "pmid",
    "pmcid", "url", "design", "sample_size", "enrolled", "studies_included", "review_of",
    "evidence_level", "population", "intervention", "comparator", "duration", "outcomes",
    "limitations", "risk_of_bias", "funding", "retracted", "note", "fields", "source_path",
    "source_line", "position", "includes", "duplicate_of", "search_date", "arms",
)  # fmt: skip


def study_row(s: StudyRecord) -> dict[str, Any]:
    """The ``study`` table's row of one study."""
    row = {k: getattr(s, k) for k in STUDY_COLUMNS}
    row["authors"] = [p.as_dict() for p in s.authors]
    row["rob"] = s.rob.as_dict() if s.rob else None
    return row


@dataclass
class ClaimRows:
    """The rows of a batch of claims: claim, claim_topic, evidence and claim_search."""

    claims: list[dict[str, Any]]
    topics: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    search: list[dict[str, Any]]


def claim_rows(records: list[ClaimRecord]) -> ClaimRows:
    out = ClaimRows([], [], [], [])
    for record in records:
        c, g = record.claim, record.grade
        out.claims.append({
            "id": c.id, "statement": c.statement, "subject": c.subject, "predicate": c.predicate,
            "summary": c.summary, "population": c.population, "topics": c.topics,
            "verdict": c.verdict, "caveats": c.caveats, "phrasings": c.phrasings,
            "tested_in": c.tested_in,
            "appearances": [a.model_dump(mode="json", exclude_none=True) for a in c.appearances],
            "reviewed": c.reviewed,
            "history": [h.model_dump(mode="json", exclude_none=True) for h in sorted(c.history, key=lambda h: h.date, reverse=True)],
            "grade_level": g.level, "grade_rank": grading.CERTAINTY_RANK[g.level],
            "grade_reasons": [r.as_dict() for r in g.reasons], "grade_direction": g.direction,
            "calibrated": record.calibrated, "study_count": g.study_count,
            "participants": g.participants, "participants_unknown": g.participants_unknown,
            "position": record.position, "kind": c.kind, "unproven_because": c.unproven_because,
            "notes": [n.model_dump(mode="json") for n in c.notes],
            "outcomes": sof.outcome_docs(record),
            "search": c.search.model_dump(mode="json", exclude_none=True) if c.search else None,
        })  # fmt: skip
        out.topics.extend({"claim_id": c.id, "topic": t} for t in dict.fromkeys(c.topics))
        for position, link in enumerate(c.evidence):
            out.evidence.append({
                "claim_id": c.id, "study_key": link.study, "position": position,
                "stance": link.stance, "finding": link.finding, "outcome": link.outcome,
                "directness": link.directness, "indirect_because": list(link.indirect_because),
                "inconsistent": link.inconsistent, "caveats": link.caveats,
                "figures": [f.model_dump(mode="json", exclude_none=True) for f in link.figures],
                "misreading": link.misreading.model_dump(mode="json", exclude_none=True) if link.misreading else None,
                "estimate": link.estimate.model_dump(mode="json", exclude_none=True) if link.estimate else None,
                "dose_response": link.dose_response,
            })  # fmt: skip
        out.search.append({
            "position": record.position,
            "claim_id": c.id, "statement": search.index_text(c.statement),
            "phrasings": search.index_text(" · ".join(c.phrasings)),
            "summary": search.index_text(c.summary), "caveats": search.index_text(" · ".join(c.caveats)),
        })  # fmt: skip
    return out


def insert_claims(conn: Any, records: list[ClaimRecord]) -> None:
    """Insert a batch of claims with their topics, evidence links and search rows."""
    rows = claim_rows(records)
    conn.execute(insert(Claim), rows.claims)
    if rows.topics:
        conn.execute(insert(ClaimTopic), rows.topics)
    if rows.evidence:
        conn.execute(insert(Evidence), rows.evidence)
    # SQLite: the FTS rowid is the claim's position, so a search reads ranks and rowids without
    # loading the text of every matching row (search.compile_query relies on it).
    rowid = ("rowid, ", ":position, ") if conn.dialect.name == "sqlite" else ("", "")
    conn.execute(
        text(f"INSERT INTO claim_search ({rowid[0]}claim_id, statement, phrasings, summary, caveats) "
             f"VALUES ({rowid[1]}:claim_id, :statement, :phrasings, :summary, :caveats)"),
        rows.search,
    )  # fmt: skip


def insert_studies(conn: Any, records: list[StudyRecord]) -> None:
    conn.execute(insert(Study), [study_row(s) for s in records])


def insert_concepts(conn: Any, concepts: list[Any]) -> None:
    rows = [
        {
            "id": k.id,
            "kind": k.kind,
            "group": k.group,
            "label": k.label or "",
            "terms": k.terms,
            "translations": {str(lang): terms for lang, terms in k.translations.items()},
        }
        for k in concepts
    ]
    if rows:
        conn.execute(insert(Concept), rows)


CLAIM_TABLES = ("claim_search", "evidence", "claim_topic", "claim")  # children first
STUDY_TABLES = ("study", "study_list", "study_group")


class DatabaseSink:
    """``loader.RecordSink`` that writes each batch into the open transaction ``conn`` (nothing
    is kept: memory is one batch), counting what it wrote and reporting progress."""

    def __init__(self, conn: Any, progress: Progress):
        self.conn, self.progress = conn, progress
        self.study_count = self.claim_count = 0

    def studies(self, batch: list[StudyRecord]) -> None:
        insert_studies(self.conn, batch)
        self.study_count += len(batch)
        if self.study_count % 10_000 < len(batch):
            self.progress(f"{self.study_count} studies written")

    def claims(self, batch: list[ClaimRecord]) -> None:
        insert_claims(self.conn, batch)
        self.claim_count += len(batch)
        if self.claim_count % 10_000 < len(batch):
            self.progress(f"{self.claim_count} claims written")

    def reset_claims(self) -> None:
        for table in CLAIM_TABLES:
            self.conn.execute(text(f"DELETE FROM {table}"))
        self.claim_count = 0


def load_into(
    conn: Any, settings: Settings, new_hash: str, progress: Progress
) -> tuple[BuildInfo, StreamResult]:
    """Stream the data files into the empty tables of ``conn``; raises ``DataError`` (the caller
    rolls back or deletes the file) when there is any error."""
    progress("reading, validating and writing the data files")
    sink = DatabaseSink(conn, progress)
    result = load_stream(settings.data_dir, sink)
    if result.errors:
        raise DataError(result.problems)
    progress(f"wrote {sink.study_count} studies and {sink.claim_count} claims")
    insert_concepts(conn, result.concepts)
    listing.derive(conn)  # the study list's order and counts, from the rows above
    info = BuildInfo(
        data_hash=new_hash,
        generation=uuid.uuid4().hex,
        built_at=datetime.now(UTC),
        claims=sink.claim_count,
        studies=sink.study_count,
        schema_version=SCHEMA_VERSION,
    )
    conn.execute(insert(BuildInfo), [info.model_dump()])
    return info, result


def ensure_built(settings: Settings, progress: Progress = _quiet) -> BuildResult:
    """Build when the database is missing or older than the data (used by ``serve``)."""
    return build_database(settings, force=False, progress=progress)
