"""Database tables (SQLModel) and the JSON shapes the API returns.

The tables hold what the loader validated and what the build computed (grades, counts), so
reading a claim page never recomputes anything.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel


def _json() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Study(SQLModel, table=True):
    key: str = Field(primary_key=True)
    entry_type: str
    title: str = ""  # decoded from LaTeX
    authors: list[dict[str, str]] = _json()  # bibtex.Person dicts, decoded
    year: int | None = None
    container: str | None = None  # journal, book title, school or publisher (decoded)
    volume: str | None = None
    number: str | None = None
    pages: str | None = None  # with an en dash
    doi: str | None = Field(default=None, index=True)
    pmid: str | None = None
    pmcid: str | None = None
    url: str | None = None
    design: str | None = Field(default=None, index=True)
    sample_size: int | None = None
    enrolled: int | None = None
    studies_included: int | None = None
    review_of: str | None = None
    evidence_level: str | None = None
    population: str | None = None
    intervention: str | None = None
    comparator: str | None = None
    duration: str | None = None
    outcomes: list[str] = _json()
    limitations: list[str] = _json()
    risk_of_bias: str | None = None
    funding: str | None = None
    retracted: bool = False
    note: str | None = None
    fields: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_path: str = ""
    source_line: int = 0
    position: int = Field(default=0, index=True)  # order in the .bib files
    rob: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )  # study_records.RiskOfBias
    includes: list[str] = _json()  # reviews: included studies in the bibliography
    duplicate_of: str | None = None
    search_date: str | None = None  # reviews: their own last search
    arms: int | None = None
    groups: list[dict[str, Any]] = _json()  # [{"label": "trained", "n": 13}, ...]


class Claim(SQLModel, table=True):
    id: str = Field(primary_key=True)
    statement: str
    subject: str | None = None
    predicate: str | None = None
    summary: str = Field(sa_column=Column(Text, nullable=False))
    population: str
    topics: list[str] = _json()
    verdict: str = Field(index=True)
    caveats: list[str] = _json()
    phrasings: list[str] = _json()
    tested_in: list[str] = _json()
    appearances: list[dict[str, Any]] = _json()
    reviewed: date = Field(index=True)
    history: list[dict[str, Any]] = _json()
    grade_level: str = Field(index=True)
    grade_rank: int = 0  # 3 high .. 0 very-low, for sorting
    grade_reasons: list[dict[str, Any]] = _json()
    grade_direction: str = "supports"
    calibrated: str = ""  # the one-sentence answer in GRADE's wording
    study_count: int = 0
    participants: int = 0
    participants_unknown: int = 0
    position: int = Field(default=0, index=True)  # order in claims.yaml
    kind: str = "effect"
    unproven_because: str | None = None
    notes: list[dict[str, Any]] = _json()
    #: One summary-of-findings row per outcome, computed by the build (``app.sof.outcome_docs``).
    outcomes: list[dict[str, Any]] = _json()
    search: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class ClaimTopic(SQLModel, table=True):
    """One row per (claim, topic): topic facets and filters use an index, not a JSON scan."""

    __tablename__ = "claim_topic"
    __table_args__ = (Index("ix_claim_topic_topic_claim", "topic", "claim_id"),)
    claim_id: str = Field(primary_key=True, foreign_key="claim.id")
    topic: str = Field(primary_key=True)


class StudyList(SQLModel, table=True):
    """The bibliography's listing order, computed by the build (``app.listing.derive``): one
    narrow row per study with whether a claim cites it and its 0-based place (``seq``) in the
    whole list, among the studies with the same ``cited``, the same ``design``, and both. A page
    of ``GET /api/v1/studies`` is then ``seq >= offset`` on an index: the same cost at any
    offset and any size (no OFFSET scan, no EXISTS per row)."""

    __tablename__ = "study_list"
    __table_args__ = (
        Index("ix_study_list_cited_seq", "cited", "cited_seq"),
        Index("ix_study_list_design_seq", "design", "design_seq"),
        Index("ix_study_list_design_cited_seq", "design", "cited", "design_cited_seq"),
    )
    key: str = Field(primary_key=True)
    position: int = 0
    design: str | None = None
    cited: bool = False
    seq: int = Field(default=0, index=True)
    cited_seq: int = 0
    design_seq: int = 0
    design_cited_seq: int = 0


class StudyGroup(SQLModel, table=True):
    """How many studies have each (design, cited) pair, computed by the build: the totals of
    the study list without a text query, read instead of counted per request."""

    __tablename__ = "study_group"
    id: int | None = Field(default=None, primary_key=True)
    design: str | None = None
    cited: bool = False
    studies: int = 0


class Evidence(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    claim_id: str = Field(foreign_key="claim.id", index=True)
    study_key: str = Field(foreign_key="study.key", index=True)
    position: int = 0
    stance: str
    finding: str = Field(sa_column=Column(Text, nullable=False))
    outcome: str = ""
    directness: str = "direct"
    indirect_because: list[str] = _json()
    inconsistent: bool = False
    caveats: list[str] = _json()
    figures: list[dict[str, Any]] = _json()
    misreading: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    estimate: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    dose_response: bool = False


class Concept(SQLModel, table=True):
    """The curated vocabulary (data/concepts.yaml) that search and the fact-check expand."""

    id: str = Field(primary_key=True)
    kind: str = "topic"
    group: str | None = None
    label: str = ""
    terms: list[str] = _json()
    translations: dict[str, list[str]] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class BuildInfo(SQLModel, table=True):
    __tablename__ = "build_info"
    id: int = Field(default=1, primary_key=True)
    data_hash: str
    generation: str  # changes with every build; caches key on it
    built_at: datetime
    claims: int = 0
    studies: int = 0
    schema_version: int = 0


# --- API shapes ---------------------------------------------------------------------------------


class GradeOut(BaseModel):
    level: str
    reasons: list[dict[str, Any]]


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    details: list[dict[str, Any]] = PydanticField(default_factory=list)


class ErrorOut(BaseModel):
    error: ErrorBody
