"""The evidence grade: one test per rule of app/grading.py and ../shared/reference/grading.md.

The expected levels are written out from the house rules (not read back from the module's own
tables), so a change to a rule fails here until the rule's reference is changed too.
"""

from __future__ import annotations

import itertools

import pytest

from app.grading import (
    IMPRECISION_SINGLE,
    IMPRECISION_TOTAL,
    LEVELS,
    RULES,
    Grade,
    GradedStudy,
    Reason,
    calibrated_sentence,
    grade_evidence,
    start_level,
    third_person,
    verdict_disagreement,
)


def study(key: str, design: str | None = "randomized-controlled-trial", stance: str = "supports",
          n: int | None = 500, **extra: object) -> GradedStudy:  # fmt: skip
    """An evidence link; large and direct unless the test says otherwise."""
    return GradedStudy(key=key, design=design, stance=stance, sample_size=n, **extra)  # type: ignore[arg-type]


def factors(grade: Grade) -> dict[str, list[Reason]]:
    found: dict[str, list[Reason]] = {}
    for reason in grade.reasons:
        found.setdefault(reason.factor, []).append(reason)
    return found


def downgrades(grade: Grade, factor: str) -> int:
    return sum(r.effect for r in grade.reasons if r.factor == factor)


# --- starting level ------------------------------------------------------------------------------

# grading.md: "systematic review / meta-analysis of trials and randomised trials high;
# non-randomised controlled trials and observational designs low; laboratory (mechanistic,
# acute), case series, expert opinion and web pages very low. A guideline takes the level of the
# evidence it rests on where that is recorded, else low."
HOUSE_START = {
    "systematic-review": "high",
    "meta-analysis": "high",
    "randomized-controlled-trial": "high",
    "controlled-trial": "low",
    "crossover-trial": "low",
    "cohort": "low",
    "case-control": "low",
    "cross-sectional": "low",
    "guideline": "low",
    "case-series": "very-low",
    "laboratory": "very-low",
    "expert-opinion": "very-low",
    "web-page": "very-low",
}


@pytest.mark.parametrize(("design", "expected"), sorted(HOUSE_START.items()))
def test_start_level_per_design(design: str, expected: str) -> None:
    assert start_level(study("s", design)) == expected


@pytest.mark.parametrize(
    ("review_of", "expected"),
    [("trials", "high"), (None, "high"), ("observational", "low"), ("mixed", "low")],
)
@pytest.mark.parametrize("design", ["systematic-review", "meta-analysis"])
def test_review_of_observational_studies_starts_low(
    design: str, review_of: str | None, expected: str
) -> None:
    assert start_level(study("r", design, review_of=review_of)) == expected


@pytest.mark.parametrize("level", LEVELS)
def test_guideline_takes_the_recorded_level_of_its_evidence(level: str) -> None:
    assert start_level(study("g", "guideline", evidence_level=level)) == level


def test_guideline_without_recorded_evidence_starts_low() -> None:
    assert start_level(study("g", "guideline")) == "low"


def test_study_without_design_starts_very_low() -> None:
    assert start_level(study("x", None)) == "very-low"


def test_grade_starts_from_the_strongest_supporting_design() -> None:
    grade = grade_evidence(
        [study("lab", "laboratory"), study("rct", n=600), study("cohort", "cohort", n=900)]
    )
    assert grade.level == "high"
    assert grade.carrying == ("rct",)
    first = grade.reasons[0]
    assert (first.factor, first.effect, first.studies) == ("study design", 0, ("rct",))
    assert "Starts at high" in first.explanation


def test_a_stronger_contradicting_study_does_not_set_the_start() -> None:
    grade = grade_evidence([study("lab", "laboratory", n=900), study("rct", stance="contradicts", n=900)])
    assert grade.carrying == ("lab",)
    assert grade.reasons[0].explanation.startswith("Starts at very low")


def test_without_supporting_studies_the_start_comes_from_all_linked_studies() -> None:
    grade = grade_evidence(
        [study("rct", stance="no-effect", n=900), study("lab", "laboratory", stance="contradicts")]
    )
    assert grade.carrying == ("rct",)
    assert grade.level == "high"
    assert "none supports the claim" in grade.reasons[0].explanation
    assert grade.direction == "against"


# --- imprecision ---------------------------------------------------------------------------------


def test_thresholds_are_the_house_rules() -> None:
    assert (IMPRECISION_TOTAL, IMPRECISION_SINGLE) == (400, 30)


@pytest.mark.parametrize(("sizes", "effect"), [
    ([399], -1), ([400], 0), ([200, 199], -1), ([200, 200], 0), ([2000], 0),
    ([29], -2), ([30], -1), ([1], -2), ([20, 20], -1),  # two small studies: one level, not two
])  # fmt: skip
def test_imprecision(sizes: list[int], effect: int) -> None:
    grade = grade_evidence([study(f"s{i}", n=n) for i, n in enumerate(sizes)])
    assert downgrades(grade, "imprecision") == effect
    assert grade.level == LEVELS[3 + effect]


def test_imprecision_names_the_carrying_studies_and_the_total() -> None:
    grade = grade_evidence([study("a", n=100), study("b", n=120), study("lab", "laboratory", n=5000)])
    (reason,) = factors(grade)["imprecision"]
    assert reason.studies == ("a", "b")
    assert "220" in reason.explanation


def test_single_study_under_30_names_its_size() -> None:
    (reason,) = factors(grade_evidence([study("tiny", n=12)]))["imprecision"]
    assert (reason.effect, reason.studies) == (-2, ("tiny",))
    assert "12 participants" in reason.explanation


def test_unreported_sample_size_counts_as_imprecise() -> None:
    (reason,) = factors(grade_evidence([study("a", n=None)]))["imprecision"]
    assert reason.effect == -1
    assert "not reported" in reason.explanation


def test_partly_reported_sample_sizes_say_how_many_are_missing() -> None:
    (reason,) = factors(grade_evidence([study("a", n=None), study("b", n=68)]))["imprecision"]
    assert reason.effect == -1
    assert "(68)" in reason.explanation and "1 study" in reason.explanation


def test_enrolled_stands_in_when_the_analysed_number_is_unknown() -> None:
    grade = grade_evidence([study("a", n=None, enrolled=450)])
    assert "imprecision" not in factors(grade)
    assert grade.participants == 450


def test_participant_counts() -> None:
    grade = grade_evidence([study("a", n=100), study("b", n=None), study("sr", "systematic-review", n=None)])
    assert grade.participants == 100
    assert grade.participants_unknown == 1  # a review needs no sample size of its own
    assert grade.study_count == 3


# --- indirectness --------------------------------------------------------------------------------


def indirect(key: str, *kinds: str, **extra: object) -> GradedStudy:
    return study(key, directness="indirect", indirect_because=kinds, **extra)


@pytest.mark.parametrize(
    "kind", ["population", "outcome", "intervention", "predicted-vs-measured", "acute-vs-training"]
)
def test_indirectness_one_level_per_kind(kind: str) -> None:
    grade = grade_evidence([indirect("a", kind)])
    (reason,) = factors(grade)["indirectness"]
    assert (reason.effect, reason.studies) == (-1, ("a",))
    assert grade.level == "moderate"


def test_indirectness_two_kinds_two_levels() -> None:
    grade = grade_evidence([indirect("a", "population", "outcome")])
    assert downgrades(grade, "indirectness") == -2
    assert grade.level == "low"


def test_indirectness_at_most_two_levels() -> None:
    grade = grade_evidence([indirect("a", "population", "outcome", "intervention", "acute-vs-training")])
    assert [r.effect for r in factors(grade)["indirectness"]] == [-1, -1]
    assert grade.level == "low"


def test_indirectness_counts_only_kinds_shared_by_all_carrying_studies() -> None:
    grade = grade_evidence([indirect("a", "population", "outcome"), indirect("b", "outcome", "intervention")])
    (reason,) = factors(grade)["indirectness"]
    assert "outcome" in reason.explanation
    assert reason.studies == ("a", "b")


def test_one_direct_carrying_study_means_no_indirectness() -> None:
    grade = grade_evidence([indirect("a", "population"), study("b")])
    assert "indirectness" not in factors(grade)


def test_indirect_weaker_studies_do_not_count() -> None:
    grade = grade_evidence([study("rct"), indirect("lab", "population", design="laboratory")])
    assert "indirectness" not in factors(grade)


# --- inconsistency -------------------------------------------------------------------------------


@pytest.mark.parametrize("stance", ["contradicts", "mixed", "no-effect"])
def test_inconsistency_from_a_disagreeing_study_of_comparable_design(stance: str) -> None:
    grade = grade_evidence([study("pro"), study("con", stance=stance)])
    (reason,) = factors(grade)["inconsistency"]
    assert (reason.effect, reason.studies) == (-1, ("con",))
    assert grade.level == "moderate"


def test_a_disagreeing_study_of_weaker_design_is_not_inconsistency() -> None:
    grade = grade_evidence([study("pro"), study("con", "laboratory", stance="contradicts")])
    assert "inconsistency" not in factors(grade)
    assert grade.level == "high"


def test_a_disagreeing_study_of_stronger_design_is_inconsistency() -> None:
    grade = grade_evidence([study("pro", "cohort", n=900), study("con", stance="contradicts")])
    assert factors(grade)["inconsistency"][0].studies == ("con",)
    assert grade.level == "very-low"  # low start, -1


def test_results_inconsistent_across_participants() -> None:
    grade = grade_evidence([study("a", inconsistent=True), study("b")])
    (reason,) = factors(grade)["inconsistency"]
    assert (reason.effect, reason.studies) == (-1, ("a",))
    assert "across participants" in reason.explanation


def test_inconsistency_is_counted_once() -> None:
    grade = grade_evidence([study("a", inconsistent=True), study("con", stance="mixed")])
    assert downgrades(grade, "inconsistency") == -1


def test_inconsistent_results_of_a_non_carrying_study_do_not_count() -> None:
    grade = grade_evidence([study("rct"), study("lab", "laboratory", inconsistent=True)])
    assert "inconsistency" not in factors(grade)


# --- risk of bias --------------------------------------------------------------------------------


def test_high_risk_of_bias_in_most_carrying_studies() -> None:
    grade = grade_evidence(
        [
            study("a", risk_of_bias="high"),
            study("b", risk_of_bias="high"),
            study("c", risk_of_bias="low"),
        ]
    )
    (reason,) = factors(grade)["risk of bias"]
    assert (reason.effect, reason.studies) == (-1, ("a", "b"))
    assert grade.level == "moderate"


@pytest.mark.parametrize("risks", [("high", "low"), ("some-concerns",), ("unclear", "unclear"), (None,)])
def test_no_downgrade_unless_most_are_at_high_risk(risks: tuple[str | None, ...]) -> None:
    grade = grade_evidence([study(f"s{i}", risk_of_bias=r) for i, r in enumerate(risks)])
    assert "risk of bias" not in factors(grade)


def test_high_risk_in_a_non_carrying_study_does_not_count() -> None:
    grade = grade_evidence([study("rct"), study("lab", "laboratory", risk_of_bias="high")])
    assert "risk of bias" not in factors(grade)


# --- retraction, floor, no evidence --------------------------------------------------------------


def test_retracted_studies_are_left_out() -> None:
    grade = grade_evidence([study("retracted", retracted=True, n=5000), study("lab", "laboratory", n=20)])
    assert grade.reasons[0] == Reason("retraction", 0, grade.reasons[0].explanation, ("retracted",))
    assert grade.carrying == ("lab",)
    assert grade.level == "very-low"
    assert grade.study_count == 1
    assert grade.participants == 20


def test_only_retracted_evidence_is_no_evidence() -> None:
    grade = grade_evidence([study("r", retracted=True)])
    assert grade.level == "very-low"
    assert [r.factor for r in grade.reasons] == ["retraction", "study design"]
    assert "No usable evidence" in grade.reasons[-1].explanation


def test_no_evidence_is_very_low_with_a_reason() -> None:
    grade = grade_evidence([])
    assert grade.level == "very-low"
    assert grade.study_count == 0
    (reason,) = grade.reasons
    assert reason.factor == "study design" and "No usable evidence" in reason.explanation


def test_floor_at_very_low() -> None:
    grade = grade_evidence([study("lab", "laboratory", n=10, inconsistent=True)])
    assert grade.level == "very-low"
    for reason in grade.reasons[1:]:
        assert reason.effect == 0
        assert "Already at the floor" in reason.explanation


def test_a_step_cut_short_by_the_floor_reports_the_move_made() -> None:
    grade = grade_evidence([study("cohort", "cohort", n=10)])  # low, then -2 for one tiny study
    (reason,) = factors(grade)["imprecision"]
    assert grade.level == "very-low"
    assert reason.effect == -1
    assert "cannot go below very low" in reason.explanation


# A grid of evidence sets (design x size x indirectness x stance x bias) for the invariants.
INDIRECT: dict[str, object] = {"directness": "indirect", "indirect_because": ("population",)}
DESIGNS = ["randomized-controlled-trial", "cohort", "guideline", "laboratory", None]
GRID = [
    [
        study("a", d1, n=n1, risk_of_bias=rob, **(INDIRECT if indirect_a else {})),
        study("b", d2, stance=stance, n=n2),
    ]
    for d1, d2, n1, n2, indirect_a, stance, rob in itertools.product(
        DESIGNS,
        DESIGNS[:3],
        [None, 10, 200],
        [50, 800],
        [False, True],
        ["supports", "contradicts"],
        [None, "high"],
    )
]


@pytest.mark.parametrize("links", GRID[::7])
def test_effects_add_up_and_every_downgrade_names_its_studies(links: list[GradedStudy]) -> None:
    grade = grade_evidence(links)
    start = grade.reasons[0]
    assert start.factor == "study design" and start.effect == 0 and start.studies
    begin = LEVELS.index(start.explanation.split(":")[0].removeprefix("Starts at ").replace(" ", "-"))
    assert begin + sum(r.effect for r in grade.reasons) == LEVELS.index(grade.level)
    for reason in grade.reasons[1:]:
        assert reason.effect in (0, -1, -2)
        assert reason.studies, reason
        assert set(reason.studies) <= {s.key for s in links}


# --- direction and shape -------------------------------------------------------------------------


@pytest.mark.parametrize(("stances", "direction"), [
    (["supports"], "supports"), (["supports", "supports"], "supports"),
    (["contradicts"], "against"), (["no-effect", "contradicts"], "against"),
    (["mixed"], "mixed"), (["no-effect", "mixed"], "mixed"),
])  # fmt: skip
def test_direction_of_the_carrying_studies(stances: list[str], direction: str) -> None:
    grade = grade_evidence([study(f"s{i}", stance=s) for i, s in enumerate(stances)])
    assert grade.direction == direction


def test_grade_as_dict_is_level_and_reasons() -> None:
    data = grade_evidence([study("a", n=100)]).as_dict()
    assert data["level"] == "moderate"
    assert data["reasons"][1] == {
        "factor": "imprecision", "effect": -1,
        "explanation": "Fewer than 400 participants in total (100).", "studies": ["a"],
    }  # fmt: skip


def test_rules_publish_every_factor_with_the_thresholds() -> None:
    published = {r.factor for r in RULES}
    assert {
        "study design",
        "retraction",
        "risk of bias",
        "inconsistency",
        "indirectness",
        "imprecision",
        "floor",
    } <= published
    imprecision = next(r for r in RULES if r.factor == "imprecision")
    assert "400" in imprecision.text and "30" in imprecision.text


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


# --- verdict vs grade ----------------------------------------------------------------------------


def test_supported_on_very_low_evidence_is_flagged() -> None:
    grade = grade_evidence([study("lab", "laboratory", n=10)])
    assert "very low" in (verdict_disagreement("supported", grade) or "")


def test_supported_when_the_carrying_studies_do_not_support_is_flagged() -> None:
    grade = grade_evidence([study("rct", stance="no-effect", n=900)])
    assert grade.level == "high"
    assert "do not support" in (verdict_disagreement("supported", grade) or "")


def test_contradicted_when_the_carrying_studies_support_is_flagged() -> None:
    grade = grade_evidence([study("rct", n=900)])
    assert "support the claim" in (verdict_disagreement("contradicted", grade) or "")


@pytest.mark.parametrize(("verdict", "links"), [
    ("supported", [study("rct", n=900)]),
    ("partly-supported", [study("lab", "laboratory", n=10)]),
    ("unproven", [study("lab", "laboratory", n=10)]),
    ("misleading", [study("rct", n=900)]),
    ("contradicted", [study("rct", stance="contradicts", n=900)]),
])  # fmt: skip
def test_verdicts_that_fit_the_grade_are_not_flagged(verdict: str, links: list[GradedStudy]) -> None:
    assert verdict_disagreement(verdict, grade_evidence(links)) is None
