"""Certainty of the evidence for one outcome (GRADE), from the outcome's evidence links.

Pure functions, no I/O. ``grade_outcome(links, kind)`` returns a ``grading.Grade``: the level
(or ``no-direct-evidence`` / ``no-evidence``), and every step as a ``Reason`` naming the GRADE
domain, the levels moved and the studies concerned (the page's footnotes). ``RULES`` is the
published rule set, each with the GRADE guidance it follows (``SOURCES``); the methodology page is
generated from it. The steps, in order:

1. Evidence units (``app.evidence_units``): a review and the included studies linked to the same
   outcome are one unit, probable duplicate publications one unit, overlapping reviews one unit;
   participants are counted once per unit, and a review only with the participants it pooled for
   this outcome (``estimate.analysed``), never its whole total.
2. Direct evidence: when no research study (anything but expert opinion and web pages) is direct
   for the outcome, the result is ``no-direct-evidence`` and the studies are context, not a level.
3. Start level by design and claim kind (``start_level``); the units at the highest start level
   carry the grade. Their weight is their participants (equal weights when any is unknown).
4. Rating down: risk of bias, inconsistency, indirectness, imprecision, publication bias.
5. Rating up (bodies that start low, with no reason to rate down): large effect, dose-response.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from app import grading
from app.certainty_sources import SOURCES as SOURCES
from app.evidence_units import Unit, count, favours, group_units
from app.grading import (
    LEVELS,
    RATIO_MEASURES,
    REVIEW_DESIGNS,
    STANDARDISED_MEASURES,
    Grade,
    GradedStudy,
    Reason,
)
from app.vocab import Certainty, Design


@dataclass(frozen=True)
class Rule:
    """A certainty rule as published on the methodology page."""

    factor: str
    effect: str
    text: str
    sources: tuple[str, ...] = ()  # keys of SOURCES


OIS = 400  # optimal information size rule of thumb (two groups): fewer participants, down one level
#: The same information in a within-subject (paired) comparison: each person is their own control,
#: so a paired design needs (1 - r) / 2 of a two-group trial's total; with r = 0.5, a quarter.
OIS_WITHIN = 100
FAR_BELOW = 0.25  # under this share of the OIS, with no interval to judge: down two levels (GRADE 34)
#: A pooled estimate of this many studies is not read as small when its count is unreported: ten
#: trials of even 40 people each reach the OIS of 400.
POOLED_MANY = 10
SINGLE_SMALL = 30  # the grade rests on a single study of fewer participants: down two levels
I2_SERIOUS = 50.0  # I² at or above this (percent): substantial heterogeneity, down one level
SMALL_TRIAL = 100  # a trial under this many participants is "small" for publication bias
LARGE_SMD = 0.8  # a standardised effect this large, pooled from small trials: small-study effects
LARGE_RATIO, VERY_LARGE_RATIO = 2.0, 5.0  # rating up for a large (very large) relative effect
MAX_INDIRECTNESS = 2
#: Trials of an intervention (the "small positive trials" sign of publication bias).
TRIAL_DESIGNS = frozenset({
    Design.RANDOMIZED_CONTROLLED_TRIAL, Design.RANDOMIZED_CROSSOVER_TRIAL, Design.CONTROLLED_TRIAL,
    Design.CROSSOVER_TRIAL,
})  # fmt: skip
#: Designs that compare conditions within the same people (unless their estimate says otherwise).
WITHIN_SUBJECT_DESIGNS = frozenset({
    Design.RANDOMIZED_CROSSOVER_TRIAL, Design.CROSSOVER_TRIAL, Design.LABORATORY,
})  # fmt: skip
#: Designs that are opinion, not data: they never make evidence "direct".
OPINION_DESIGNS = frozenset({Design.EXPERT_OPINION, Design.WEB_PAGE})
#: For a factual or physiological claim, designs that measure the quantity directly in people
#: start high (the appropriate design for the question), like observational studies of prognosis.
FACTUAL_HIGH = frozenset({
    Design.LABORATORY, Design.CROSSOVER_TRIAL, Design.RANDOMIZED_CROSSOVER_TRIAL, Design.COHORT,
    Design.CROSS_SECTIONAL, Design.CONTROLLED_TRIAL, Design.RANDOMIZED_CONTROLLED_TRIAL,
    Design.SYSTEMATIC_REVIEW, Design.META_ANALYSIS,
})  # fmt: skip
_HIGH, _LOW, _VERY_LOW = Certainty.HIGH, Certainty.LOW, Certainty.VERY_LOW
#: Starting level per design for an effect claim (see ``start_level`` for the exceptions).
DESIGN_START: dict[str, str] = {
    Design.SYSTEMATIC_REVIEW: _HIGH, Design.META_ANALYSIS: _HIGH, Design.RANDOMIZED_CONTROLLED_TRIAL: _HIGH,
    Design.RANDOMIZED_CROSSOVER_TRIAL: _HIGH, Design.CONTROLLED_TRIAL: _LOW, Design.CROSSOVER_TRIAL: _LOW,
    Design.COHORT: _LOW, Design.CASE_CONTROL: _LOW, Design.CROSS_SECTIONAL: _LOW, Design.GUIDELINE: _LOW,
    Design.CASE_SERIES: _VERY_LOW, Design.LABORATORY: _VERY_LOW, Design.EXPERT_OPINION: _VERY_LOW,
    Design.WEB_PAGE: _VERY_LOW,
}  # fmt: skip

RULES: tuple[Rule, ...] = (
    Rule("counting", "participants once",
         "Participants are counted once per outcome: a review and the included studies linked to the same "
         "outcome count as one body (the review's participants pooled for that outcome, never its whole "
         "total), probable duplicate publications count once, and reviews that include the same studies "
         "count as one (the larger).", ("grade-6",)),
    Rule("no direct evidence", "no level",
         "When no study measures the outcome directly in the people and comparison the outcome is about "
         "(expert opinion and web pages do not count), the page says 'no direct evidence' instead of a "
         "level, and lists the indirect studies as context.", ("grade-8",)),
    Rule("study design", "starting level",
         "Randomised trials, randomised crossover trials and reviews of trials start high; non-randomised "
         "and observational studies start low; a review that pooled randomised and non-randomised studies "
         "starts from its weakest pooled design (low); case series, laboratory studies of an effect, expert "
         "opinion and web pages start very low. For a factual or physiological statement, studies that "
         "measure the quantity directly in people (laboratory, crossover, observational) are the right "
         "design and start high. The studies at the highest starting level carry the grade.",
         ("grade-3", "cochrane-23", "grade-24", "grade-18", "prognosis")),
    Rule("risk of bias", "-1 or -2",
         "Down one level when the studies carrying most of the weight (participants) have some concerns, "
         "unclear or unassessed risk of bias, or are at high risk; down two when every study carrying the "
         "grade is at high risk.", ("grade-4", "grade-18")),
    Rule("inconsistency", "-1",
         f"Down one level when a pooled estimate has I² of {I2_SERIOUS:g}% or more, when the results of "
         "the studies carrying the grade point in different directions (some show a benefit, others no "
         "effect or harm; from their estimates, or their recorded direction where they report none). "
         "Responses that varied between participants of one study are noted, not rated down: inconsistency "
         "is between studies, and within-study variation shows in precision. A study already inside a "
         "carrying review is not counted again, and a study coded indirect (another condition, speed or "
         "population) that disagrees does not count: heterogeneity explained by a difference in the "
         "question is indirectness, not unexplained inconsistency.", ("grade-7", "grade-8")),
    Rule("indirectness", "-1 per kind, at most -2",
         "Down one level for each kind of indirectness (population, intervention, outcome, predicted vs "
         "measured, acute vs training) found in the studies carrying most of the weight: one direct study "
         "does not cancel it.", ("grade-8",)),
    Rule("imprecision", "-1 or -2",
         "The 95% interval comes first. Where a smallest worthwhile change is known, down one level when "
         "the interval includes both no effect and a worthwhile effect, two when it includes worthwhile "
         "benefit and worthwhile harm; not statistically significant is not by itself a reason. Then the "
         f"optimal information size: down one level when the studies carrying the grade total fewer than "
         f"{OIS} participants (counted once), or fewer than {OIS_WITHIN} when every one compares "
         "conditions within the same people (crossover and laboratory studies: each person is their own "
         f"control, so a paired design needs about a quarter of a two-group trial's total); two when the "
         f"grade rests on one study of fewer than {SINGLE_SMALL}, or on several studies that report no "
         f"interval and total under {FAR_BELOW:.0%} of that size. A participant count that was not reported is not "
         f"read as small when the estimate is pooled from {POOLED_MANY} or more studies (ten trials of even "
         "40 people reach 400) and its interval is narrow (the bound nearest no effect at least half the "
         "estimate, on the log scale for ratios) and excludes no effect; otherwise it is down one level.",
         ("grade-6", "grade-34", "cochrane-23")),
    Rule("publication bias", "-1",
         f"Down one level when small-study effects are reported for a pooled estimate, when a pooled "
         f"standardised effect of {LARGE_SMD:g} or more comes from small trials (fewer than "
         f"{SMALL_TRIAL} participants each on average), or when the grade rests on three or more small "
         "trials that all favour the intervention.", ("grade-5",)),
    Rule("rating up", "+1 or +2",
         f"Only for evidence that starts low and has no reason to rate down: up one level for a large "
         f"effect (a risk, odds or hazard ratio beyond {LARGE_RATIO:g} or 1/{LARGE_RATIO:g}, interval "
         f"included), two for a very large one (beyond {VERY_LARGE_RATIO:g}); up one for a dose-response "
         "gradient.", ("grade-9",)),
    Rule("floor", "very low to high", "The level never goes below very low or above high.", ()),
)  # fmt: skip


def start_level(study: GradedStudy, kind: str = "effect") -> str:
    """The level a study's design starts at for a claim of ``kind`` (see RULES, 'study design')."""
    design = study.design or "expert-opinion"
    if kind == "factual" and design in FACTUAL_HIGH and study.directness == "direct":
        return "high"
    if design in REVIEW_DESIGNS and study.review_of in ("observational", "mixed"):
        return "low"
    if design == "guideline" and study.evidence_level in LEVELS:
        return study.evidence_level
    return DESIGN_START.get(design, "very-low")


def _keys(units: Sequence[Unit]) -> tuple[str, ...]:
    return tuple(k for u in units for k in u.keys)


def _weights(units: Sequence[Unit]) -> list[float]:
    """Participants per unit; equal weights when any unit's number is unknown."""
    sizes = [u.participants for u in units]
    if all(n for n in sizes):
        return [float(n) for n in sizes if n]
    return [1.0] * len(units)


def _share(weights: Sequence[float], pick: set[int]) -> float:
    total = sum(weights)
    return sum(w for i, w in enumerate(weights) if i in pick) / total if total else 0.0


def _judgement_counts(judgements: Sequence[str | None]) -> str:
    """'2 some concerns, 1 unclear': the judgements behind a risk-of-bias step, for its footnote."""
    labels = {"some-concerns": "some concerns", "unclear": "unclear", "high": "high", None: "not assessed"}
    counts: dict[str, int] = {}
    for judgement in judgements:
        label = labels.get(judgement, str(judgement))
        counts[label] = counts.get(label, 0) + 1
    return ", ".join(f"{n} {label}" for label, n in counts.items())


def risk_of_bias(units: Sequence[Unit]) -> Reason | None:
    """GRADE 4: judged on the units carrying most of the weight."""
    weights = _weights(units)
    rob = [u.lead.risk_of_bias for u in units]
    high = {i for i, r in enumerate(rob) if r == "high"}
    concerns = {i for i, r in enumerate(rob) if r != "low"}
    if high and len(high) == len(units):
        who = "The only study" if len(units) == 1 else "Every study"
        return Reason("risk of bias", -2, f"{who} carrying the grade is at high risk of bias.", _keys(units))
    if _share(weights, high) > 0.5:
        return Reason("risk of bias", -1, "Studies at high risk of bias carry most of the weight.",
                      _keys([units[i] for i in sorted(high)]))  # fmt: skip
    if _share(weights, concerns) > 0.5:
        text = "Studies with some concerns, unclear or unassessed risk of bias carry most of the weight"
        return Reason("risk of bias", -1, f"{text} ({_judgement_counts([rob[i] for i in sorted(concerns)])}).",
                      _keys([units[i] for i in sorted(concerns)]))  # fmt: skip
    return None


def inconsistency(units: Sequence[Unit]) -> Reason | None:
    """GRADE 7: I² of a pooled estimate, direct results pointing different ways, uneven results."""
    for u in units:
        effect = u.lead.effect
        if effect and effect.i2 is not None and effect.i2 >= I2_SERIOUS:
            return Reason("inconsistency", -1, f"Substantial heterogeneity in the pooled estimate (I² = {effect.shown('i2')}%).",
                          u.keys)  # fmt: skip
    sides = {u.key: (favours(u.lead), _direct(u)) for u in units}
    benefit = [k for k, (s, _) in sides.items() if s == "benefit"]
    other = [k for k, (s, _) in sides.items() if s in ("none", "harm")]
    if benefit and other and any(sides[k][1] for k in benefit) and any(sides[k][1] for k in other):
        return Reason("inconsistency", -1, "The studies carrying the grade point in different directions: "
                      "some show a benefit, others no effect or the opposite.", tuple(benefit + other))  # fmt: skip
    uneven = [u for u in units if u.lead.inconsistent]
    if uneven:  # a note: within one study, varied responses widen its interval (imprecision)
        return Reason("inconsistency", 0, "The authors report responses that varied between participants; "
                      "within a study that is reflected in its precision, not inconsistency between studies.",
                      _keys(uneven))  # fmt: skip
    return None


def _direct(unit: Unit) -> bool:
    """GRADE 7: a unit coded indirect (another condition, speed or population) that disagrees with
    the direct ones is explained heterogeneity; it counts under indirectness, not inconsistency."""
    return unit.lead.directness == "direct"


def indirectness(units: Sequence[Unit]) -> list[Reason]:
    """GRADE 8: one level per kind of indirectness in the units carrying most of the weight."""
    from app.grading import INDIRECTNESS_KINDS

    weights = _weights(units)
    reasons: list[Reason] = []
    for kind, words in INDIRECTNESS_KINDS.items():
        hit = {
            i
            for i, u in enumerate(units)
            if u.lead.directness == "indirect" and kind in u.lead.indirect_because
        }
        if _share(weights, hit) > 0.5 and len(reasons) < MAX_INDIRECTNESS:
            reasons.append(
                Reason(
                    "indirectness", -1, f"Indirect evidence: {words}.", _keys([units[i] for i in sorted(hit)])
                )
            )
    return reasons


def _interval_imprecision(units: Sequence[Unit]) -> tuple[int, str] | None:
    best = best_unit(units)
    effect = best.lead.effect if best else None
    if effect is None or effect.ci is None or effect.swc is None:
        return None
    null = 1.0 if effect.measure in RATIO_MEASURES else 0.0
    low, high = effect.ci
    if effect.measure in RATIO_MEASURES:
        up, down = effect.swc, 1 / effect.swc
    else:
        up, down = null + effect.swc, null - effect.swc
    if low <= down and high >= up:
        return -2, "The 95% interval includes both a worthwhile benefit and a worthwhile harm."
    if low <= null <= high and (low <= down or high >= up):
        return -1, "The 95% interval includes both no effect and a worthwhile effect."
    return None


def _within_subject(unit: Unit) -> bool:
    """The unit compares conditions in the same people: a within-subject estimate, or a crossover
    or laboratory design with no between-group estimate."""
    effect = unit.lead.effect
    if effect is not None and effect.comparison == "within-subject":
        return True
    between = effect is not None and effect.comparison == "between-group"
    return unit.lead.design in WITHIN_SUBJECT_DESIGNS and not between


def optimal_information_size(units: Sequence[Unit]) -> tuple[int, str]:
    """GRADE 6: the participants an adequately powered single study would need, and its label.

    ``OIS`` (400) is GRADE's rule of thumb for a continuous outcome compared between two groups;
    when every unit compares conditions within the same people, a paired design needs about a
    quarter of that (``OIS_WITHIN``; Cochrane Handbook 23.2, correlation 0.5 assumed).
    """
    if units and all(_within_subject(u) for u in units):
        return OIS_WITHIN, "compared within the same people"
    return OIS, "compared between groups"


def _interval_clear(units: Sequence[Unit]) -> bool:
    """GRADE 34: the best estimate is pooled from many studies (``POOLED_MANY``) and its 95%
    interval is narrow and excludes no effect: the bound nearest no effect is at least half the
    estimate's distance from it (on the log scale for ratios). The interval test against a smallest
    worthwhile change is applied separately."""
    best = best_unit(units)
    effect = best.lead.effect if best else None
    if effect is None or effect.ci is None or (effect.studies or 1) < POOLED_MANY:
        return False
    ratio = effect.measure in RATIO_MEASURES
    value, low, high = (
        (math.log(x) for x in (effect.value, *effect.ci)) if ratio else (effect.value, *effect.ci)
    )
    near = low if value > 0 else -high
    return not low <= 0 <= high and near >= abs(value) / 2


def _whom(units: Sequence[Unit]) -> str:
    """Whom the participants of a body resting on one study count when they are fewer than the
    study's sample size: 'the trained group of 26 in the study; a change within that group' (the
    estimate names the study's ``group`` it analysed), else 'analysed for this outcome, of 29 in
    the study' (``grading.counted_of``, as the summary of findings says it); '' otherwise."""
    if len(units) != 1 or len({m.key for m in units[0].members}) != 1:
        return ""
    lead, counted = units[0].lead, units[0].participants
    if not counted or not lead.sample_size or counted >= lead.sample_size:
        return ""
    effect = lead.effect
    group = effect.group if effect and effect.analysed == counted else None
    within = effect is not None and effect.comparison == "within-group"
    return grading.counted_of(f"{lead.sample_size} in the study", group, within and group is not None)


def _whole_totals(units: Sequence[Unit]) -> str:
    """' The review it rests on reports 156 participants over all its studies, not the number
    for this outcome.' when every unit without a count is led by a review with a sample
    size (its whole total is never counted for one outcome: ``app.evidence_units``), else ''."""
    leads = [u.lead for u in units if u.participants is None]
    if not leads or any(m.design not in REVIEW_DESIGNS or not m.sample_size for m in leads):
        return ""
    sizes = [str(m.sample_size) for m in leads]
    if len(sizes) == 1:
        return (f" The review it rests on reports {sizes[0]} participants over all its studies, not the "
                "number for this outcome.")  # fmt: skip
    return (f" The reviews it rests on report {', '.join(sizes[:-1])} and {sizes[-1]} participants over "
            "all their studies, not the numbers for this outcome.")  # fmt: skip


def _size_step(units: Sequence[Unit]) -> tuple[int, str] | None:
    """The optimal-information-size step (GRADE 6, 34): None when the size is adequate."""
    sizes = [u.participants for u in units]
    body = count(units)
    total, missing = body.participants, body.unknown
    carrying = f"in the {body.studies} {'study' if body.studies == 1 else 'studies'} the grade rests on"
    whom = _whom(units)
    if len(units) == 1 and sizes[0] is not None and sizes[0] < SINGLE_SMALL:
        return -2, f"A single study of {sizes[0]} participants{f' ({whom})' if whom else ''}."
    ois, how = optimal_information_size(units)
    if total >= ois:
        return None
    if missing and _interval_clear(units):
        return None  # judged on the interval (GRADE 34); see imprecision()
    if missing and not total:
        return -1, "The number of participants carrying the grade is not reported." + _whole_totals(units)
    if missing:
        return -1, (f"Fewer than {ois} participants ({how}) {carrying}, counted once ({total}); "
                    f"{missing} of them did not report theirs.")  # fmt: skip
    has_interval = any(u.lead.effect and u.lead.effect.ci for u in units)
    if not has_interval and len(units) > 1 and total < FAR_BELOW * ois:
        return -2, (f"Far fewer than {ois} participants ({how}) {carrying}, counted once ({total}), and "
                    "no interval reported to judge the estimate by.")  # fmt: skip
    return (
        -1,
        f"Fewer than {ois} participants ({how}) {carrying}, counted once ({total}{f': {whom}' if whom else ''}).",
    )


def imprecision(units: Sequence[Unit]) -> Reason | None:
    """GRADE 6 and 34: the interval against the smallest worthwhile change where known, then the
    participants counted once against the optimal information size. The larger step applies; an
    unreported count judged on a clear pooled interval is a note (a step of 0)."""
    steps = [step for step in (_size_step(units), _interval_imprecision(units)) if step]
    if not steps:
        if any(u.participants is None for u in units) and _interval_clear(units):
            return Reason("imprecision", 0, f"Participants not reported for this outcome, but the estimate "
                          f"is pooled from {POOLED_MANY} or more studies and its 95% interval is narrow and "
                          "excludes no effect: judged on the interval, not read as a small sample.",
                          _keys(units))  # fmt: skip
        return None
    effect = min(step for step, _ in steps)
    return Reason("imprecision", effect, " ".join(t for _, t in sorted(steps)), _keys(units))


def _trial_size(unit: Unit) -> float | None:
    """Mean participants per pooled trial: the review's pooled count over its studies, else the
    mean size of its included trials in the knowledge base (None when neither is known)."""
    effect = unit.lead.effect
    if effect is None or not effect.studies or effect.studies < 2:
        return None
    if effect.analysed:
        return effect.analysed / effect.studies
    sizes = [m.sample_size for m in unit.members[1:] if m.sample_size]
    return sum(sizes) / len(sizes) if sizes else None


def publication_bias(units: Sequence[Unit]) -> Reason | None:
    """GRADE 5: small-study effects reported or suspected; a literature of small positive trials."""
    for u in units:
        effect = u.lead.effect
        if effect is None:
            continue
        if effect.small_study_effects:
            return Reason(
                "publication bias", -1, "Small-study effects are reported for the pooled estimate.", u.keys
            )
        per_study = _trial_size(u)
        large = effect.measure in STANDARDISED_MEASURES and abs(effect.value) >= LARGE_SMD
        if large and per_study and per_study < SMALL_TRIAL:
            source = "" if effect.analysed else ", from its included trials in this knowledge base"
            return Reason("publication bias", -1,
                          f"A large standardised effect ({effect.shown('value')}) pooled from small trials "
                          f"(about {per_study:.0f} participants each{source}): small-study effects suspected.",
                          u.keys)  # fmt: skip
    small = [u for u in units if u.lead.design in TRIAL_DESIGNS and u.participants is not None
             and u.participants < SMALL_TRIAL]  # fmt: skip
    if len(units) >= 3 and len(small) == len(units) and all(favours(u.lead) == "benefit" for u in units):
        return Reason(
            "publication bias",
            -1,
            "The grade rests on small trials that all favour the intervention.",
            _keys(units),
        )
    return None


def rating_up(units: Sequence[Unit], start: str) -> Reason | None:
    """GRADE 9: only for a body that starts low and has no reason to rate down."""
    if start != "low":
        return None
    for u in units:
        effect = u.lead.effect
        if effect and effect.measure in RATIO_MEASURES and effect.ci:
            bound = min(effect.ci) if effect.value > 1 else 1 / max(effect.ci)
            if bound >= VERY_LARGE_RATIO:
                return Reason(
                    "large effect",
                    2,
                    f"A very large effect ({effect.shown('value')}, interval beyond {VERY_LARGE_RATIO:g}).",
                    u.keys,
                )
            if bound >= LARGE_RATIO:
                return Reason(
                    "large effect",
                    1,
                    f"A large effect ({effect.shown('value')}, interval beyond {LARGE_RATIO:g}).",
                    u.keys,
                )
    graded = [u for u in units if u.lead.dose_response]
    if graded:
        return Reason("dose-response", 1, "A dose-response gradient.", _keys(graded))
    return None


def best_unit(units: Sequence[Unit]) -> Unit | None:
    """The unit whose comparative estimate a summary of findings shows: pooled before single,
    then the most participants."""
    with_effect = [u for u in units if u.lead.effect and u.lead.effect.comparison != "within-group"]
    if not with_effect:
        return None
    return max(with_effect, key=lambda u: ((u.lead.effect.studies or 1) > 1, u.participants or 0))  # type: ignore[union-attr]


def grade_outcome(links: Sequence[GradedStudy], kind: str = "effect") -> Grade:
    """The certainty of the evidence for one outcome (see the module docstring for the steps)."""
    reasons: list[Reason] = []
    retracted = [s for s in links if s.retracted]
    if retracted:
        reasons.append(Reason("retraction", 0, "Retracted, so left out.", tuple(s.key for s in retracted)))
    usable = [s for s in links if not s.retracted]
    units = group_units(usable)
    body = count(units)  # the same counting as the imprecision rule (over the carrying units)
    counts = {"study_count": body.studies, "participants": body.participants,
              "participants_unknown": body.unknown}  # fmt: skip
    if not usable:
        reasons.append(Reason("evidence", 0, "No study bears on this outcome."))
        return Grade("no-evidence", tuple(reasons), **counts)  # type: ignore[arg-type]
    research = [u for u in units if u.lead.design not in OPINION_DESIGNS]
    if research and not any(s.directness == "direct" for u in research for s in u.members):
        from app.grading import INDIRECTNESS_KINDS

        kinds = [
            INDIRECTNESS_KINDS[k]
            for k in INDIRECTNESS_KINDS
            if any(k in u.lead.indirect_because for u in research)
        ]
        text = "No direct evidence: no study answers this question as asked"
        text += f" ({'; '.join(kinds)})" if kinds else ""
        reasons.append(
            Reason(
                "indirectness", 0, text + ". The studies are shown as context, not graded.", _keys(research)
            )
        )
        return Grade("no-direct-evidence", tuple(reasons), carrying=_keys(research),
                     direction=_direction(research), **counts)  # type: ignore[arg-type]  # fmt: skip
    pool = research or units
    best = max(LEVELS.index(start_level(u.lead, kind)) for u in pool)
    carrying = [u for u in pool if LEVELS.index(start_level(u.lead, kind)) == best]
    reasons.append(_start_reason(carrying, LEVELS[best], kind))
    steps = [r for r in (risk_of_bias(carrying), inconsistency(carrying)) if r]
    steps += indirectness(carrying)
    steps += [r for r in (imprecision(carrying), publication_bias(carrying)) if r]
    if not any(r.effect < 0 for r in steps):
        up = rating_up(carrying, LEVELS[best])
        steps += [up] if up else []
    level = _apply(best, steps, reasons)
    best_u = best_unit(carrying)
    return Grade(LEVELS[level], tuple(reasons), carrying=_keys(carrying), direction=_direction(carrying),
                 best=best_u.lead.key if best_u else None, **counts)  # fmt: skip


def _start_reason(carrying: Sequence[Unit], level: str, kind: str) -> Reason:
    from app.grading import DESIGN_LABELS

    designs = sorted({DESIGN_LABELS.get(u.lead.design or "", "unknown design").lower() for u in carrying})
    text = f"Starts at {level.replace('-', ' ')}: the strongest design is {' and '.join(designs)}"
    if (
        kind == "factual"
        and level == "high"
        and any(
            u.lead.design not in DESIGN_START or DESIGN_START[u.lead.design or ""] != "high" for u in carrying
        )
    ):
        text += " (measuring the quantity directly: the right design for a factual or physiological question)"
    return Reason("study design", 0, text + ".", _keys(carrying))


def _apply(start: int, steps: Sequence[Reason], reasons: list[Reason]) -> int:
    """Move the level step by step, within very low..high; a reason's effect is the move made."""
    level = start
    for step in steps:
        new = max(0, min(len(LEVELS) - 1, level + step.effect))
        if new != level + step.effect:
            note = (
                " (No change: the grade is already very low, the lowest.)"
                if step.effect < 0
                else " (No change: the grade is already high, the highest.)"
            )
            if new != level:  # a partial move, in words: how far it went, and why not further
                verb, end = (
                    ("lowers", "very low is the lowest") if step.effect < 0 else ("raises", "high is the top")
                )
                note = (
                    f" (This {verb} the grade by {_levels(abs(new - level))}, not {_levels(abs(step.effect))}:"
                    f" {end} grade.)"
                )
            step = Reason(step.factor, new - level, step.explanation + note, step.studies)
        level = new
        reasons.append(step)
    return level


def _levels(n: int) -> str:
    """'one level', 'two levels' (n: 1..3, the moves a reason can make)."""
    word = ["no", "one", "two", "three"][n] if n < 4 else str(n)
    return f"{word} level{'' if n == 1 else 's'}"


def _direction(units: Sequence[Unit]) -> str:
    sides = {favours(u.lead) for u in units}
    if sides == {"benefit"}:
        return "supports"
    if sides <= {"none", "harm"}:
        return "against"
    return "mixed"
