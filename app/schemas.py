"""The JSON shapes of the API, each defined once as a pydantic model.

Routes declare these as their response models, so ``/openapi.json`` describes every response
body, including the error shape (``ErrorResponse``) for each error status. The documents
themselves are built by ``app.store`` and ``app.factcheck`` as plain dicts (the pages use them
too); the API passes them through these models, which drop anything undeclared.
``tests/test_openapi.py`` walks the OpenAPI document and checks real responses against it, so a
field added to a document but not here fails a test instead of vanishing unnoticed.

One module on purpose, though longer than the usual 400 lines: it is declarations only, and one
place to read every shape the API promises is the point.

Dates are ISO 8601 strings (``YYYY-MM-DD``); the site's own addresses (a claim's ``url``, a
study's ``page``, the links of ``GET /api/v1``) are absolute, from the public base URL; sample
sizes are numbers of participants.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.vocab import (
    AppearanceKind,
    BetterDirection,
    Certainty,
    ClaimKind,
    Comparison,
    Design,
    Directness,
    FlagCode,
    GradeLevel,
    IndirectKind,
    IntervalKind,
    Measure,
    NoteKind,
    PostStance,
    RobTool,
    SortOrder,
    Stance,
    UnprovenReason,
    Verdict,
)
from app.vocab import RiskOfBias as RiskOfBiasLevel

Number = int | float  # kept as given: 13 stays 13, 5.2 stays 5.2


class _Out(BaseModel):
    model_config = ConfigDict(use_enum_values=True)


# --- errors -------------------------------------------------------------------------------------


class ErrorDetail(_Out):
    """One problem with a request: where (``in``: query, path or body), which field, what."""

    model_config = ConfigDict(populate_by_name=True)
    in_: str = Field("", alias="in", description="query, path or body")
    field: str = ""
    message: str


class ErrorBody(_Out):
    status: int = Field(description="The HTTP status, repeated")
    code: str = Field(description="Stable machine-readable code, e.g. claim-not-found, invalid-request")
    message: str = Field(description="What went wrong, in a sentence")
    details: list[ErrorDetail] = Field(default_factory=list, description="One entry per invalid field")


class ErrorResponse(_Out):
    """Every 4xx and 5xx answer of the API: ``{"error": {"status", "code", "message", "details"}}``."""

    error: ErrorBody


ERROR_DESCRIPTIONS = {
    400: "The request is not acceptable (for example an unknown Host)",
    401: "An API key was sent and is not known here (reading needs no key: send none)",
    404: "No such claim, study or page",
    408: "The request body took longer than the body timeout to arrive",
    413: "The body is larger than the limit",
    414: "The query string is longer than the limit (bytes or parameters)",
    415: "The body is not sent as application/json",
    422: "A parameter or the body is not valid (``details`` lists each problem, at most 20), or the "
    "answer would be larger than the response cap (``response-too-large``)",
    429: "Too many requests from this client; see Retry-After",
    500: "An error on our side (logged)",
    503: "The database is unavailable or the server is busy; see Retry-After",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses, each with the ``ErrorResponse`` schema."""
    return {s: {"model": ErrorResponse, "description": ERROR_DESCRIPTIONS[s]} for s in statuses}


#: Errors any API route can answer with (401: a key sent that is not known; the guard and the
#: rate limiter answer these before any route runs).
COMMON_ERRORS = (400, 401, 414, 422, 429, 500, 503)
#: What a route that reads a body adds: too large, too slow, not JSON.
BODY_ERRORS = (408, 413, 415)


# --- claims -------------------------------------------------------------------------------------


class Rating(_Out):
    """The verdict on schema.org's ClaimReview scale (``value`` from ``worst`` to ``best``)."""

    value: int
    best: int
    worst: int
    alternate_name: str


class GradeReason(_Out):
    factor: str = Field(description="study design, risk of bias, inconsistency, indirectness, ...")
    effect: int = Field(description="Levels moved: 0 (starting point or note), -1, -2")
    explanation: str
    studies: list[str] = Field(description="Keys of the studies the reason concerns")


class Grade(_Out):
    level: Certainty
    label: str
    reasons: list[GradeReason]


class ClaimSummary(_Out):
    """A claim as the claims list, the API home and a fact-check match show it."""

    id: str
    statement: str
    verdict: Verdict
    verdict_label: str
    rating: Rating
    grade: Grade
    calibrated: str = Field(description="The one-sentence answer in GRADE's wording")
    summary: str
    population: str
    topics: list[str]
    reviewed: dt.date
    study_count: int
    participants: int | None = Field(
        description="Known participants across the linked studies, counted once; null (unknown) when "
        "no study reported its size (never 0 then); 0 only for sources without participants (web pages)"
    )
    participants_unknown: int = Field(description="Evidence units without a known number of participants")
    url: str = Field(description="The claim's page (absolute)")


class ClaimSearchItem(ClaimSummary):
    snippet: str | None = Field(None, description="Where the query matched (only with q)")
    matched_phrasing: str | None = Field(
        None,
        description="One of the claim's phrasings (what people say) that the query matched (only with q)",
    )


class Facet(_Out):
    value: str
    count: int
    selected: bool


class Facets(_Out):
    topic: list[Facet]
    verdict: list[Facet]
    grade: list[Facet]


class DidYouMean(_Out):
    q: str = Field(description="The query with its unknown words corrected from the index's own words")
    total: int = Field(description="How many claims it finds (with the same filters)")


class ClaimList(_Out):
    items: list[ClaimSearchItem]
    total: int
    limit: int
    offset: int
    sort: SortOrder
    facets: Facets
    did_you_mean: DidYouMean | None = Field(
        None,
        description="Only when a query finds nothing: the query with its misspelt words corrected, "
        "when that finds claims (null when nothing close does)",
    )


class Appearance(_Out):
    url: str
    title: str
    date: dt.date | None = None
    kind: AppearanceKind
    author: str | None = Field(None, description="Who made the claim there, when the curators recorded it")


class HistoryEntry(_Out):
    date: dt.date
    change: str
    verdict: Verdict | None = Field(
        None, description="The verdict after this change, when it set or changed it"
    )


class Figure(_Out):
    measure: str
    value: Number | list[Number]
    unit: str
    comparison: str | None = None


class Misreading(_Out):
    claimed: str
    actual: str
    phrasings: list[str] = []
    source: str | None = None


class ReportedFigures(_Out):
    """An estimate's numbers as strings, every digit the source reports ('13.0', '-0.620')."""

    value: str
    ci: list[str] | None = None
    i2: str | None = None


class StudyGroup(_Out):
    """One group of a study: ``{"label": "trained", "n": 13}``."""

    label: str
    n: int


class Estimate(_Out):
    """A structured effect estimate as the source reports it (data/README.md, ``estimate``)."""

    measure: Measure
    value: Number
    ci: list[Number] | None = Field(None, description="95% interval [low, high], same scale as value")
    interval: IntervalKind = IntervalKind.CONFIDENCE
    comparison: Comparison
    scale: str | None = None
    better: BetterDirection | None = Field(None, description="Which way is better on the scale")
    timepoint: str | None = None
    analysed: int | None = Field(None, description="Participants analysed (pooled for this outcome)")
    group: str | None = Field(
        None, description="The study's group the analysed participants are (its 'groups')"
    )
    studies: int | None = Field(None, description="Pooled estimates: studies pooled")
    i2: Number | None = Field(None, description="Pooled estimates: I² in percent")
    swc: Number | None = Field(None, description="Smallest worthwhile change on the same scale")
    small_study_effects: bool = False
    note: str | None = None
    reported: ReportedFigures | None = Field(
        None,
        description="value and ci as the data file writes them (the source's digits: '-0.620'), for display",
    )


class OutcomeEstimate(Estimate):
    study: str = Field(description="Key of the study (or review) that reports it")
    measure_label: str
    text: str = Field(description="'SMD −0.87 (95% CI −1.2 to −0.5)'")
    vs_swc: str | None = Field(description="Where the interval lies against the smallest worthwhile change")


class OutcomeCertainty(_Out):
    level: Certainty
    label: str
    direction: str = Field(description="supports | against | mixed: what the carrying studies show")
    reasons: list[GradeReason] = Field(description="The footnotes: every step from the starting level")


class Outcome(_Out):
    """One row of the summary of findings: an outcome with its own certainty (GRADE)."""

    id: str
    name: str
    population: str = Field(description="Who the outcome is about, as studied")
    intervention: str
    comparator: str | None
    main: bool = Field(description="The outcome the claim is mainly about (its headline)")
    timeframe: str | None
    certainty: OutcomeCertainty
    answer: str = Field(description="The one-line answer in GRADE's wording")
    study_count: int
    participants: int | None = Field(
        description="Participants counted once (reviews and their trials, duplicates); null when no "
        "study reported its size"
    )
    participants_unknown: int
    studies: list[str] = Field(description="Keys of the studies linked to this outcome")
    carrying: list[str] = Field(description="Keys of the studies the certainty rests on")
    links: list[int] = Field(description="Positions of this outcome's links in the claim's evidence list")
    estimate: OutcomeEstimate | None = Field(description="The best or pooled estimate")


class Note(_Out):
    kind: NoteKind
    text: str


class Ongoing(_Out):
    title: str
    registration: str | None = None
    url: str | None = None
    study: str | None = None


class Excluded(_Out):
    study: str | None = None
    citation: str | None = None
    reason: str


class SearchMethods(_Out):
    date: dt.date = Field(description="Date of the last search")
    sources: list[str]
    terms: str | None = None
    ongoing: list[Ongoing] = []
    excluded: list[Excluded] = []


class RiskOfBias(_Out):
    """A study's risk of bias: RoB 2 / ROBINS-I domains, or a named review's rating."""

    overall: RiskOfBiasLevel
    tool: RobTool | None
    domains: dict[str, str] = Field(description="Domain -> the tool's own judgement")
    judged_by: str | None = Field(description="Key of the review whose rating it is")
    rating: str | None = Field(description="That review's own words ('PEDro 6/10')")
    reason: str | None


# --- studies ------------------------------------------------------------------------------------


class StudySummary(_Out):
    key: str = Field(description="The BibTeX key")
    title: str
    authors: list[str] = Field(description="'Family, Given' (without 'others')")
    authors_et_al: bool = Field(description="The author list ends with 'and others'")
    year: int | None
    journal: str | None = Field(description="Journal, book title, school or publisher")
    volume: str | None
    number: str | None
    pages: str | None
    doi: str | None
    doi_url: str | None = Field(
        description="The DOI as a percent-encoded https://doi.org/ link (null without a DOI)"
    )
    pmid: str | None
    pmcid: str | None
    url: str | None
    design: Design | None
    design_label: str | None
    sample_size: int | None = Field(description="Participants analysed (pooled, for a review)")
    enrolled: int | None
    groups: list[StudyGroup] = Field(
        [], description="The groups and their participants, as the study reports them (studies.bib 'groups')"
    )
    studies_included: int | None = Field(description="Reviews: how many studies they pooled")
    population: str | None
    short: str = Field(description="'Roos et al. 2012'")
    retracted: bool
    page: str = Field(description="The study's page (absolute)")


class StudyListItem(StudySummary):
    cited: bool = Field(description="Whether a claim links to the study")


class StudyList(_Out):
    items: list[StudyListItem]
    total: int
    limit: int
    offset: int


class StudyFull(StudySummary):
    entry_type: str
    intervention: str | None
    comparator: str | None
    duration: str | None
    outcomes: list[str]
    limitations: list[str]
    risk_of_bias: str | None
    funding: str | None
    review_of: str | None
    note: str | None
    author_names: list[dict[str, str]] = Field(description="Structured names (family, given, ...)")
    rob: RiskOfBias | None = Field(description="Structured risk of bias")
    includes: list[str] = Field(description="Reviews: keys of included studies in this knowledge base")
    duplicate_of: str | None = Field(description="A probable duplicate publication of this key")
    search_date: str | None = Field(description="Reviews: the date of their own last search")
    arms: int | None = Field(description="Number of groups (1: single-arm)")


class EvidenceLink(_Out):
    """One study linked to a claim: what it found and how directly it answers the claim."""

    study: StudyFull
    stance: Stance
    finding: str
    outcome: str
    directness: Directness
    indirect_because: list[IndirectKind]
    inconsistent: bool
    caveats: list[str]
    figures: list[Figure]
    misreading: Misreading | None
    estimate: Estimate | None = Field(description="The structured effect estimate, where reported")
    dose_response: bool


class ClaimDetail(ClaimSummary):
    subject: str | None
    predicate: str | None
    caveats: list[str]
    phrasings: list[str]
    tested_in: list[str]
    appearances: list[Appearance]
    history: list[HistoryEntry]
    kind: ClaimKind
    unproven_because: UnprovenReason | None
    notes: list[Note] = Field(description="Notes that are not verdicts (a source not found, ...)")
    outcomes: list[Outcome] = Field(description="The summary of findings, main outcome first")
    search: SearchMethods | None
    evidence: list[EvidenceLink]


class StudyClaim(_Out):
    """A claim a study bears on, with the study's stance on it."""

    id: str
    statement: str
    verdict: Verdict
    grade: Certainty
    stance: Stance
    finding: str
    outcome: str
    outcome_name: str = Field(description="The outcome's name as the claim page shows it")
    directness: Directness
    indirect_because: list[IndirectKind]
    url: str


class StudyDetail(StudyFull):
    cited: bool = Field(description="Whether a claim links to the study (as in the study list)")
    claims: list[StudyClaim]


# --- the API home and the methodology -----------------------------------------------------------


class HomeClaim(_Out):
    id: str
    statement: str
    verdict: Verdict
    grade: Certainty
    url: str = Field(description="The claim in the API (absolute)")


class ApiHome(_Out):
    name: str
    version: str
    claims_total: int
    studies_total: int
    built_at: str | None
    links: dict[str, str]
    claims: list[HomeClaim]


class LevelDoc(_Out):
    level: Certainty
    label: str
    meaning: str


class DesignDoc(_Out):
    design: Design
    label: str
    starts_at: GradeLevel = Field(description="For an effect claim")
    starts_at_factual: GradeLevel = Field(description="For a factual or physiological statement")


class RuleDoc(_Out):
    factor: str
    effect: str
    text: str
    sources: list[str] = Field(description="Ids of the GRADE guidance it follows (see sources)")


class SourceDoc(_Out):
    id: str
    label: str = Field(description="'GRADE 6'")
    citation: str
    url: str = Field(description="Absolute address of the guidance")


class VerdictDoc(_Out):
    verdict: Verdict
    label: str
    meaning: str = Field(description="One line: what the verdict says")
    rating: int = Field(description="schema.org ClaimReview ratingValue")


class UnprovenReasonDoc(_Out):
    reason: UnprovenReason
    label: str


# --- open data ----------------------------------------------------------------------------------


class Licence(_Out):
    name: str
    url: str


class DownloadFile(_Out):
    name: str
    media_type: str
    title: str
    size: int = Field(description="Bytes")
    sha256: str
    url: str
    licence: str
    built_at: str


class MissingDownload(_Out):
    name: str
    reason: str


class DownloadList(_Out):
    """The open-data files of the current build (``/downloads``), written once per build."""

    built_at: str
    licence: Licence
    files: list[DownloadFile]
    missing: list[MissingDownload]


class RatingScale(_Out):
    best: int
    worst: int


class Methodology(_Out):
    levels: list[LevelDoc]
    designs: list[DesignDoc]
    rules: list[RuleDoc]
    sources: list[SourceDoc]
    verdicts: list[VerdictDoc]
    unproven_reasons: list[UnprovenReasonDoc]
    rating_scale: RatingScale


# --- fact-check ---------------------------------------------------------------------------------


class Span(_Out):
    """Offsets into the post's text exactly as sent (``text[start:end]``), counted in Unicode code
    points, not UTF-16 code units: an emoji such as 🦵 is one, not two (in JavaScript, index
    ``Array.from(text)``, not the string). ``text``, when present, is the post's own characters
    there (zero-width joiners and other invisible characters included)."""

    start: int
    end: int
    text: str | None = None


class FigureSaid(_Out):
    """A figure of the post: its words and where they are."""

    post_says: str
    span: Span


class Flag(_Out):
    """Where the post outruns the evidence; fields beyond code and message depend on the code."""

    code: FlagCode
    message: str
    post_says: str | None = None
    evidence_shows: str | None = None
    measure: str | None = None
    quantity: str | None = Field(
        None, description="figure-mismatch: what the figure measures (figures.QUANTITIES)"
    )
    study: str | None = None
    studies: list[str] | None = None
    suggestion: str | None = Field(None, description="overclaim: the calibrated wording")
    span: Span | None = Field(
        None,
        description="the words of the post the flag is about: the figure (figure-mismatch), the first "
        "certainty word when there is one (overclaim; each in spans), the group named (population-mismatch), the denying clause "
        "(denies-supported)",
    )
    spans: list[Span] | None = Field(None, description="overclaim: each certainty word of the post")
    figures: list[FigureSaid] | None = Field(
        None, description="misdescribed-study: the post's figures that the misreading states"
    )


class Citation(_Out):
    key: str
    doi: str | None
    url: str | None = Field(description="https://doi.org/... when there is a DOI")
    short: str


class UnverifiedFigure(_Out):
    """A figure of the post with no study figure of the same quantity to compare it with."""

    post_says: str
    quantity: str = Field(description="percent-change, incline, sample-size, speed, ... (figures.QUANTITIES)")
    span: Span
    note: str = Field(
        description='why it is not compared: "no study figure of that kind" (flags.NO_FIGURE), the '
        'evidence\'s figure it is not like for like with, ...; "asked, not stated; " first for a '
        "figure a question asks about"
    )
    study: str | None = Field(
        default=None, description="the study whose recorded misreading states this figure, if one does"
    )


class DeniedFigure(_Out):
    """A figure the post denies without denying the claim ("Walking backwards doesn't burn twice the
    calories": the post denies the doubling, and its stance toward the claim is what is left), or
    with it (the match's stance is then ``denies``: "My trainer says it burns 5 times more calories.
    I'm not convinced.")."""

    post_says: str
    quantity: str = Field(description="percent-change, percent-of-max or body-weights (figures.QUANTITIES)")
    span: Span
    evidence_agrees: bool | None = Field(
        description="True: the evidence does not support the figure either (the denial is right); False: "
        "the evidence holds the figure; null: no study figure of that kind to compare it with"
    )
    note: str = Field(description="what the evidence shows of it")
    study: str | None = Field(default=None, description="the study whose figure it was compared with")
    corrected_to: FigureSaid | None = Field(
        default=None,
        description="the figure the post gives in its place (\"... twice the calories? Nope. It's more like 20% "
        'more."), when it gives one; that figure is checked like any the post states (flags, unverified_figures)',
    )


class Language(_Out):
    code: str = Field(
        description='ISO 639-1 code of the language detected; "und" when none is recognised (too little text)'
    )
    name: str
    confidence: float
    handled: bool = Field(description="False: the matcher does not read this language (see warnings)")
    matched_by: Literal["text", "concepts"] | None = Field(
        description="'text': read in full (English); 'concepts': matched through the concept vocabulary "
        "in this language only (see warnings); null: not read"
    )
    also: list[Language] = Field(
        default=[],
        description="a post that mixes Japanese or Chinese sentences with sentences in another script: "
        "the language of its other part, read as that language allows (this object: the longer part's)",
    )


class FactCheckMatch(_Out):
    claim: ClaimSummary
    score: float = Field(description="Calibrated probability that the post makes the claim (>= threshold)")
    stance: PostStance = Field(description="What the sentence that makes the claim does with it")
    matched_text: Span = Field(description="The sentence or clause of the post that makes the claim")
    ambiguous_with: list[str] = Field(
        description="Claims matched in the same clause of the post whose score is within 0.03"
    )
    flags: list[Flag]
    unverified_figures: list[UnverifiedFigure]
    denied_figures: list[DeniedFigure] = Field(
        default=[],
        description='figures the post denies without denying the claim ("doesn\'t burn twice the calories"), '
        "or with it (stance denies: the figures of the denied claim, with what the evidence shows of them)",
    )
    citations: list[Citation]
    claim_review: dict[str, Any] = Field(description="schema.org ClaimReview (JSON-LD)")


class FactCheckResult(_Out):
    matches: list[FactCheckMatch]
    threshold: float
    language: Language
    hashtags_only: bool = Field(
        False,
        description="The post is nothing but hashtags: it names topics and makes no statement (a warning "
        "says so; its matches carry no overclaim or population flags)",
    )
    warnings: list[str] = Field(description="e.g. a language the matcher does not handle")
    took_ms: float


class BatchItem(FactCheckResult):
    id: str = Field(description="The post's id as sent, or its position")


class BatchResult(_Out):
    results: list[BatchItem]
    took_ms: float


def dump_json(model: type[BaseModel], doc: Any) -> bytes:
    """``doc`` validated by ``model`` and written as compact UTF-8 JSON (fields missing from
    ``doc`` stay missing, so optional keys appear only where the document has them)."""
    return model.model_validate(doc).model_dump_json(by_alias=True, exclude_unset=True).encode()
