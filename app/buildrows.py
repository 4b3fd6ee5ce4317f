"""Rows of the build's tables from the records, written batch by batch (full and incremental
builds share them): ``study_row``, ``claim_rows``, ``insert_studies``, ``insert_claims``,
``insert_concepts``, and ``DatabaseSink`` (the loader's sink that writes into a transaction).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, text

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
