"""Evidence grade: GRADE-style certainty computed from a claim's linked studies.

Pure functions, no I/O. Every step that moves the level is returned as a ``Reason`` naming
the factor, its effect and the studies it concerns; the methodology page is generated from
``RULES`` and the constants below, so it cannot drift from this code. House rules:
``tests/fixtures/reference/grading.md``; the rules themselves are in ``app/certainty.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from app import vocab
from app.problems import Severity
from app.vocab import (
    Certainty,
    ClaimKind,
    Comparison,
    Design,
    GradeDirection,
    GradeLevel,
    Measure,
    Stance,
    UnprovenReason,
    Verdict,
)

LEVELS: list[str] = list(GradeLevel)  # index = numeric level 0..3
LEVEL_MEANINGS: dict[str, str] = {
    GradeLevel.HIGH: "We are very confident that the true effect is close to what the studies found.",
    GradeLevel.MODERATE: "The true effect is probably close to what the studies found, but could differ.",
    GradeLevel.LOW: "The true effect may differ substantially from what the studies found.",
    GradeLevel.VERY_LOW: "The true effect is likely to differ substantially from what the studies found.",
}

#: What a summary of findings can say about an outcome: a GRADE level, or no level at all.
CERTAINTIES: list[str] = list(Certainty)
#: Sort rank: 3 high .. 0 very low, then the outcomes without a level.
CERTAINTY_RANK: dict[str, int] = {c: 3 - i for i, c in enumerate(CERTAINTIES)}
LEVEL_LABELS = vocab.CERTAINTY_LABELS
LEVEL_MEANINGS.update({
    Certainty.NO_DIRECT_EVIDENCE: "No study has measured this directly: the studies found are about other "
    "people, outcomes or comparisons, and are shown as context, not graded.",
    Certainty.NO_EVIDENCE: "No study bears on this: it is untested.",
})  # fmt: skip

DESIGNS: list[str] = list(Design)
DESIGN_LABELS = vocab.DESIGN_LABELS
REVIEW_DESIGNS = {Design.SYSTEMATIC_REVIEW, Design.META_ANALYSIS}
#: Designs that need no sample size (no participants of their own).
NO_SAMPLE_DESIGNS = REVIEW_DESIGNS | {Design.GUIDELINE, Design.EXPERT_OPINION, Design.WEB_PAGE}
#: Order used to pick the strongest design among studies that start at the same level.
DESIGN_RANK = {d: i for i, d in enumerate(DESIGNS)}

# The vocabularies themselves live in app.vocab; these names are kept for the grading code and
# its readers (derived, not copies).
STANCES: list[str] = list(Stance)
INDIRECTNESS_KINDS = vocab.INDIRECT_EXPLANATIONS
RISK_OF_BIAS: list[str] = list(vocab.RiskOfBias)
RISK_OF_BIAS_LABELS = vocab.RISK_OF_BIAS_LABELS
CLAIM_KINDS: tuple[str, ...] = tuple(ClaimKind)
CLAIM_KIND_LABELS = vocab.CLAIM_KIND_LABELS
VERDICTS: list[str] = list(Verdict)
VERDICT_LABELS = vocab.VERDICT_LABELS
VERDICT_MEANINGS = vocab.VERDICT_MEANINGS
UNPROVEN_REASONS: tuple[str, ...] = tuple(UnprovenReason)
UNPROVEN_LABELS = vocab.UNPROVEN_LABELS
#: schema.org ClaimReview ``reviewRating``: 1 (worst) to 5 (best). "Unproven" sits in the
#: middle: it says neither that the claim is true nor that it is false.
VERDICT_RATING: dict[str, int] = {
    Verdict.SUPPORTED: 5, Verdict.PARTLY_SUPPORTED: 4, Verdict.UNPROVEN: 3,
    Verdict.MISLEADING: 2, Verdict.CONTRADICTED: 1,
}  # fmt: skip
BEST_RATING, WORST_RATING = 5, 1
NOTE_LABELS = vocab.NOTE_LABELS

# --- effect estimates ---------------------------------------------------------------------------

MEASURES: tuple[str, ...] = tuple(Measure)
MEASURE_LABELS = vocab.MEASURE_LABELS
MEASURE_SHORT = vocab.MEASURE_SHORT
RATIO_MEASURES = frozenset({Measure.RR, Measure.OR, Measure.HR})
#: Standardised measures share one scale, so they can sit in one forest plot.
STANDARDISED_MEASURES = frozenset({Measure.SMD, Measure.HEDGES_G})
#: The value of "no effect" per measure (ratios: 1; an AUC of 0.5 is chance).
NULL_VALUE = {m: 1.0 if m in RATIO_MEASURES else 0.5 if m == Measure.AUC else 0.0 for m in MEASURES}
COMPARISONS: tuple[str, ...] = tuple(Comparison)
COMPARISON_LABELS = vocab.COMPARISON_LABELS
#: Comparative estimates: the ones a forest plot and a summary of findings may show as effects.
COMPARATIVE = frozenset({Comparison.BETWEEN_GROUP, Comparison.WITHIN_SUBJECT})


def estimate_problems(measure: str, value: float, ci: tuple[float, float] | None,
                      swc: float | None = None) -> list[str]:  # fmt: skip
    """What is wrong with an effect estimate on its own: [] when it is coherent.

    The interval must be ordered and contain its estimate; a ratio (RR, OR, HR) must have a
    positive value and positive bounds; a smallest worthwhile change must be positive (above 1
    for a ratio). ``check`` reports each message with the file and line of the estimate.
    """
    problems: list[str] = []
    if measure in RATIO_MEASURES and (value <= 0 or (ci is not None and min(ci) <= 0)):
        problems.append(f"a {MEASURE_LABELS[measure].lower()} and its interval must be positive")
    if ci is not None:
        low, high = ci
        if low > high:
            problems.append(f"interval [{low:g}, {high:g}] is the wrong way round (write [low, high])")
        elif not low <= value <= high:
            problems.append(f"interval [{low:g}, {high:g}] does not contain the estimate {value:g}")
    if swc is not None and (swc <= 0 or (measure in RATIO_MEASURES and swc <= 1)):
        problems.append("swc must be positive (a ratio above 1 for ratio measures)")
    return problems


# --- risk of bias -------------------------------------------------------------------------------

#: Tools a study's risk of bias can be judged with (``robtool`` in studies.bib).
ROB_TOOLS = vocab.ROB_TOOL_LABELS
ROB_DOMAINS = {
    "rob2": {
        "randomisation": "Randomisation process",
        "period-carryover": "Period and carryover effects (crossover trials)",
        "deviations": "Deviations from intended interventions",
        "missing-data": "Missing outcome data",
        "measurement": "Measurement of the outcome",
        "reporting": "Selection of the reported result",
    },
    "robins-i": {
        "confounding": "Confounding",
        "selection": "Selection of participants",
        "classification": "Classification of interventions",
        "deviations": "Deviations from intended interventions",
        "missing-data": "Missing data",
        "measurement": "Measurement of outcomes",
        "reporting": "Selection of the reported result",
    },
}
ROB_JUDGEMENTS = {
    "rob2": ("low", "some-concerns", "high"),
    "robins-i": ("low", "moderate", "serious", "critical", "no-information"),
}
#: ROBINS-I judgements on the common overall scale used by the grade.
ROBINS_OVERALL = {
    "low": "low", "moderate": "some-concerns", "serious": "high", "critical": "high",
    "no-information": "unclear",
}  # fmt: skip


def rob_overall_from_domains(tool: str, domains: dict[str, str]) -> str | None:
    """The overall judgement the tool's algorithm gives: the worst domain (RoB 2 guidance; for
    ROBINS-I the worst domain mapped to the common scale). None for a tool without domains."""
    if tool not in ROB_JUDGEMENTS or not domains:
        return None
    worst = max(domains.values(), key=ROB_JUDGEMENTS[tool].index)
    return ROBINS_OVERALL[worst] if tool == "robins-i" else worst


@dataclass(frozen=True)
class GradedStudy:
    """What grading needs to know about one evidence link and its study."""

    key: str
    design: str | None
    stance: str
    sample_size: int | None = None  # participants analysed (pooled, for a review)
    enrolled: int | None = None
    directness: str = "direct"
    indirect_because: tuple[str, ...] = ()
    inconsistent: bool = False
    risk_of_bias: str | None = None
    retracted: bool = False
    review_of: str | None = None  # trials | observational | mixed (reviews only)
    evidence_level: str | None = None  # guidelines: level of the evidence they rest on
    includes: tuple[str, ...] = ()  # reviews: keys of included studies in the knowledge base
    duplicate_of: str | None = None  # a probable duplicate publication of this key
    effect: Effect | None = None  # the link's structured effect estimate, where reported
    dose_response: bool = False  # the study reports a dose-response gradient


MINUS = "\u2212"


def number(value: float) -> str:
    """3 significant decimals at most, a real minus sign: -0.87 -> '−0.87', 13.0 -> '13'."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS) if text not in ("-0", "") else "0"


def reported_number(text: str) -> str:
    """A number as the source reports it (``EstimateIn.reported``: '-0.620', '13.0'), every digit
    kept and none added, in the pages' form: a real minus sign, no plus sign."""
    text = text.strip().removeprefix("+")
    return MINUS + text[1:] if text.startswith("-") else text


def people(value: int) -> str:
    """A count of people as the pages write it: '27', '10,000' (a separator from 10,000 up)."""
    return f"{value:,}" if abs(value) >= 10_000 else str(value)


def groups_text(study: Mapping[str, Any]) -> str:
    """'13 trained, 13 controls': who a study's sample size counts, from studies.bib's ``groups``
    (the study document's ``groups``); '' without them. Pages, the chart and the fact-check use it."""
    return ", ".join(f"{g['n']:,} {g['label']}" for g in study.get("groups") or [])


def sample_text(study: Mapping[str, Any], enrolled: bool = False) -> str:
    """A study's sample size as a reader needs it: pooled participants for reviews, the participants
    analysed with the groups they are ('26 participants (13 trained, 13 controls)'), enrolled as a
    fallback. ``enrolled``: also the number enrolled when it differs from the number analysed ('27
    participants (29 enrolled)'), as the study page and the fact-check's sample-size figures say
    it (one text for both: a fact-check never says 29 where the page says 27). ``study``: the study
    document's fields (``sample_size``, ``enrolled``, ``groups``, ``studies_included``, ``design``)."""
    parts = []
    if study.get("studies_included"):
        parts.append(f"{study['studies_included']} studies")
    size, joined = study.get("sample_size"), study.get("enrolled")
    if size is not None:
        groups = groups_text(study)
        parts.append(f"{people(size)} participants" + (f" ({groups})" if groups else ""))
        if enrolled and joined is not None and joined != size:
            parts[-1] += f" ({people(joined)} enrolled)"
    elif joined is not None:
        parts.append(f"{people(joined)} enrolled")
    if parts:
        return ", ".join(parts)
    if study.get("design") not in NO_SAMPLE_DESIGNS:
        return "Not reported"
    unsized = unsized_text(study.get("design"))
    return unsized[:1].upper() + unsized[1:]


def unsized_text(design: str | None) -> str:
    """What a study without a sample size is said to have, the same on every surface (the study's
    sample column, the chart as text): a review pooled its studies' participants, not none ('a
    review: participants of its studies not counted here'); a web page, guideline or expert
    opinion has none of its own; any other study did not report them."""
    if design in REVIEW_DESIGNS:
        return "a review: participants of its studies not counted here"
    if design in NO_SAMPLE_DESIGNS:
        return "no participants of its own"
    return "sample size not reported"


def counted_of(of: str, group: str | None = None, within: bool = False) -> str:
    """Whom a count below its study's sample size counts, in the same words on the pages
    (``render.participants_basis``) and in the certainty reasons: 'the trained group of 26'
    (``group``: the study's group the estimate analysed; '; a change within that group' when
    ``within``), else 'analysed for this outcome, of 26 in the study'. ``of``: the study's sample
    as shown ('26 in the study', '26: 13 trained, 13 controls')."""
    if group:
        return f"the {group} group of {of}" + ("; a change within that group" if within else "")
    return f"analysed for this outcome, of {of}"


@dataclass(frozen=True)
class Effect:
    """A structured effect estimate (``claims.yaml`` ``estimate``), as grading reads it."""

    measure: str
    value: float
    ci: tuple[float, float] | None = None
    comparison: str = "between-group"
    better: str | None = None  # "lower" | "higher": which way is better on the scale
    analysed: int | None = None  # participants analysed (pooled, for a review)
    group: str | None = None  # the study's group the analysed participants are (studies.bib ``groups``)
    studies: int | None = None
    i2: float | None = None
    swc: float | None = None
    interval: str = "confidence"
    scale: str | None = None
    timepoint: str | None = None
    small_study_effects: bool = False  # the source reports funnel asymmetry / small-study effects

    #: ``value`` and ``i2`` as the data file writes them (``EstimateIn.reported``: ("value",
    #: "13.0")), for the reasons that quote them (``shown``); empty for an estimate made in code
    written: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_estimate(cls, estimate: Any) -> Effect:
        """From a ``claims_schema.EstimateIn`` (or anything with the same attributes)."""
        reported = getattr(estimate, "reported", None) or {}
        written = tuple((k, v) for k, v in reported.items() if isinstance(v, str))
        return cls(
            **{f: getattr(estimate, f) for f in cls.__dataclass_fields__ if f != "written"}, written=written
        )

    def shown(self, name: str) -> str:
        """``value`` or ``i2`` for readers, as the estimates on the pages show them: the digits the
        data file writes ("13.0", "−0.620": ``reported_number``), else ``number``; never Python's
        ``:g``, which drops a digit the source reports and writes 1e+02."""
        text = dict(self.written).get(name)
        return reported_number(text) if text else number(getattr(self, name))


@dataclass(frozen=True)
class Reason:
    factor: str  # "study design", "imprecision", "indirectness", "inconsistency", ...
    effect: int  # levels moved: 0 (the starting point / a note), -1, -2
    explanation: str
    studies: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["studies"] = list(self.studies)
        return data


@dataclass(frozen=True)
class Grade:
    level: str
    reasons: tuple[Reason, ...]
    carrying: tuple[str, ...] = ()  # keys of the studies the grade rests on
    direction: str = GradeDirection.SUPPORTS  # what the carrying studies say
    study_count: int = 0
    participants: int = 0  # known participants, counted once (see app.evidence_units)
    participants_unknown: int = 0  # evidence units without a known number of participants
    best: str | None = None  # key of the study whose estimate is the best or pooled one

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "reasons": [r.as_dict() for r in self.reasons]}

    @property
    def downgrades(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect < 0)


# --- calibrated wording (GRADE guideline 26) ----------------------------------------------------

_IRREGULAR = {"be": "is", "have": "has", "do": "does", "go": "goes"}


def third_person(predicate: str) -> str:
    """Conjugate the first verb of a base-form predicate: 'ease pain' -> 'eases pain'.

    Compound predicates ('ease pain and improve function') or plural subjects need the curator's
    ``predicate_s``; guessing which later words are verbs would go wrong too often.
    """
    verb, _, rest = predicate.partition(" ")
    if verb in _IRREGULAR:
        verb = _IRREGULAR[verb]
    elif verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        verb += "es"
    elif verb.endswith("y") and len(verb) > 1 and verb[-2] not in "aeiou":
        verb = verb[:-1] + "ies"
    else:
        verb += "s"
    return f"{verb} {rest}".strip()


def calibrated_sentence(
    subject: str,
    predicate: str,
    level: str,
    direction: str = "supports",
    verdict: str = "supported",
    predicate_s: str | None = None,
) -> str:
    """One sentence answering the claim, in GRADE's tested wording (the verb carries the certainty).

    high: "X reduces Y"; moderate: "X probably reduces Y"; low: "X may reduce Y"; very low: "The
    evidence is very uncertain about whether X reduces Y" (GRADE 26). A contradicted claim is
    negated ("X probably does not reduce Y"). An unproven or misleading claim never gets a positive
    sentence, whatever the related (indirect) evidence grades at. ``no-direct-evidence`` and
    ``no-evidence`` never assert: "There is no direct evidence that X reduces Y", "No study has
    tested whether X reduces Y".
    """
    subject = subject.strip()
    predicate = predicate.strip().rstrip(".")
    conjugated = (predicate_s or third_person(predicate)).strip().rstrip(".")
    cap = subject[:1].upper() + subject[1:]
    if level == "no-evidence":
        return f"No study has tested whether {subject} {conjugated}."
    if level == "no-direct-evidence":
        return f"There is no direct evidence that {subject} {conjugated}."
    if verdict == "contradicted" or (direction == "against" and verdict != "unproven"):
        if level == "very-low":
            return f"The evidence is very uncertain, but it does not suggest that {subject} {conjugated}."
        negated = {"high": "does not", "moderate": "probably does not", "low": "may not"}[level]
        return f"{cap} {negated} {predicate}."
    if verdict == "misleading":
        return f"The evidence does not show that {subject} {conjugated}."
    if verdict == "unproven" and level != "very-low":
        return f"There is no direct evidence that {subject} {conjugated}."
    if level == "very-low" or direction == "mixed" or verdict == "unproven":
        return f"The evidence is very uncertain about whether {subject} {conjugated}."
    if level == "high":
        return f"{cap} {conjugated}."
    if level == "moderate":
        return f"{cap} probably {conjugated}."
    return f"{cap} may {predicate}."


#: Levels at which no study measured the main outcome: "Supported" beside them is a contradiction
#: on the page, not a judgement call, so ``check`` refuses it (``verdict_severity``).
NO_DIRECT_LEVELS = frozenset({"no-direct-evidence", "no-evidence"})


def verdict_severity(verdict: str, grade: Grade) -> Severity:
    """``"error"`` for a verdict 'supported' on a main outcome no study measured (the page would
    show "Supported" beside "No direct evidence"), else ``"warning"`` (the other disagreements of
    ``verdict_disagreement`` are a curator's call to explain, e.g. 'supported' on very low
    certainty)."""
    return "error" if verdict == "supported" and grade.level in NO_DIRECT_LEVELS else "warning"


def verdict_disagreement(verdict: str, grade: Grade) -> str | None:
    """A problem when the curator's verdict clearly disagrees with the main outcome's certainty
    (its severity: ``verdict_severity``)."""
    label = LEVEL_LABELS.get(grade.level, grade.level).lower()
    if verdict == "supported" and (grade.level == "very-low" or grade.level in NO_DIRECT_LEVELS):
        return f"verdict 'supported' but the main outcome's certainty is: {label}"
    if verdict == "supported" and grade.direction != "supports":
        return "verdict 'supported' but the studies that carry the grade do not support the claim"
    if verdict == "contradicted" and grade.direction == "supports" and grade.level in LEVELS:
        return "verdict 'contradicted' but the studies that carry the grade support the claim"
    if verdict == "unproven" and grade.level in ("high", "moderate") and grade.direction == "supports":
        return f"verdict 'unproven' but {label}-certainty direct evidence supports the main outcome"
    return None


#: Designs that count as a randomised trial for ``untested_disagreement``.
RANDOMISED_TRIALS = frozenset(
    {vocab.Design.RANDOMIZED_CONTROLLED_TRIAL, vocab.Design.RANDOMIZED_CROSSOVER_TRIAL}
)


def untested_disagreement(verdict: str, unproven_because: str | None, links: list[GradedStudy]) -> str | None:
    """A warning when a claim is 'unproven' because it is untested although a randomised trial
    tests it directly and supports it (any outcome, retracted reports left out)."""
    if verdict != "unproven" or unproven_because != "untested":
        return None
    trials = [
        link.key for link in links
        if link.design in RANDOMISED_TRIALS and link.directness == "direct"
        and link.stance == "supports" and not link.retracted
    ]  # fmt: skip
    if not trials:
        return None
    return f"verdict 'unproven' (untested) but a direct randomised trial supports the claim: {', '.join(dict.fromkeys(trials))}"


# --- per outcome --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """The question one outcome answers (PICO), in words for the one-line answer."""

    population: str  # who was studied: "people with knee osteoarthritis"
    intervention: str  # "backward walking added to physiotherapy"
    comparator: str | None  # "physiotherapy alone"
    predicate: str  # base form: "reduce knee pain"
    predicate_s: str | None = None
    timeframe: str | None = None  # "in the short term"


def outcome_answer(question: Question, grade: Grade, verdict: str | None = None, kind: str = "effect") -> str:
    """One line answering one outcome, naming the population and comparison it is about.

    "In people with knee osteoarthritis, backward walking added to physiotherapy may reduce knee
    pain compared with physiotherapy alone in the short term." The verb follows the outcome's
    certainty (GRADE 26); ``verdict`` (the claim's, given for its main outcome only) can only make
    the sentence more cautious. Advice without evidence reads "Expert advice, untested: ...".
    """
    sentence = calibrated_sentence(question.intervention, question.predicate, grade.level, grade.direction,
                                   verdict or "supported", question.predicate_s)  # fmt: skip
    tail = f" compared with {question.comparator}" if question.comparator else ""
    tail += f" {question.timeframe}" if question.timeframe else ""
    sentence = sentence.rstrip(".") + tail + "."
    answer = f"In {_lower_first(question.population)}, {_lower_first(sentence)}"
    if kind == "advice" and grade.level == "no-evidence":
        answer = f"Expert advice, untested: {_lower_first(answer)}"
    return answer


def _lower_first(text: str) -> str:
    """'People with ...' -> 'people with ...'; an acronym ('ACL ...') is left as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]
