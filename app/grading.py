"""Evidence grade: GRADE-style certainty computed from a claim's linked studies.

Pure functions, no I/O. Every step that moves the level is returned as a ``Reason`` naming
the factor, its effect and the studies it concerns; the methodology page is generated from
``RULES`` and the constants below, so it cannot drift from this code. House rules:
``../shared/reference/grading.md`` (copied in spirit into docs on the methodology page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from app import vocab
from app.vocab import (
    ClaimKind,
    Comparison,
    Design,
    GradeDirection,
    GradeLevel,
    Measure,
    ReviewOf,
    Stance,
    UnprovenReason,
    Verdict,
)

LEVELS: list[str] = list(GradeLevel)  # index = numeric level 0..3
LEVEL_LABELS = vocab.LEVEL_LABELS
LEVEL_MEANINGS: dict[str, str] = {
    GradeLevel.HIGH: "We are very confident that the true effect is close to what the studies found.",
    GradeLevel.MODERATE: "The true effect is probably close to what the studies found, but could differ.",
    GradeLevel.LOW: "The true effect may differ substantially from what the studies found.",
    GradeLevel.VERY_LOW: "The true effect is likely to differ substantially from what the studies found.",
}

DESIGNS: list[str] = list(Design)
DESIGN_LABELS = vocab.DESIGN_LABELS
REVIEW_DESIGNS = {Design.SYSTEMATIC_REVIEW, Design.META_ANALYSIS}
#: Designs that need no sample size (no participants of their own).
NO_SAMPLE_DESIGNS = REVIEW_DESIGNS | {Design.GUIDELINE, Design.EXPERT_OPINION, Design.WEB_PAGE}
#: Starting level per design (house rules). Reviews of observational studies start low, and a
#: guideline takes the level of the evidence it rests on where recorded (see ``start_level``).
_HIGH, _LOW, _VERY_LOW = GradeLevel.HIGH, GradeLevel.LOW, GradeLevel.VERY_LOW
DESIGN_START: dict[str, str] = {
    Design.SYSTEMATIC_REVIEW: _HIGH, Design.META_ANALYSIS: _HIGH,
    Design.RANDOMIZED_CONTROLLED_TRIAL: _HIGH,
    Design.CONTROLLED_TRIAL: _LOW, Design.CROSSOVER_TRIAL: _LOW, Design.COHORT: _LOW,
    Design.CASE_CONTROL: _LOW, Design.CROSS_SECTIONAL: _LOW, Design.GUIDELINE: _LOW,
    Design.CASE_SERIES: _VERY_LOW, Design.LABORATORY: _VERY_LOW, Design.EXPERT_OPINION: _VERY_LOW,
    Design.WEB_PAGE: _VERY_LOW,
}  # fmt: skip
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
#: One line per verdict (the legend on the pages and the methodology page read these).
VERDICT_MEANINGS: dict[str, str] = {
    Verdict.SUPPORTED: "The evidence shows what the claim says, for the population it names.",
    Verdict.PARTLY_SUPPORTED: "Part of the claim holds, or it holds only for a narrower population, "
    "outcome or setting.",
    Verdict.UNPROVEN: "Not shown either way: no study has tested it, or we found no evidence.",
    Verdict.MISLEADING: "Built on real research, but says something the research did not show.",
    Verdict.CONTRADICTED: "The evidence points the other way.",
}
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


IMPRECISION_TOTAL = 400  # total participants under this: down one level
IMPRECISION_SINGLE = 30  # a single study under this: down two levels
MAX_INDIRECTNESS_STEPS = 2


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


@dataclass(frozen=True)
class Effect:
    """A structured effect estimate (``claims.yaml`` ``estimate``), as grading reads it."""

    measure: str
    value: float
    ci: tuple[float, float] | None = None
    comparison: str = "between-group"
    better: str | None = None  # "lower" | "higher": which way is better on the scale
    analysed: int | None = None  # participants analysed (pooled, for a review)
    studies: int | None = None
    i2: float | None = None
    swc: float | None = None
    interval: str = "confidence"
    scale: str | None = None
    timepoint: str | None = None

    @classmethod
    def from_estimate(cls, estimate: Any) -> Effect:
        """From a ``claims_schema.EstimateIn`` (or anything with the same attributes)."""
        return cls(**{f: getattr(estimate, f) for f in cls.__dataclass_fields__})


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
    participants: int = 0  # known participants across all linked studies
    participants_unknown: int = 0  # linked studies without a known sample size

    def as_dict(self) -> dict[str, object]:
        return {"level": self.level, "reasons": [r.as_dict() for r in self.reasons]}

    @property
    def downgrades(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.effect < 0)


@dataclass(frozen=True)
class Rule:
    """A grading rule as published on the methodology page."""

    factor: str
    effect: str
    text: str


RULES: tuple[Rule, ...] = (
    Rule("study design", "starting level",
         "Start from the strongest design among the studies that support the claim (or, when "
         "none supports it, among all linked studies): systematic reviews and meta-analyses of "
         "trials and randomised trials start high; non-randomised controlled and crossover "
         "trials, observational studies, reviews of observational studies and guidelines "
         "(unless the certainty of their evidence is recorded) start low; laboratory studies, "
         "case series, expert opinion and web pages start very low."),
    Rule("retraction", "excluded", "Retracted studies are left out of the grade."),
    Rule("risk of bias", "-1",
         "Down one level when most of the studies that carry the grade are at high risk of bias."),
    Rule("inconsistency", "-1",
         "Down one level when a study of comparable design contradicts the claim, finds no effect "
         "or mixed results, or when the authors report results inconsistent across participants."),
    Rule("indirectness", "-1 per kind, at most -2",
         "Down one level for each kind of indirectness shared by all the studies that carry the "
         "grade (population, outcome, intervention, predicted vs measured, acute vs training)."),
    Rule("imprecision", "-1 or -2",
         f"Down one level when the studies that carry the grade total fewer than "
         f"{IMPRECISION_TOTAL} participants (or do not report how many); down two when the grade "
         f"rests on a single study of fewer than {IMPRECISION_SINGLE}."),
    Rule("floor", "never below very low", "The level never goes below very low."),
)  # fmt: skip


def start_level(study: GradedStudy) -> str:
    design = study.design or "expert-opinion"
    if design in REVIEW_DESIGNS and study.review_of in (ReviewOf.OBSERVATIONAL, ReviewOf.MIXED):
        return "low"
    if design == "guideline" and study.evidence_level in LEVELS:
        return study.evidence_level
    return DESIGN_START.get(design, "very-low")


def _design_label(design: str | None) -> str:
    return DESIGN_LABELS.get(design or "", "unknown design").lower()


def _keys(studies: Sequence[GradedStudy]) -> tuple[str, ...]:
    return tuple(s.key for s in studies)


def _sample(study: GradedStudy) -> int | None:
    return study.sample_size if study.sample_size is not None else study.enrolled


def grade_evidence(links: Sequence[GradedStudy]) -> Grade:
    """Compute the evidence grade for one claim from its evidence links."""
    reasons: list[Reason] = []
    retracted = [s for s in links if s.retracted]
    if retracted:
        reasons.append(Reason("retraction", 0, "Retracted, so left out of the grade.", _keys(retracted)))
    usable = [s for s in links if not s.retracted]
    known = [_sample(s) for s in usable]
    participants = sum(n for n in known if n)
    unknown = sum(
        1 for s, n in zip(usable, known, strict=True) if n is None and s.design not in NO_SAMPLE_DESIGNS
    )
    if not usable:
        reasons.append(Reason("study design", 0, "No usable evidence is linked to this claim."))
        return Grade("very-low", tuple(reasons), study_count=0)

    supporting = [s for s in usable if s.stance == Stance.SUPPORTS]
    pool = supporting or usable
    best = max(LEVELS.index(start_level(s)) for s in pool)
    carrying = [s for s in pool if LEVELS.index(start_level(s)) == best]
    carrying.sort(key=lambda s: DESIGN_RANK.get(s.design or "", 99))
    level = best
    designs = sorted({_design_label(s.design) for s in carrying})
    basis = "supporting design" if supporting else "design among the linked studies (none supports the claim)"
    reasons.append(
        Reason(
            "study design",
            0,
            f"Starts at {LEVELS[best].replace('-', ' ')}: the strongest {basis} is {' and '.join(designs)}.",
            _keys(carrying),
        )
    )

    steps: list[Reason] = []
    high_rob = [s for s in carrying if s.risk_of_bias == "high"]
    if high_rob and len(high_rob) * 2 > len(carrying):
        steps.append(
            Reason(
                "risk of bias",
                -1,
                "Most of the studies that carry the grade are at high risk of bias.",
                _keys(high_rob),
            )
        )

    against = [
        s for s in usable
        if s.stance in (Stance.CONTRADICTS, Stance.MIXED, Stance.NO_EFFECT) and LEVELS.index(start_level(s)) >= best
    ]  # fmt: skip
    if supporting and against:
        steps.append(
            Reason(
                "inconsistency",
                -1,
                "Studies of comparable design disagree: some find no effect, mixed results or the opposite.",
                _keys(against),
            )
        )
    else:
        uneven = [s for s in carrying if s.inconsistent]
        if uneven:
            steps.append(
                Reason("inconsistency", -1, "Results were inconsistent across participants.", _keys(uneven))
            )

    shared = set(INDIRECTNESS_KINDS)
    for s in carrying:
        shared &= set(s.indirect_because) if s.directness == "indirect" else set()
    for kind in [k for k in INDIRECTNESS_KINDS if k in shared][:MAX_INDIRECTNESS_STEPS]:
        steps.append(
            Reason("indirectness", -1, f"Indirect evidence: {INDIRECTNESS_KINDS[kind]}.", _keys(carrying))
        )

    carried_sizes = [_sample(s) for s in carrying]
    total = sum(n for n in carried_sizes if n)
    missing = [s for s, n in zip(carrying, carried_sizes, strict=True) if n is None]
    if len(carrying) == 1 and carried_sizes[0] is not None and carried_sizes[0] < IMPRECISION_SINGLE:
        steps.append(
            Reason("imprecision", -2, f"A single study of {carried_sizes[0]} participants.", _keys(carrying))
        )
    elif total < IMPRECISION_TOTAL:
        if missing and total == 0:
            text = "The sample size of the studies that carry the grade is not reported."
        elif missing:
            text = (f"Fewer than {IMPRECISION_TOTAL} participants with a reported sample size "
                    f"({total}); {len(missing)} study(ies) did not report theirs.")  # fmt: skip
        else:
            text = f"Fewer than {IMPRECISION_TOTAL} participants in total ({total})."
        steps.append(Reason("imprecision", -1, text, _keys(carrying)))

    for step in steps:
        # A reason's effect is the move actually made, so the effects always add up to the
        # distance from the starting level; the floor is said in words.
        new_level = max(0, level + step.effect)
        if new_level == level:
            step = Reason(
                step.factor, 0, step.explanation + " (Already at the floor: very low.)", step.studies
            )
        elif new_level - level != step.effect:
            note = f" (Down {level - new_level} only: the level cannot go below very low.)"
            step = Reason(step.factor, new_level - level, step.explanation + note, step.studies)
        level = new_level
        reasons.append(step)

    stances = {s.stance for s in carrying}
    direction = (
        GradeDirection.SUPPORTS
        if stances == {Stance.SUPPORTS}
        else GradeDirection.AGAINST
        if stances <= {Stance.CONTRADICTS, Stance.NO_EFFECT}
        else GradeDirection.MIXED
    )
    return Grade(
        LEVELS[level],
        tuple(reasons),
        carrying=_keys(carrying),
        direction=direction,
        study_count=len(usable),
        participants=participants,
        participants_unknown=unknown,
    )


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
    direction: str = GradeDirection.SUPPORTS,
    verdict: str = Verdict.SUPPORTED,
    predicate_s: str | None = None,
) -> str:
    """One sentence answering the claim, in GRADE's tested wording (the verb carries the certainty).

    high: "X reduces Y"; moderate: "X probably reduces Y"; low: "X may reduce Y"; very low: "The
    evidence is very uncertain about whether X reduces Y". A contradicted claim is negated
    ("X probably does not reduce Y"). An unproven or misleading claim never gets a positive
    sentence, whatever the related (indirect) evidence grades at.
    """
    subject = subject.strip()
    predicate = predicate.strip().rstrip(".")
    conjugated = (predicate_s or third_person(predicate)).strip().rstrip(".")
    cap = subject[:1].upper() + subject[1:]
    if verdict == Verdict.CONTRADICTED or (
        direction == GradeDirection.AGAINST and verdict != Verdict.UNPROVEN
    ):
        if level == "very-low":
            return f"The evidence is very uncertain, but it does not suggest that {subject} {conjugated}."
        negated = {"high": "does not", "moderate": "probably does not", "low": "may not"}[level]
        return f"{cap} {negated} {predicate}."
    if verdict == Verdict.MISLEADING:
        return f"The evidence does not show that {subject} {conjugated}."
    if verdict == Verdict.UNPROVEN and level != GradeLevel.VERY_LOW:
        return f"There is no direct evidence that {subject} {conjugated}."
    if level == GradeLevel.VERY_LOW or direction == GradeDirection.MIXED or verdict == Verdict.UNPROVEN:
        return f"The evidence is very uncertain about whether {subject} {conjugated}."
    if level == "high":
        return f"{cap} {conjugated}."
    if level == "moderate":
        return f"{cap} probably {conjugated}."
    return f"{cap} may {predicate}."


def verdict_disagreement(verdict: str, grade: Grade) -> str | None:
    """A warning when the curator's verdict clearly disagrees with the computed grade."""
    if verdict == Verdict.SUPPORTED and grade.level == GradeLevel.VERY_LOW:
        return "verdict 'supported' but the evidence grade is very low"
    if verdict == Verdict.SUPPORTED and grade.direction != GradeDirection.SUPPORTS:
        return "verdict 'supported' but the studies that carry the grade do not support the claim"
    if verdict == Verdict.CONTRADICTED and grade.direction == GradeDirection.SUPPORTS:
        return "verdict 'contradicted' but the studies that carry the grade support the claim"
    return None


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


def grade_outcome(links: Sequence[GradedStudy], kind: str = "effect") -> Grade:
    """The certainty of the evidence for one outcome of a claim of ``kind``."""
    return grade_evidence(links)


def outcome_answer(question: Question, grade: Grade, verdict: str) -> str:
    """One line answering one outcome: the population and comparison studied, GRADE's verb."""
    subject = question.intervention
    if question.comparator:
        subject = f"{subject}, compared with {question.comparator},"
    sentence = calibrated_sentence(subject, question.predicate, grade.level, grade.direction, verdict,
                                   question.predicate_s)  # fmt: skip
    if question.timeframe:
        sentence = sentence.rstrip(".") + f" {question.timeframe}."
    population = question.population[:1].lower() + question.population[1:]
    return f"In {population}, {sentence[:1].lower()}{sentence[1:]}"
