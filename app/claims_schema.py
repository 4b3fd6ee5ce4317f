"""The ``claims.yaml`` and ``concepts.yaml`` input schema (pydantic models, strict: unknown fields
are errors). Documented field by field in data/README.md.

Checks that need only the claim itself live here (an interval that does not contain its estimate,
a ratio with a non-positive bound, one main outcome); checks that need the bibliography (unknown
keys, a between-group estimate from a single-arm study) live in ``app.loader``.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PrivateAttr,
    StringConstraints,
    computed_field,
    field_validator,
    model_validator,
)

from app import grading
from app.vocab import (
    AppearanceKind,
    BetterDirection,
    ClaimKind,
    Comparison,
    ConceptKind,
    Directness,
    IndirectKind,
    IntervalKind,
    Measure,
    NoteKind,
    PopulationGroup,
    Stance,
    TermLanguage,
    UnprovenReason,
    Verdict,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL = re.compile(r"^https?://\S+$")
Slug = Annotated[str, StringConstraints(pattern=SLUG.pattern)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: How a value that does not match a pattern is described to curators.
PATTERN_NAMES = {
    SLUG.pattern: "a valid slug (lower-case letters, digits and hyphens)",
    URL.pattern: "a valid URL (http:// or https://, no spaces)",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FigureIn(_Strict):
    measure: Text
    value: float | tuple[float, float]
    unit: Text
    comparison: str | None = None


class MisreadingIn(_Strict):
    claimed: Text
    actual: Text
    phrasings: list[Text] = []
    source: str | None = None


def _plain(value: float) -> str:
    """A number YAML read as an integer, as written: 2 -> '2' (a float keeps its text in ``written``)."""
    return str(int(value)) if float(value).is_integer() else repr(value)


class EstimateIn(_Strict):
    """A structured effect estimate as the source reports it (one outcome, one time point).

    ``ci`` is the 95% interval ``[low, high]`` on the same scale as ``value`` (ratio measures on
    the ratio scale, not logs). ``swc`` is the smallest worthwhile change on that scale: a
    positive magnitude for difference measures, a ratio above 1 for ratio measures (the
    threshold is then ``swc`` and ``1/swc``).
    """

    measure: Measure
    value: float
    ci: tuple[float, float] | None = None
    interval: IntervalKind = IntervalKind.CONFIDENCE
    comparison: Comparison
    scale: Text | None = None  # what was measured and in what unit: "pain NRS 0-10 points"
    better: BetterDirection | None = None  # which way is better on this scale
    timepoint: Text | None = None  # "6 weeks", "3 months"
    analysed: int | None = None  # number analysed for this estimate
    group: Text | None = None  # the study's group (studies.bib ``groups``) the analysed participants are
    studies: int | None = None  # pooled estimates: number of studies pooled
    i2: float | None = None  # pooled estimates: I² in percent, where reported
    swc: float | None = None  # smallest worthwhile change on this scale, where known
    small_study_effects: bool = False  # the source reports funnel asymmetry / small-study effects
    note: Text | None = None
    _written: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_written(cls, data: Any, handler: Any) -> EstimateIn:
        """Keep how ``value`` and the ``ci`` bounds were written (``yamlread``'s ``written``):
        ``-0.620`` as the source reports it, which the float -0.62 would drop."""
        model: EstimateIn = handler(data)
        written = getattr(data, "written", None) or {}
        ci = data.get("ci") if isinstance(data, dict) else None
        model._written = {"value": written.get("value"), "ci": getattr(ci, "written", None) or {},
                          "i2": written.get("i2")}  # fmt: skip
        return model

    @computed_field  # type: ignore[prop-decorator]
    @property
    def reported(self) -> dict[str, Any] | None:
        """``value``, ``ci`` and ``i2`` as the data file writes them (strings, the digits the
        source reports: ``{"value": "-0.997", "ci": ["-1.373", "-0.620"]}``), for showing them;
        None when the estimate did not come from a file (the numbers are then all there is)."""
        if not any(self._written.get(k) for k in ("value", "ci", "i2")):
            return None
        out: dict[str, Any] = {"value": self._written.get("value") or _plain(self.value)}
        if self.ci is not None:
            bounds = self._written.get("ci") or {}
            out["ci"] = [bounds.get(i) or _plain(bound) for i, bound in enumerate(self.ci)]
        if self.i2 is not None:
            out["i2"] = self._written.get("i2") or _plain(self.i2)
        return out

    @model_validator(mode="after")
    def _coherent(self) -> EstimateIn:
        problems = grading.estimate_problems(self.measure, self.value, self.ci, self.swc)
        if self.i2 is not None and not 0 <= self.i2 <= 100:
            problems.append(f"i2 {self.i2:g} is not a percentage between 0 and 100")
        if self.analysed is not None and self.analysed < 1:
            problems.append("analysed must be a positive number of participants")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class EvidenceIn(_Strict):
    study: Text
    stance: Stance
    finding: Text
    outcome: Text  # an outcome id of the claim (or, for a claim without outcomes, free text)
    directness: Directness
    indirect_because: list[IndirectKind] = []
    inconsistent: bool = False
    caveats: list[Text] = []
    figures: list[FigureIn] = []
    estimate: EstimateIn | None = None
    dose_response: bool = False  # the study reports a dose-response gradient (GRADE 9)
    misreading: MisreadingIn | None = None

    @field_validator("indirect_because")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("lists a reason twice")
        return value


class OutcomeIn(_Strict):
    """One question the claim answers: population, intervention, comparator and outcome (PICO)."""

    id: Slug
    name: Text  # "knee pain"
    population: Text  # who was studied for this outcome ("people with knee osteoarthritis")
    intervention: Text  # "backward walking added to physiotherapy"
    comparator: Text | None = None  # "physiotherapy alone"; none for a factual statement
    main: bool = False  # the outcome the claim is mainly about (its headline)
    predicate: Text | None = None  # base form for the one-line answer: "reduce knee pain"
    predicate_s: Text | None = None  # third-person form when the first verb is not enough
    timeframe: Text | None = None  # "in the short term (4-6 weeks)"


class OngoingIn(_Strict):
    title: Text
    registration: Text | None = None  # trial registry id or protocol DOI
    url: Annotated[str, StringConstraints(pattern=URL.pattern)] | None = None
    study: Text | None = None  # a key of studies.bib when the protocol is there


class ExcludedIn(_Strict):
    study: Text | None = None  # a key of studies.bib ...
    citation: Text | None = None  # ... or a citation in words
    reason: Text

    @model_validator(mode="after")
    def _names_a_study(self) -> ExcludedIn:
        if not self.study and not self.citation:
            raise ValueError("an excluded study needs 'study' (a key) or 'citation'")
        return self


class SearchIn(_Strict):
    """How the evidence for the claim was searched for (the methods of a review, in short)."""

    date: dt.date  # date of the last search
    sources: list[Text]  # "PubMed", "PMC", "Cochrane Library", "Google Scholar", ...
    terms: Text | None = None
    ongoing: list[OngoingIn] = []
    excluded: list[ExcludedIn] = []


class NoteIn(_Strict):
    kind: NoteKind
    text: Text


class AppearanceIn(_Strict):
    url: Annotated[str, StringConstraints(pattern=URL.pattern)]
    title: Text
    date: dt.date | None = None
    kind: AppearanceKind = AppearanceKind.ARTICLE
    #: Who made the claim there (a person, as the page names them); ClaimReview's
    #: ``itemReviewed.author`` (the website's host when absent).
    author: Text | None = None


class HistoryIn(_Strict):
    date: dt.date
    change: Text
    #: The verdict after this change, when the change set or changed it: the Atom feed announces
    #: verdict changes from it.
    verdict: Verdict | None = None


class ClaimIn(_Strict):
    id: Slug
    statement: Text
    kind: ClaimKind = ClaimKind.EFFECT
    subject: Text | None = None
    predicate: Text | None = None
    predicate_s: Text | None = None  # third-person form, for compound predicates
    summary: Text
    population: Text
    topics: list[Slug]
    verdict: Verdict
    unproven_because: UnprovenReason | None = None
    notes: list[NoteIn] = []
    caveats: list[Text]
    phrasings: list[Text] = []
    tested_in: list[Slug] = []
    appearances: list[AppearanceIn] = []
    reviewed: dt.date
    history: list[HistoryIn]
    outcomes: list[OutcomeIn] = []
    search: SearchIn | None = None
    evidence: list[EvidenceIn] = []

    @model_validator(mode="after")
    def _coherent(self) -> ClaimIn:
        if self.verdict == "unproven" and self.unproven_because is None:
            raise ValueError("verdict 'unproven' needs unproven_because: untested or no-evidence-found")
        if self.verdict != "unproven" and self.unproven_because is not None:
            raise ValueError("unproven_because is only for the verdict 'unproven'")
        ids = [o.id for o in self.outcomes]
        if len(set(ids)) != len(ids):
            raise ValueError("outcome ids must be unique within a claim")
        mains = sum(o.main for o in self.outcomes)
        if mains > 1 or (len(self.outcomes) > 1 and mains == 0):
            raise ValueError("exactly one outcome must be marked 'main: true'")
        return self


class ConceptIn(_Strict):
    id: Slug
    kind: ConceptKind = ConceptKind.TOPIC
    group: PopulationGroup | None = None  # populations only
    label: str | None = None
    terms: list[Text]
    # The same idea in other languages, as a bilingual curator writes it (posts in these languages
    # are matched through these terms only; see docs/factcheck.md).
    translations: dict[TermLanguage, list[Text]] = {}
