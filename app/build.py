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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlmodel import SQLModel

from app import dbfile, grading, listing, search, sof
from app.db import PG_CHANNEL, make_engine, read_build_info
from app.loader import LoadedData, data_hash, gc_paused, load_data
from app.models import BuildInfo, Claim, ClaimTopic, Concept, Evidence, Study
from app.problems import DataError
from app.settings import Settings

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
    progress("reading and validating the data files")
    loaded = load_data(settings.data_dir)
    if loaded.errors:
        raise DataError(loaded.problems)
    info = BuildInfo(
        data_hash=new_hash,
        generation=uuid.uuid4().hex,
        built_at=datetime.now(UTC),
        claims=len(loaded.claims),
        studies=len(loaded.studies),
        schema_version=SCHEMA_VERSION,
    )
    if settings.is_sqlite:
        _build_sqlite(settings, loaded, info, progress, replace_foreign=replace_foreign)
    elif not _build_postgres(settings, loaded, info, progress, force=force):
        return BuildResult("unchanged", seconds=time.perf_counter() - started)
    return BuildResult(
        "built", len(loaded.claims), len(loaded.studies), time.perf_counter() - started, len(loaded.warnings)
    )


def _build_sqlite(
    settings: Settings, loaded: LoadedData, info: BuildInfo, progress: Progress, *, replace_foreign: bool
) -> None:
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
            _insert_all(conn, loaded, info, progress)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO claim_search(claim_search) VALUES ('optimize')"))
            conn.execute(text("ANALYZE"))
        with engine.connect() as conn:
            conn.execute(text("PRAGMA journal_mode=DELETE"))
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


def _build_postgres(
    settings: Settings, loaded: LoadedData, info: BuildInfo, progress: Progress, *, force: bool
) -> bool:
    """Load the data in one transaction; False when another process built the same data while
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
                if stored == info.data_hash:
                    progress("another process built the same data meanwhile: nothing to do")
                    return False
            if existing and version != SCHEMA_VERSION:
                progress("schema changed: recreating the tables")
                _drop_schema_pg(conn)
            _create_schema_pg(conn)
            for table in (
                "claim_search",
                "evidence",
                "claim_topic",
                "claim",
                "study",
                "study_list",
                "study_group",
                "concept",
                "build_info",
            ):
                conn.execute(text(f"DELETE FROM {table}"))
            _insert_all(conn, loaded, info, progress)
            # The new rows sit in the GIN index's pending list, which every search would scan
            # until autovacuum merges it (a selective search at 10,000 claims: 20 ms, not 0.4).
            conn.execute(text("SELECT gin_clean_pending_list('ix_claim_search_document')"))
            conn.execute(
                text("SELECT pg_notify(:channel, :g)"), {"channel": PG_CHANNEL, "g": info.generation}
            )
        with engine.connect() as conn:  # fresh statistics for the planner
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    finally:
        engine.dispose()
    return True


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert_all(conn: Any, loaded: LoadedData, info: BuildInfo, progress: Progress) -> None:
    progress(f"writing {len(loaded.studies)} studies")
    study_rows = [
        {
            **{k: getattr(s, k) for k in (
                "key", "entry_type", "title", "year", "container", "volume", "number", "pages",
                "doi", "pmid", "pmcid", "url", "design", "sample_size", "enrolled",
                "studies_included", "review_of", "evidence_level", "population", "intervention",
                "comparator", "duration", "outcomes", "limitations", "risk_of_bias", "funding",
                "retracted", "note", "fields", "source_path", "source_line", "position",
                "includes", "duplicate_of", "search_date", "arms")},
            "authors": [p.as_dict() for p in s.authors],
            "rob": s.rob.as_dict() if s.rob else None,
        }
        for s in loaded.studies
    ]  # fmt: skip
    for chunk in _chunks(study_rows):
        conn.execute(insert(Study), chunk)

    progress(f"writing {len(loaded.claims)} claims")
    claim_rows: list[dict[str, Any]] = []
    topic_rows: list[dict[str, Any]] = []
    evidence_rows: list[dict[str, Any]] = []
    search_rows: list[dict[str, Any]] = []
    for record in loaded.claims:
        c, g = record.claim, record.grade
        claim_rows.append({
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
        topic_rows.extend({"claim_id": c.id, "topic": t} for t in dict.fromkeys(c.topics))
        for position, link in enumerate(c.evidence):
            evidence_rows.append({
                "claim_id": c.id, "study_key": link.study, "position": position,
                "stance": link.stance, "finding": link.finding, "outcome": link.outcome,
                "directness": link.directness, "indirect_because": list(link.indirect_because),
                "inconsistent": link.inconsistent, "caveats": link.caveats,
                "figures": [f.model_dump(mode="json", exclude_none=True) for f in link.figures],
                "misreading": link.misreading.model_dump(mode="json", exclude_none=True) if link.misreading else None,
                "estimate": link.estimate.model_dump(mode="json", exclude_none=True) if link.estimate else None,
                "dose_response": link.dose_response,
            })  # fmt: skip
        search_rows.append({
            "position": record.position,
            "claim_id": c.id, "statement": search.index_text(c.statement),
            "phrasings": search.index_text(" · ".join(c.phrasings)),
            "summary": search.index_text(c.summary), "caveats": search.index_text(" · ".join(c.caveats)),
        })  # fmt: skip
    for chunk in _chunks(claim_rows):
        conn.execute(insert(Claim), chunk)
    for chunk in _chunks(topic_rows):
        conn.execute(insert(ClaimTopic), chunk)
    progress(f"writing {len(evidence_rows)} evidence links")
    for chunk in _chunks(evidence_rows):
        conn.execute(insert(Evidence), chunk)
    progress("building the search index")
    # SQLite: the FTS rowid is the claim's position, so a search reads ranks and rowids without
    # loading the text of every matching row (search.compile_query relies on it).
    rowid = ("rowid, ", ":position, ") if conn.dialect.name == "sqlite" else ("", "")
    for chunk in _chunks(search_rows):
        conn.execute(
            text(f"INSERT INTO claim_search ({rowid[0]}claim_id, statement, phrasings, summary, caveats) "
                 f"VALUES ({rowid[1]}:claim_id, :statement, :phrasings, :summary, :caveats)"),
            chunk,
        )  # fmt: skip
    concept_rows = [
        {
            "id": k.id,
            "kind": k.kind,
            "group": k.group,
            "label": k.label or "",
            "terms": k.terms,
            "translations": {str(lang): terms for lang, terms in k.translations.items()},
        }
        for k in loaded.concepts
    ]
    if concept_rows:
        conn.execute(insert(Concept), concept_rows)
    listing.derive(conn)  # the study list's order and counts, from the rows above
    conn.execute(insert(BuildInfo), [info.model_dump()])


def ensure_built(settings: Settings, progress: Progress = _quiet) -> BuildResult:
    """Build when the database is missing or older than the data (used by ``serve``)."""
    return build_database(settings, force=False, progress=progress)
