"""Certainty per outcome: one test per rule of app/certainty.py, with the GRADE guidance it follows.

The expected levels are written out from the rules as published (data/README.md, the methodology
page), not read back from the module's tables, so changing a rule fails here until this file is
changed too.
"""

from __future__ import annotations

import dataclasses

import pytest

from app.certainty import RULES, SOURCES, grade_outcome, start_level
from app.evidence_units import favours, group_units
from app.grading import (
    LEVELS,
    Effect,
    Grade,
    GradedStudy,
    Question,
    Reason,
    calibrated_sentence,
    outcome_answer,
    third_person,
    verdict_disagreement,
)


def study(key: str, design: str | None = "randomized-controlled-trial", stance: str = "supports",
          n: int | None = 500, rob: str | None = "low", **extra: object) -> GradedStudy:  # fmt: skip
    """An evidence link: large, direct and at low risk of bias unless the test says otherwise."""
    return GradedStudy(key=key, design=design, stance=stance, sample_size=n, risk_of_bias=rob, **extra)  # type: ignore[arg-type]


def review(
    key: str, analysed: int | None = None, includes: tuple[str, ...] = (), **extra: object
) -> GradedStudy:
    effect = extra.pop("effect", None) or (
        Effect("smd", -0.5, (-0.8, -0.2), analysed=analysed) if analysed else None
    )
    return study(key, "meta-analysis", n=None, includes=includes, effect=effect, **extra)


def md(value: float, low: float, high: float, **extra: object) -> Effect:
    return Effect("md", value, (low, high), better=extra.pop("better", "lower"), **extra)  # type: ignore[arg-type]


def factors(grade: Grade) -> dict[str, list[Reason]]:
    found: dict[str, list[Reason]] = {}
    for reason in grade.reasons:
        found.setdefault(reason.factor, []).append(reason)
    return found


def moved(grade: Grade, factor: str) -> int:
    return sum(r.effect for r in grade.reasons if r.factor == factor)


# --- study design (GRADE 3, Cochrane Handbook 23, GRADE 24) ------------------------------------

EFFECT_START = {
    "systematic-review": "high", "meta-analysis": "high", "randomized-controlled-trial": "high",
    "randomized-crossover-trial": "high", "controlled-trial": "low", "crossover-trial": "low",
    "cohort": "low", "case-control": "low", "cross-sectional": "low", "guideline": "low",
    "case-series": "very-low", "laboratory": "very-low", "expert-opinion": "very-low", "web-page": "very-low",
}  # fmt: skip


@pytest.mark.parametrize(("design", "expected"), sorted(EFFECT_START.items()))
def test_start_level_per_design(design: str, expected: str) -> None:
    assert start_level(study("s", design)) == expected


def test_randomised_crossover_trials_start_high() -> None:
    grade = grade_outcome([study("x", "randomized-crossover-trial", n=600)])
    assert grade.level == "high" and "randomised crossover trial" in grade.reasons[0].explanation


@pytest.mark.parametrize(
    ("review_of", "expected"),
    [("trials", "high"), (None, "high"), ("observational", "low"), ("mixed", "low")],
)
def test_a_review_starts_from_its_weakest_pooled_design(review_of: str | None, expected: str) -> None:
    assert start_level(review("r", review_of=review_of)) == expected


def test_a_trial_outside_a_mixed_design_review_carries_the_grade() -> None:
    grade = grade_outcome([review("mixed", analysed=500, review_of="mixed"), study("rct", n=600)])
    assert grade.carrying == ("rct",) and grade.level == "high"


@pytest.mark.parametrize("level", LEVELS)
def test_guideline_takes_the_recorded_level_of_its_evidence(level: str) -> None:
    assert start_level(study("g", "guideline", evidence_level=level)) == level


@pytest.mark.parametrize("design", ["laboratory", "crossover-trial", "cross-sectional", "cohort"])
def test_factual_claims_measured_directly_start_high(design: str) -> None:
    assert start_level(study("lab", design), "factual") == "high"
    assert (
        start_level(study("lab", design, directness="indirect", indirect_because=("population",)), "factual")
        != "high"
    )


@pytest.mark.parametrize("design", ["case-series", "expert-opinion", "web-page"])
def test_factual_claims_do_not_raise_opinion_or_case_series(design: str) -> None:
    assert start_level(study("x", design), "factual") == "very-low"


def test_lab_studies_of_a_physiological_claim_are_graded_as_such() -> None:
    """Four consistent within-subject laboratory studies of energy cost: high, down one for
    imprecision (fewer than 400 people): moderate. The same studies for an effect claim: very low."""
    labs = [study(f"lab{i}", "laboratory", n=n) for i, n in enumerate([12, 16, 20, 21])]
    factual = grade_outcome(labs, kind="factual")
    assert factual.level == "moderate"
    assert [(r.factor, r.effect) for r in factual.reasons] == [("study design", 0), ("imprecision", -1)]
    assert grade_outcome(labs, kind="effect").level == "very-low"


def test_the_highest_starting_units_carry_the_grade_whatever_their_stance() -> None:
    grade = grade_outcome([study("lab", "laboratory", n=900), study("rct", stance="no-effect", n=900)])
    assert grade.carrying == ("rct",) and grade.direction == "against"


# --- counting participants once -----------------------------------------------------------------


def test_a_review_and_its_included_trial_count_once() -> None:
    grade = grade_outcome([review("lin", analysed=300, includes=("alg",)), study("alg", n=68)])
    assert grade.participants == 300 and grade.carrying == ("lin", "alg")
    (reason,) = factors(grade)["imprecision"]
    assert "(300)" in reason.explanation


def test_a_review_counts_only_the_participants_it_pooled_for_the_outcome() -> None:
    whole = dataclasses.replace(review("bal", includes=("alg",)), sample_size=635)  # the whole review
    grade = grade_outcome([whole, study("alg", n=68)])
    assert grade.participants == 68


def test_duplicate_publications_count_once() -> None:
    grade = grade_outcome([study("a", n=20), study("b", n=20, duplicate_of="a")])
    assert grade.participants == 20
    assert len(group_units([study("a", n=20), study("b", n=20, duplicate_of="a")])) == 1


def test_overlapping_reviews_count_as_the_larger() -> None:
    grade = grade_outcome(
        [review("r1", analysed=200, includes=("x", "y")), review("r2", analysed=300, includes=("y", "z"))]
    )
    assert grade.participants == 300


def test_separate_studies_add_up() -> None:
    assert grade_outcome([study("a", n=150), study("b", n=150)]).participants == 300


# --- no direct evidence (GRADE 8) ---------------------------------------------------------------


def indirect(key: str, *kinds: str, **extra: object) -> GradedStudy:
    return study(key, directness="indirect", indirect_because=kinds, **extra)


def test_only_indirect_studies_give_no_direct_evidence_not_a_level() -> None:
    grade = grade_outcome(
        [indirect("rct", "population", n=900), indirect("sr", "population", design="meta-analysis")]
    )
    assert grade.level == "no-direct-evidence"
    assert grade.carrying == ("rct", "sr")
    assert "people studied differ" in grade.reasons[-1].explanation


def test_direct_expert_opinion_does_not_make_indirect_trials_direct() -> None:
    grade = grade_outcome(
        [
            study("opinion", "expert-opinion", n=None, stance="contradicts"),
            indirect("rct", "population", n=900),
        ]
    )
    assert grade.level == "no-direct-evidence"


def test_no_links_is_no_evidence() -> None:
    assert grade_outcome([]).level == "no-evidence"


def test_retracted_studies_are_left_out() -> None:
    grade = grade_outcome([study("gone", n=900, retracted=True)])
    assert grade.level == "no-evidence" and factors(grade)["retraction"][0].studies == ("gone",)


# --- risk of bias (GRADE 4) ---------------------------------------------------------------------


@pytest.mark.parametrize(("robs", "effect"), [
    (["low", "low"], 0),
    (["some-concerns", "some-concerns"], -1),
    (["unclear", "low"], 0),  # half the weight is not most of it
    (["unclear", "unclear", "low"], -1),
    ([None, None], -1),  # not assessed counts as a concern
    (["high", "low", "low"], 0),
    (["high", "high", "low"], -1),
    (["high", "high"], -2),
])  # fmt: skip
def test_risk_of_bias_in_the_studies_carrying_most_weight(robs: list[str | None], effect: int) -> None:
    grade = grade_outcome([study(f"s{i}", n=500, rob=r) for i, r in enumerate(robs)])
    assert moved(grade, "risk of bias") == effect


def test_risk_of_bias_is_weighted_by_participants() -> None:
    big_low = study("big", n=900, rob="low")
    small = [study(f"s{i}", n=50, rob="some-concerns") for i in range(3)]
    assert moved(grade_outcome([big_low, *small]), "risk of bias") == 0
    big_concerns = study("big", n=900, rob="some-concerns")
    assert moved(grade_outcome([big_concerns, study("s", n=50)]), "risk of bias") == -1


def test_a_review_speaks_for_the_risk_of_bias_of_its_trials() -> None:
    grade = grade_outcome(
        [review("r", analysed=600, includes=("t",), rob="some-concerns"), study("t", n=60, rob="low")]
    )
    assert moved(grade, "risk of bias") == -1


def test_the_risk_of_bias_footnote_says_which_judgements_it_rests_on() -> None:
    labs = [study("a", "laboratory", n=27, rob="some-concerns"), study("b", "laboratory", n=17, rob="some-concerns"),
            study("c", "laboratory", n=None, rob="unclear")]  # fmt: skip
    (reason,) = factors(grade_outcome(labs, kind="factual"))["risk of bias"]
    assert reason.effect == -1 and "(2 some concerns, 1 unclear)" in reason.explanation
    (unassessed,) = factors(grade_outcome([study("x", rob=None)]))["risk of bias"]
    assert "(1 not assessed)" in unassessed.explanation


# --- inconsistency (GRADE 7) --------------------------------------------------------------------


@pytest.mark.parametrize(("i2", "effect"), [(49.9, 0), (50, -1), (80, -1)])
def test_inconsistency_from_i2(i2: float, effect: int) -> None:
    pooled = Effect("smd", -0.4, (-0.6, -0.2), analysed=900, studies=8, i2=i2)
    assert moved(grade_outcome([review("r", effect=pooled)]), "inconsistency") == effect


def test_benefit_and_no_effect_are_inconsistent() -> None:
    grade = grade_outcome([study("a", effect=md(-1, -1.5, -0.5)), study("b", effect=md(0.2, -0.3, 0.7))])
    assert moved(grade, "inconsistency") == -1


def test_an_imprecise_study_leaning_the_same_way_is_not_inconsistent() -> None:
    grade = grade_outcome([study("a", effect=md(-1, -1.5, -0.5)), study("b", effect=md(-0.4, -0.9, 0.1))])
    assert moved(grade, "inconsistency") == 0


def test_a_study_inside_a_carrying_review_is_not_counted_again() -> None:
    grade = grade_outcome([review("r", analysed=600, includes=("t",)), study("t", stance="no-effect", n=30)])
    assert "inconsistency" not in factors(grade)


def test_recorded_direction_stands_in_for_a_missing_estimate() -> None:
    grade = grade_outcome([study("a"), study("b", stance="contradicts")])
    assert moved(grade, "inconsistency") == -1


def test_a_weaker_design_does_not_make_the_trials_inconsistent() -> None:
    grade = grade_outcome([study("rct", n=900), study("lab", "laboratory", stance="contradicts")])
    assert "inconsistency" not in factors(grade)


def test_responses_varying_between_participants_are_a_note_not_inconsistency() -> None:
    """GRADE 7: inconsistency is between studies; one study's varied responses show in precision."""
    grade = grade_outcome([study("a", n=900, inconsistent=True)])
    (reason,) = factors(grade)["inconsistency"]
    assert reason.effect == 0 and grade.level == "high"


def test_an_indirect_study_of_another_condition_does_not_make_direct_ones_inconsistent() -> None:
    """GRADE 7: heterogeneity explained by a different condition (a walking pace for a running
    question) is indirectness, not unexplained inconsistency."""
    slow = study("slow", stance="no-effect", n=300, directness="indirect", indirect_because=("intervention",))
    grade = grade_outcome([study("fast", n=900), slow])
    assert moved(grade, "inconsistency") == 0
    direct_disagreement = grade_outcome([study("fast", n=900), study("other", stance="no-effect", n=300)])
    assert moved(direct_disagreement, "inconsistency") == -1


@pytest.mark.parametrize(("effect", "side"), [
    (md(-1, -1.5, -0.5), "benefit"), (md(1, 0.5, 1.5), "harm"), (md(0.2, -0.3, 0.7), "none"),
    (md(-0.2, -0.7, 0.3), "unclear"), (md(1, 0.5, 1.5, better="higher"), "benefit"),
    (Effect("rr", 0.7, (0.5, 0.9), better="lower"), "benefit"),
])  # fmt: skip
def test_favours(effect: Effect, side: str) -> None:
    assert favours(study("a", effect=effect)) == side


def test_a_within_group_change_is_not_read_as_a_comparison() -> None:
    change = Effect("percent-change", 5.2, None, comparison="within-group")
    assert favours(study("a", stance="no-effect", effect=change)) == "none"


# --- indirectness (GRADE 8) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["population", "outcome", "intervention", "predicted-vs-measured", "acute-vs-training"]
)
def test_indirectness_one_level_per_kind(kind: str) -> None:
    grade = grade_outcome([indirect("a", kind, n=900), study("direct", n=100)])
    assert moved(grade, "indirectness") == -1 and factors(grade)["indirectness"][0].studies == ("a",)


def test_indirectness_at_most_two_levels() -> None:
    grade = grade_outcome([indirect("a", "population", "outcome", "intervention", n=900), study("d", n=100)])
    assert moved(grade, "indirectness") == -2


def test_one_direct_study_does_not_cancel_indirectness() -> None:
    assert (
        moved(grade_outcome([indirect("big", "population", n=900), study("small", n=100)]), "indirectness")
        == -1
    )
    assert (
        moved(grade_outcome([indirect("small", "population", n=100), study("big", n=900)]), "indirectness")
        == 0
    )


# --- imprecision (GRADE 6, GRADE 34) ------------------------------------------------------------


@pytest.mark.parametrize(("sizes", "effect"), [
    ([399], -1), ([400], 0), ([200, 199], -1), ([200, 200], 0), ([29], -2), ([100], -1), ([99], -1),
    ([50, 49], -2), ([50, 50], -1),
])  # fmt: skip
def test_imprecision_from_participants_counted_once(sizes: list[int], effect: int) -> None:
    grade = grade_outcome([study(f"s{i}", n=n) for i, n in enumerate(sizes)])
    assert moved(grade, "imprecision") == effect
    assert grade.level == LEVELS[3 + effect]


def test_unreported_numbers_count_as_imprecise() -> None:
    (reason,) = factors(grade_outcome([study("a", n=None)]))["imprecision"]
    assert reason.effect == -1 and "not reported" in reason.explanation


def test_a_review_without_its_pooled_number_is_judged_on_its_interval() -> None:
    """An unrecorded number is not a small number (review-2026-11 section 5), but it is not a
    large one either: a review's unrecorded count is a note when its interval is narrow and pooled
    from many trials (GRADE 34: the interval first); with no interval there is nothing to judge
    precision by, so it still goes down one level; a wide interval is judged as wide."""
    narrow = review("cochrane", effect=md(-12, -15, -10, studies=44))
    (reason,) = factors(grade_outcome([narrow]))["imprecision"]
    assert reason.effect == 0 and "not reported" in reason.explanation
    assert moved(grade_outcome([review("cochrane")]), "imprecision") == -1
    wide = Effect("smd", -0.3, (-0.9, 0.3), swc=0.5, studies=44)
    assert moved(grade_outcome([review("cochrane", effect=wide)]), "imprecision") == -1


def test_far_below_the_information_size_with_no_interval_is_two_levels() -> None:
    """GRADE 34: a sample far below the OIS (under a quarter) with no interval to judge: -2. With
    an interval reported, the interval is judged and the size costs one level."""
    assert moved(grade_outcome([study("a", n=33), study("b", n=16)]), "imprecision") == -2
    with_ci = study("a", n=49, effect=md(-5, -8, -2))
    assert moved(grade_outcome([with_ci]), "imprecision") == -1


@pytest.mark.parametrize(("design", "sizes", "effect"), [
    ("laboratory", [20, 24], -1), ("laboratory", [50, 50], 0), ("randomized-crossover-trial", [100], 0),
    ("laboratory", [10, 10], -2), ("laboratory", [24], -2), ("laboratory", [30], -1), ("randomized-controlled-trial", [50, 50], -1),
])  # fmt: skip
def test_within_subject_comparisons_need_a_quarter_of_the_information_size(
    design: str, sizes: list[int], effect: int
) -> None:
    """GRADE 6: the OIS is what one adequately powered study needs; a paired (within-subject)
    design needs about a quarter of a two-group trial's total (Cochrane Handbook 23.2)."""
    grade = grade_outcome([study(f"s{i}", design, n=n) for i, n in enumerate(sizes)], kind="factual")
    assert moved(grade, "imprecision") == effect


def test_a_between_group_laboratory_estimate_uses_the_two_group_size() -> None:
    lab = study("lab", "laboratory", n=200, effect=md(-5, -8, -2, comparison="between-group"))
    assert moved(grade_outcome([lab], kind="factual"), "imprecision") == -1


@pytest.mark.parametrize(("studies", "ci", "effect"), [
    (44, (-15, -10), 0),  # many trials, narrow interval: judged on the interval (a note)
    (7, (-15, -10), -1),  # too few trials to assume the size: unreported counts as imprecise
    (44, (-25, -1), -1),  # wide interval: the unreported count is not excused
    (44, (-15, 2), -1),  # includes no effect
])  # fmt: skip
def test_an_unreported_count_is_not_small_when_many_pooled_trials_give_a_narrow_interval(
    studies: int, ci: tuple[float, float], effect: int
) -> None:
    """GRADE 34: the interval is the primary criterion; ten trials of even 40 people reach 400."""
    pooled = review("cochrane", effect=md(-12, *ci, studies=studies))
    grade = grade_outcome([pooled])
    (reason,) = factors(grade)["imprecision"]
    assert reason.effect == effect


def test_a_narrow_ratio_interval_is_judged_on_the_log_scale() -> None:
    wide = review("nma", effect=Effect("or", 13.0, (2.4, 83.5), studies=22))
    narrow = review("ma", effect=Effect("rr", 0.5, (0.4, 0.6), studies=22))
    assert moved(grade_outcome([wide]), "imprecision") == -1
    assert moved(grade_outcome([narrow]), "imprecision") == 0


@pytest.mark.parametrize(("ci", "effect"), [
    ((-1.5, -1.1), 0),  # all of it beyond the smallest worthwhile change
    ((-1.5, -0.2), 0),  # a benefit for sure, of uncertain size: not a reason on its own
    ((-1.5, 0.2), -1),  # no effect and a worthwhile effect
    ((-1.5, 1.2), -2),  # worthwhile benefit and worthwhile harm
    ((-0.5, 0.5), 0),  # no worthwhile effect either way
])  # fmt: skip
def test_imprecision_from_the_interval_against_the_smallest_worthwhile_change(
    ci: tuple[float, float], effect: int
) -> None:
    estimate = Effect("md", (ci[0] + ci[1]) / 2, ci, better="lower", analysed=900, swc=1.0)
    assert moved(grade_outcome([study("a", n=900, effect=estimate)]), "imprecision") == effect


def test_not_significant_is_not_by_itself_imprecision() -> None:
    grade = grade_outcome([study("a", n=900, effect=md(-0.3, -0.8, 0.2))])
    assert "imprecision" not in factors(grade)


def test_ratio_interval_against_a_ratio_threshold() -> None:
    estimate = Effect("rr", 1.0, (0.7, 1.3), swc=1.25, analysed=900)
    assert moved(grade_outcome([study("a", n=900, effect=estimate)]), "imprecision") == -2


# --- publication bias (GRADE 5) -----------------------------------------------------------------


def test_reported_small_study_effects() -> None:
    pooled = Effect("smd", -0.4, (-0.6, -0.2), analysed=900, studies=10, small_study_effects=True)
    assert moved(grade_outcome([review("r", effect=pooled)]), "publication bias") == -1


@pytest.mark.parametrize(("value", "analysed", "effect"), [(-1.0, 400, -1), (-0.5, 400, 0), (-1.0, 2000, 0)])
def test_large_standardised_effect_from_small_trials(value: float, analysed: int, effect: int) -> None:
    pooled = Effect("smd", value, (value - 0.3, value + 0.3), analysed=analysed, studies=10)
    assert moved(grade_outcome([review("r", effect=pooled)]), "publication bias") == effect


def test_large_standardised_effect_with_an_unreported_count_uses_the_included_trials() -> None:
    """GRADE 5: when the review's pooled count is unknown, its included trials in the knowledge
    base show whether the trials were small."""
    pooled = Effect("hedges-g", -1.0, (-1.37, -0.62), studies=13)
    small = grade_outcome(
        [review("lin", effect=pooled, includes=("a", "b")), study("a", n=32), study("b", n=66)]
    )
    assert moved(small, "publication bias") == -1
    assert "included trials" in factors(small)["publication bias"][0].explanation
    unknown = grade_outcome([review("lin", effect=pooled)])
    assert moved(unknown, "publication bias") == 0


def test_a_literature_of_small_positive_trials() -> None:
    assert moved(grade_outcome([study(f"s{i}", n=60) for i in range(3)]), "publication bias") == -1
    assert moved(grade_outcome([study(f"s{i}", n=60) for i in range(2)]), "publication bias") == 0
    mixed = [study("s0", n=60), study("s1", n=60), study("s2", n=60, stance="no-effect")]
    assert "publication bias" not in factors(grade_outcome(mixed))


# --- rating up (GRADE 9) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rr", "ci", "effect"), [(0.4, (0.3, 0.55), 0), (0.3, (0.2, 0.45), 1), (0.1, (0.05, 0.15), 2)]
)
def test_large_effect_rates_up_observational_evidence(
    rr: float, ci: tuple[float, float], effect: int
) -> None:
    grade = grade_outcome([study("c", "cohort", n=5000, effect=Effect("rr", rr, ci, better="lower"))])
    assert moved(grade, "large effect") == effect
    assert grade.level == LEVELS[1 + effect]


def test_no_rating_up_for_trials_or_after_rating_down() -> None:
    large = Effect("rr", 0.1, (0.05, 0.15), better="lower")
    assert "large effect" not in factors(grade_outcome([study("rct", n=5000, effect=large)]))
    assert "large effect" not in factors(
        grade_outcome([study("c", "cohort", n=5000, rob="high", effect=large)])
    )


def test_dose_response_rates_up_one_level() -> None:
    grade = grade_outcome([study("c", "cohort", n=5000, dose_response=True)])
    assert (moved(grade, "dose-response"), grade.level) == (1, "moderate")


# --- the floor, the reasons, the published rules ------------------------------------------------


def test_never_below_very_low_and_effects_add_up() -> None:
    grade = grade_outcome(
        [
            indirect("a", "population", "outcome", design="cohort", n=10, rob="high"),
            study("d", "cohort", n=5, rob="high"),
        ]
    )
    assert grade.level == "very-low"
    assert sum(r.effect for r in grade.reasons) == -LEVELS.index("low")


def test_every_rule_cites_its_guidance() -> None:
    factors_published = {r.factor for r in RULES}
    assert {"study design", "risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias",
            "rating up", "no direct evidence", "counting"} <= factors_published  # fmt: skip
    for rule in RULES:
        assert all(s in SOURCES for s in rule.sources)
        assert rule.sources or rule.factor == "floor"


def test_the_best_estimate_is_the_pooled_one() -> None:
    pooled = Effect("smd", -0.5, (-0.8, -0.2), analysed=300, studies=5)
    grade = grade_outcome([study("t", n=400, effect=md(-1, -2, 0)), review("r", effect=pooled)])
    assert grade.best == "r"


# --- calibrated wording --------------------------------------------------------------------------

SUBJECT, PREDICATE = "backward walking", "ease knee pain"


@pytest.mark.parametrize(("level", "sentence"), [
    ("high", "Backward walking eases knee pain."),
    ("moderate", "Backward walking probably eases knee pain."),
    ("low", "Backward walking may ease knee pain."),
    ("very-low", "The evidence is very uncertain about whether backward walking eases knee pain."),
])  # fmt: skip
def test_calibrated_sentence_supporting(level: str, sentence: str) -> None:
    assert calibrated_sentence(SUBJECT, PREDICATE, level, "supports") == sentence


@pytest.mark.parametrize(("level", "sentence"), [
    ("high", "Backward walking does not ease knee pain."),
    ("moderate", "Backward walking probably does not ease knee pain."),
    ("low", "Backward walking may not ease knee pain."),
    ("very-low", "The evidence is very uncertain, but it does not suggest that backward walking "
                 "eases knee pain."),
])  # fmt: skip
def test_calibrated_sentence_against(level: str, sentence: str) -> None:
    assert calibrated_sentence(SUBJECT, PREDICATE, level, "against") == sentence
    assert calibrated_sentence(SUBJECT, PREDICATE, level, "supports", "contradicted") == sentence


@pytest.mark.parametrize("level", LEVELS)
def test_calibrated_sentence_mixed_is_very_uncertain(level: str) -> None:
    assert calibrated_sentence(SUBJECT, PREDICATE, level, "mixed") == (
        "The evidence is very uncertain about whether backward walking eases knee pain."
    )


@pytest.mark.parametrize("level", LEVELS)
def test_misleading_claims_never_get_a_positive_sentence(level: str) -> None:
    sentence = calibrated_sentence(SUBJECT, PREDICATE, level, "supports", "misleading")
    assert sentence == "The evidence does not show that backward walking eases knee pain."


def test_unproven_claims_never_get_a_positive_sentence() -> None:
    assert calibrated_sentence(SUBJECT, PREDICATE, "moderate", "supports", "unproven") == (
        "There is no direct evidence that backward walking eases knee pain."
    )
    assert calibrated_sentence(SUBJECT, PREDICATE, "very-low", "supports", "unproven").startswith(
        "The evidence is very uncertain about whether"
    )


def test_calibrated_sentence_uses_the_curators_third_person_form() -> None:
    sentence = calibrated_sentence("backward walking", "ease pain and improve function", "moderate",
                                   predicate_s="eases pain and improves function")  # fmt: skip
    assert sentence == "Backward walking probably eases pain and improves function."


@pytest.mark.parametrize(("base", "third"), [
    ("ease pain", "eases pain"), ("carry risk", "carries risk"), ("play a part", "plays a part"),
    ("fix it", "fixes it"), ("reach more", "reaches more"), ("go", "goes"), ("do", "does"),
    ("have a cost", "has a cost"), ("be safe", "is safe"),
])  # fmt: skip
def test_third_person(base: str, third: str) -> None:
    assert third_person(base) == third


# --- one-line answers (GRADE 26) ---------------------------------------------------------------

KNEE = Question("people with knee osteoarthritis", "backward walking added to physiotherapy", "physiotherapy alone",
                "reduce knee pain", timeframe="in the short term")  # fmt: skip


@pytest.mark.parametrize(("level", "answer"), [
    ("high", "In people with knee osteoarthritis, backward walking added to physiotherapy reduces knee pain "
             "compared with physiotherapy alone in the short term."),
    ("moderate", "In people with knee osteoarthritis, backward walking added to physiotherapy probably reduces "
                 "knee pain compared with physiotherapy alone in the short term."),
    ("low", "In people with knee osteoarthritis, backward walking added to physiotherapy may reduce knee pain "
            "compared with physiotherapy alone in the short term."),
    ("very-low", "In people with knee osteoarthritis, the evidence is very uncertain about whether backward walking "
                 "added to physiotherapy reduces knee pain compared with physiotherapy alone in the short term."),
    ("no-direct-evidence", "In people with knee osteoarthritis, there is no direct evidence that backward walking "
                           "added to physiotherapy reduces knee pain compared with physiotherapy alone in the short term."),
    ("no-evidence", "In people with knee osteoarthritis, no study has tested whether backward walking added to "
                    "physiotherapy reduces knee pain compared with physiotherapy alone in the short term."),
])  # fmt: skip
def test_outcome_answer_names_population_and_comparison_with_grades_verb(level: str, answer: str) -> None:
    assert outcome_answer(KNEE, Grade(level, ())) == answer


def test_advice_without_evidence_says_so() -> None:
    advice = Question(
        "adults new to backward treadmill walking", "starting at 1.5-2.0 mph", None, "be a safe start"
    )
    assert outcome_answer(advice, Grade("no-evidence", ()), kind="advice") == (
        "Expert advice, untested: in adults new to backward treadmill walking, no study has tested whether "
        "starting at 1.5-2.0 mph is a safe start."
    )


def test_an_acronym_keeps_its_capitals() -> None:
    acl = Question("ACL reconstruction patients", "backward walking", None, "improve proprioception")
    assert outcome_answer(acl, Grade("low", ())).startswith(
        "In ACL reconstruction patients, backward walking may"
    )


# --- verdict vs certainty ----------------------------------------------------------------------


@pytest.mark.parametrize("level", ["very-low", "no-direct-evidence", "no-evidence"])
def test_supported_without_certainty_is_flagged(level: str) -> None:
    assert "supported" in (verdict_disagreement("supported", Grade(level, ())) or "")


def test_supported_when_the_carrying_studies_do_not_support_is_flagged() -> None:
    grade = grade_outcome([study("rct", stance="no-effect", n=900)])
    assert grade.level == "high"
    assert "do not support" in (verdict_disagreement("supported", grade) or "")


def test_contradicted_when_the_carrying_studies_support_is_flagged() -> None:
    assert "support the claim" in (
        verdict_disagreement("contradicted", grade_outcome([study("rct", n=900)])) or ""
    )


def test_unproven_against_moderate_direct_support_is_flagged() -> None:
    assert "unproven" in (verdict_disagreement("unproven", grade_outcome([study("rct", n=900)])) or "")


@pytest.mark.parametrize(("verdict", "links"), [
    ("supported", [study("rct", n=900)]),
    ("partly-supported", [study("lab", "laboratory", n=10)]),
    ("unproven", [indirect("rct", "population", n=900)]),
    ("misleading", [study("rct", n=900)]),
    ("contradicted", [study("rct", stance="contradicts", n=900)]),
])  # fmt: skip
def test_verdicts_that_fit_the_grade_are_not_flagged(verdict: str, links: list[GradedStudy]) -> None:
    assert verdict_disagreement(verdict, grade_outcome(links)) is None


@pytest.mark.parametrize(
    ("group", "within", "said"),
    [
        ("backward", True, "the backward group of 29 in the study; a change within that group"),
        ("backward", False, "the backward group of 29 in the study"),
        # no group recorded for the estimate: the count is what the outcome analysed
        (None, False, "analysed for this outcome, of 29 in the study"),
    ],
)
def test_whom_a_count_below_the_sample_counts(group: str | None, within: bool, said: str) -> None:
    from app.grading import counted_of

    assert counted_of("29 in the study", group, within) == said
