"""Evidence grade: GRADE-style certainty computed from a claim's linked studies.

Pure functions, no I/O. Every step that moves the level is returned as a ``Reason`` naming
the factor, its effect and the studies it concerns; the methodology page is generated from
``RULES`` and the constants below, so it cannot drift from this code. House rules:
``../shared/reference/grading.md`` (copied in spirit into docs on the methodology page).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

LEVELS = ["very-low", "low", "moderate", "high"]  # index = numeric level 0..3
LEVEL_LABELS = {"high": "High", "moderate": "Moderate", "low": "Low", "very-low": "Very low"}
LEVEL_MEANINGS = {
    "high": "We are very confident that the true effect is close to what the studies found.",
    "moderate": "The true effect is probably close to what the studies found, but could differ.",
    "low": "The true effect may differ substantially from what the studies found.",
    "very-low": "The true effect is likely to differ substantially from what the studies found.",
}

DESIGNS = [
    "systematic-review", "meta-analysis", "randomized-controlled-trial", "controlled-trial",
    "crossover-trial", "cohort", "case-control", "cross-sectional", "case-series",
    "laboratory", "expert-opinion", "guideline", "web-page",
]  # fmt: skip
DESIGN_LABELS = {
    "systematic-review": "Systematic review", "meta-analysis": "Meta-analysis",
    "randomized-controlled-trial": "Randomised controlled trial",
    "controlled-trial": "Controlled trial (not randomised)", "crossover-trial": "Crossover trial",
    "cohort": "Cohort study", "case-control": "Case-control study",
    "cross-sectional": "Cross-sectional study", "case-series": "Case series",
    "laboratory": "Laboratory study", "expert-opinion": "Expert opinion",
    "guideline": "Guideline", "web-page": "Web page",
}  # fmt: skip
REVIEW_DESIGNS = {"systematic-review", "meta-analysis"}
#: Designs that need no sample size (no participants of their own).
NO_SAMPLE_DESIGNS = REVIEW_DESIGNS | {"guideline", "expert-opinion", "web-page"}
#: Starting level per design (house rules). Reviews of observational studies start low, and a
#: guideline takes the level of the evidence it rests on where recorded (see ``start_level``).
DESIGN_START = {
    "systematic-review": "high", "meta-analysis": "high", "randomized-controlled-trial": "high",
    "controlled-trial": "low", "crossover-trial": "low", "cohort": "low", "case-control": "low",
    "cross-sectional": "low", "guideline": "low",
    "case-series": "very-low", "laboratory": "very-low", "expert-opinion": "very-low",
    "web-page": "very-low",
}  # fmt: skip
#: Order used to pick the strongest design among studies that start at the same level.
DESIGN_RANK = {d: i for i, d in enumerate(DESIGNS)}

STANCES = ["supports", "contradicts", "mixed", "no-effect"]
INDIRECTNESS_KINDS = {
    "population": "the people studied differ from those the claim is about",
    "outcome": "the outcome measured differs from the one the claim is about",
    "intervention": "the intervention differs from the one in the claim",
    "predicted-vs-measured": "an outcome predicted or estimated, not measured",
    "acute-vs-training": "a single-session (acute) measurement, not a training effect",
}
RISK_OF_BIAS = ["low", "some-concerns", "high", "unclear"]
RISK_OF_BIAS_LABELS = {"low": "Low", "some-concerns": "Some concerns", "high": "High", "unclear": "Unclear"}

#: What kind of statement a claim is: it decides how the evidence is read (see ``start_level``).
ClaimKind = Literal["effect", "advice", "factual"]
CLAIM_KINDS: tuple[str, ...] = get_args(ClaimKind)
CLAIM_KIND_LABELS = {
    "effect": "Effect claim (X changes Y)",
    "advice": "Advice (a prescription: how much, how fast, how often)",
    "factual": "Factual or physiological statement",
}

Verdict = Literal["supported", "partly-supported", "unproven", "misleading", "contradicted"]
VERDICTS: list[str] = list(get_args(Verdict))
VERDICT_LABELS = {
    "supported": "Supported", "partly-supported": "Partly supported", "unproven": "Unproven",
    "misleading": "Misleading", "contradicted": "Contradicted",
}  # fmt: skip
#: One line per verdict (the legend on the pages and the methodology page read these).
VERDICT_MEANINGS = {
    "supported": "The evidence shows what the claim says, for the population it names.",
    "partly-supported": "Part of the claim holds, or it holds only for a narrower population, "
    "outcome or setting.",
    "unproven": "Not shown either way: no study has tested it, or we found no evidence.",
    "misleading": "Built on real research, but says something the research did not show.",
    "contradicted": "The evidence points the other way.",
}
UnprovenReason = Literal["untested", "no-evidence-found"]
UNPROVEN_REASONS: tuple[str, ...] = get_args(UnprovenReason)
UNPROVEN_LABELS = {
    "untested": "Untested: no study has tested the claim as stated",
    "no-evidence-found": "No evidence found: our search found no study that bears on it",
}
#: schema.org ClaimReview ``reviewRating``: 1 (worst) to 5 (best). "Unproven" sits in the
#: middle: it says neither that the claim is true nor that it is false.
VERDICT_RATING = {
    "supported": 5, "partly-supported": 4, "unproven": 3, "misleading": 2, "contradicted": 1,
}  # fmt: skip
BEST_RATING, WORST_RATING = 5, 1
#: Notes on a claim that are not verdicts ("source not found" says nothing about the claim).
NoteKind = Literal["source-not-found", "correction", "other"]
NOTE_LABELS = {"source-not-found": "Source not found", "correction": "Correction", "other": "Note"}

# --- effect estimates ---------------------------------------------------------------------------

Measure = Literal["md", "smd", "hedges-g", "rr", "or", "hr", "rd", "percent-change", "auc"]
MEASURES: tuple[str, ...] = get_args(Measure)
MEASURE_LABELS = {
    "md": "Mean difference", "smd": "Standardised mean difference", "hedges-g": "Hedges' g",
    "rr": "Risk ratio", "or": "Odds ratio", "hr": "Hazard ratio", "rd": "Risk difference",
    "percent-change": "Percent change", "auc": "Area under the ROC curve",
}  # fmt: skip
MEASURE_SHORT = {
    "md": "MD", "smd": "SMD", "hedges-g": "g", "rr": "RR", "or": "OR", "hr": "HR", "rd": "RD",
    "percent-change": "% change", "auc": "AUC",
}  # fmt: skip
RATIO_MEASURES = frozenset({"rr", "or", "hr"})
#: Standardised measures share one scale, so they can sit in one forest plot.
STANDARDISED_MEASURES = frozenset({"smd", "hedges-g"})
#: The value of "no effect" per measure (ratios: 1; an AUC of 0.5 is chance).
NULL_VALUE = {m: 1.0 if m in RATIO_MEASURES else 0.5 if m == "auc" else 0.0 for m in MEASURES}
Comparison = Literal["between-group", "within-subject", "within-group"]
COMPARISONS: tuple[str, ...] = get_args(Comparison)
COMPARISON_LABELS = {
    "between-group": "difference between groups",
    "within-subject": "difference between conditions in the same people (crossover)",
    "within-group": "change within one group, not a comparison with control",
}
#: Comparative estimates: the ones a forest plot and a summary of findings may show as effects.
COMPARATIVE = frozenset({"between-group", "within-subject"})


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
ROB_TOOLS = {
    "rob2": "RoB 2 (randomised trials)",
    "robins-i": "ROBINS-I (non-randomised studies of interventions)",
    "review": "As judged by a named review",
}
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
    direction: str = "supports"  # what the carrying studies say: supports | against | mixed
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
    if design in REVIEW_DESIGNS and study.review_of in ("observational", "mixed"):
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

    supporting = [s for s in usable if s.stance == "supports"]
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
        if s.stance in ("contradicts", "mixed", "no-effect") and LEVELS.index(start_level(s)) >= best
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
        "supports"
        if stances == {"supports"}
        else "against"
        if stances <= {"contradicts", "no-effect"}
        else "mixed"
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
    direction: str = "supports",
    verdict: str = "supported",
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


def verdict_disagreement(verdict: str, grade: Grade) -> str | None:
    """A warning when the curator's verdict clearly disagrees with the computed grade."""
    if verdict == "supported" and grade.level == "very-low":
        return "verdict 'supported' but the evidence grade is very low"
    if verdict == "supported" and grade.direction != "supports":
        return "verdict 'supported' but the studies that carry the grade do not support the claim"
    if verdict == "contradicted" and grade.direction == "supports":
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
