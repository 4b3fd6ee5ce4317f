"""Rows of the build's tables from the records, written batch by batch (full and incremental
builds share them): ``study_row``, ``claim_rows``, ``insert_studies``, ``insert_claims``,
``insert_concepts``, and ``DatabaseSink`` (the loader's sink that writes into a transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, insert, text

from app import grading, search, sof
from app.claim_records import ClaimRecord
from app.models import Claim, ClaimTopic, Concept, Evidence, Study
from app.study_records import StudyRecord

Progress = Callable[[str], None]

# --- rows ---------------------------------------------------------------------------------------


STUDY_COLUMNS = (
    "key", "entry_type", "title", "year", "container", "volume", "number", "pages", "doi", "pmid",
    "pmcid", "url", "design", "sample_size", "enrolled", "studies_included", "review_of",
    "evidence_level", "population", "intervention", "comparator", "duration", "outcomes",
    "limitations", "risk_of_bias", "funding", "retracted", "note", "fields", "source_path",
    "source_line", "position", "includes", "duplicate_of", "search_date", "arms",
    "groups",
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
            "phrasings": search.index_text(" · ".join(search.who_texts(c.phrasings, c.population, c.tested_in))),
            "summary": search.index_text(c.summary), "caveats": search.index_text(" · ".join(c.caveats)),
        })  # fmt: skip
    return out


def insert_claims(conn: Any, records: list[ClaimRecord]) -> None:
    """Insert a batch of claims with their topics, evidence links and search rows."""
    rows = claim_rows(records)
    insert_rows(conn, _table(Claim), rows.claims)
    insert_rows(conn, _table(ClaimTopic), rows.topics)
    insert_rows(conn, _table(Evidence), rows.evidence)
    # SQLite: the FTS rowid is the claim's position, so a search reads ranks and rowids without
    # loading the text of every matching row (search.compile_query relies on it).
    keys = ["claim_id", "statement", "phrasings", "summary", "caveats"]  # of the rows.search dicts
    names = list(keys)  # of the table's columns
    if conn.dialect.name == "sqlite":
        keys, names = ["position", *keys], ["rowid", *names]
    if FAST_INSERTS:
        _write(conn, "claim_search", names, [tuple(r[k] for k in keys) for r in rows.search])
    else:
        marks = ", ".join(f":{k}" for k in keys)
        conn.execute(text(f"INSERT INTO claim_search ({', '.join(names)}) VALUES ({marks})"), rows.search)


def insert_studies(conn: Any, records: list[StudyRecord]) -> None:
    insert_rows(conn, _table(Study), [study_row(s) for s in records])


#: False: every row through SQLAlchemy's insert() (the reference ``insert_rows`` is tested against).
FAST_INSERTS = True


def insert_rows(conn: Any, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``, with the values that
    ``conn.execute(insert(table), rows)`` would send (the columns' own bind processors: JSON
    text, SQLite booleans and dates), but without its per-row work: SQLite ``executemany`` of
    plain tuples, PostgreSQL ``COPY``. Rows that leave out a column other than an
    autoincrement key (whose default SQLAlchemy would fill in) go through ``insert()``."""
    if not rows:
        return
    names = list(rows[0])
    omitted = [c for c in table.columns if c.name not in rows[0]]
    if not FAST_INSERTS or any(c is not table.autoincrement_column for c in omitted):
        conn.execute(insert(table), rows)
        return
    dialect = conn.dialect
    processors = [table.columns[n].type.dialect_impl(dialect).bind_processor(dialect) for n in names]
    if all(p is None for p in processors):
        values = [tuple(row[n] for n in names) for row in rows]
    else:
        pairs = list(zip(names, processors, strict=True))
        values = [tuple(row[n] if p is None else p(row[n]) for n, p in pairs) for row in rows]
    _write(conn, table.name, names, values)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table


def _write(conn: Any, table: str, columns: list[str], values: list[tuple[Any, ...]]) -> None:
    """Plain tuples into ``table`` through the DBAPI connection under ``conn`` (its transaction)."""
    if not values:
        return
    quoted = ", ".join(f'"{c}"' for c in columns)
    raw = conn.connection.dbapi_connection
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in columns)
        raw.cursor().executemany(f'INSERT INTO "{table}" ({quoted}) VALUES ({marks})', values)
        return
    with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({quoted}) FROM STDIN') as copy:
        for row in values:
            copy.write_row(row)


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

    def __init__(self, conn: Any, progress: Progress, collector: Any = None):
        self.conn, self.progress, self.collector = conn, progress, collector
        self.study_count = self.claim_count = 0

    def studies(self, batch: list[StudyRecord]) -> None:
        insert_studies(self.conn, batch)
        if self.collector is not None:
            for record in batch:
                self.collector.study(record)
        self.study_count += len(batch)
        if self.study_count % 10_000 < len(batch):
            self.progress(f"{self.study_count} studies written")

    def claims(self, batch: list[ClaimRecord]) -> None:
        insert_claims(self.conn, batch)
        if self.collector is not None:
            for record in batch:
                self.collector.claim(record)
        self.claim_count += len(batch)
        if self.claim_count % 10_000 < len(batch):
            self.progress(f"{self.claim_count} claims written")

    def reset_claims(self) -> None:
        for table in CLAIM_TABLES:
            self.conn.execute(text(f"DELETE FROM {table}"))
        self.claim_count = 0
        if self.collector is not None:
            self.collector.claims.clear()
