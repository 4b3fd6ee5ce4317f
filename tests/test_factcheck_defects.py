"""Known fact-check defects of the 2026-12-01 review, each through the API on both backends: two
claims that share one verb each keep their own words; figures are quoted whole; durations are
held to the studies' durations; ages read as a population; an anecdote claims no population; the
comparator's gait is checked; a benefit for falls is no denial of the safety claim; a certainty
sentence after a claim overclaims it; "≠" denies a ratio."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, ENERGY, KNEE_PAIN, MEMORY, SAFE
from fastapi.testclient import TestClient
from helpers import post_matches as matches

VO2MAX = "backward-training-raises-predicted-vo2max"


# --- 1. two claims sharing one verb ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "balance", "memory"),
    [
        (
            "Backward walking improves balance, and it improves memory too",
            "Backward walking improves balance",
            "and it improves memory too",
        ),
        ("Backward walking improves balance and memory", "Backward walking improves balance", "and memory"),
        ("Backward walking improves memory and balance", "and balance", "Backward walking improves memory"),
    ],
)
def test_two_claims_sharing_a_verb_each_carry_their_own_clause(
    seed_client: TestClient, text: str, balance: str, memory: str
) -> None:
    found = matches(seed_client, text)
    assert found[BALANCE]["matched_text"]["text"] == balance
    assert found[MEMORY]["matched_text"]["text"] == memory
    for claim_id in (BALANCE, MEMORY):
        span = found[claim_id]["matched_text"]
        assert text[span["start"] : span["end"]] == span["text"]
        assert found[claim_id]["ambiguous_with"] == []  # each has its own outcome word
        assert found[claim_id]["stance"] == "asserts"


def test_a_shared_negation_still_denies_both_nouns(seed_client: TestClient) -> None:
    found = matches(seed_client, "Backward walking doesn't improve balance and memory")
    assert found[BALANCE]["stance"] == found[MEMORY]["stance"] == "denies"
    assert found[MEMORY]["matched_text"]["text"] == "and memory"


def test_claims_sharing_a_verb_and_a_population_keep_the_sentence_but_are_no_tie(
    seed_client: TestClient,
) -> None:
    """The words "in older adults" qualify both nouns: each span keeps it (and its population flag), and the
    two claims, each with its own outcome word, are not marked ambiguous with each other."""
    text = "Backward walking improves balance and memory in older adults"
    found = matches(seed_client, text)
    for claim_id in (BALANCE, MEMORY):
        assert found[claim_id]["matched_text"]["text"] == text
        assert found[claim_id]["ambiguous_with"] == []
        assert "population-mismatch" in {f["code"] for f in found[claim_id]["flags"]}


# --- 2. a figure is quoted whole --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("100 steps backward = 1,000 steps forward", "100 steps backward = 1,000 steps forward"),
        ("Walking 100 backward steps = 1000 forwards", "100 backward steps = 1000 forwards"),
        ("Walking backwards burns 2-fold more calories than walking forward", "2-fold more"),
        ("Walking backward burns twice as many calories as walking forward", "twice as many"),
        ("Ходьба задом наперед сжигает в три раза больше калорий, чем обычная ходьба.", "в три раза больше"),
    ],
)
def test_a_figure_flag_quotes_the_whole_figure_phrase(seed_client: TestClient, text: str, says: str) -> None:
    found = matches(seed_client, text)
    flags = [f for m in found.values() for f in m["flags"] if f["code"] == "figure-mismatch"]
    assert flags
    for flag in flags:
        assert flag["post_says"] == says == text[flag["span"]["start"] : flag["span"]["end"]]


# --- 3. durations are held to the studies' durations ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claim_id", "said"),
    [
        ("Backward walking for 6 weeks improved balance", BALANCE, "6 weeks"),
        ("Six weeks of backwards walk/run training improved VO2 max by 40%", VO2MAX, "Six weeks"),
    ],
)
def test_a_duration_the_claims_study_ran_is_not_unverified(
    seed_client: TestClient, text: str, claim_id: str, said: str
) -> None:
    match = matches(seed_client, text)[claim_id]
    assert said not in {u["post_says"] for u in match["unverified_figures"]}
    assert said not in {f.get("post_says") for f in match["flags"]}


def test_a_duration_no_study_of_the_claim_ran_is_still_unverified(seed_client: TestClient) -> None:
    match = matches(seed_client, "Backward walking for 9 weeks improved balance")[BALANCE]
    (listed,) = [u for u in match["unverified_figures"] if u["post_says"] == "9 weeks"]
    assert listed["quantity"] == "duration-program" and listed["note"].startswith("not said of a study")


# --- 4. an age is a population ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("I'm 72 and backward walking improved my balance", "I'm 72"),
        ("At 72, backward walking improved my balance", "At 72"),
        ("As a 68-year-old, I find backward walking improves my balance", "a 68-year-old"),
        ("I'm 72. Backward walking improved my balance.", "I'm 72"),
    ],
)
def test_an_age_is_read_as_the_population_it_belongs_to(
    seed_client: TestClient, text: str, said: str
) -> None:
    match = matches(seed_client, text)[BALANCE]
    (flag,) = [f for f in match["flags"] if f["code"] == "population-mismatch"]
    assert flag["message"].startswith("The post applies this to older adults")
    assert (
        flag["post_says"] == said == flag["span"]["text"] == text[flag["span"]["start"] : flag["span"]["end"]]
    )


@pytest.mark.parametrize(
    "text",
    [
        "I'm 35 and backward walking improved my balance",
        "At 72 steps a minute, backward walking improved my balance",
    ],
)
def test_an_adult_age_or_another_count_names_no_group(seed_client: TestClient, text: str) -> None:
    match = matches(seed_client, text)[BALANCE]
    assert "population-mismatch" not in {f["code"] for f in match["flags"]}


# --- 5. an anecdote claims no population -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "My grandmother tried it. Walking backward helped her knee pain.",
        "My grandmother tried it and walking backwards eased her knee pain",
    ],
)
def test_an_anecdote_about_someone_else_raises_no_population_flag(seed_client: TestClient, text: str) -> None:
    match = matches(seed_client, text)[KNEE_PAIN]
    assert match["stance"] == "asserts"
    assert "population-mismatch" not in {f["code"] for f in match["flags"]}


def test_an_anecdote_that_generalises_is_still_flagged(seed_client: TestClient) -> None:
    text = "My grandmother tried it. Walking backward helps knee pain for everyone."
    match = matches(seed_client, text)[KNEE_PAIN]
    (flag,) = [f for f in match["flags"] if f["code"] == "population-mismatch"]
    assert flag["message"].startswith("The post applies this to everyone")


# --- 6. the comparator's gait ----------------------------------------------------------------------


def test_a_comparison_with_another_gait_is_flagged(seed_client: TestClient) -> None:
    text = "Walking backwards burns more calories than running forward"
    found = matches(seed_client, text)
    assert set(found) & {CALORIES, ENERGY}
    for claim_id in set(found) & {CALORIES, ENERGY}:
        (flag,) = [f for f in found[claim_id]["flags"] if f["code"] == "activity-mismatch"]
        assert flag["message"].startswith(
            "The post compares it with running, but this claim compares it with walking"
        )
        assert flag["post_says"] == "running" == text[flag["span"]["start"] : flag["span"]["end"]]
    same = matches(seed_client, "Walking backwards burns more calories than walking forward")
    assert not [f for m in same.values() for f in m["flags"] if f["code"] == "activity-mismatch"]


# --- 7. fewer falls is a benefit, not a denial of safety -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Backward walking is great for decreasing risk of falls",
        "Backward walking helps prevent falls in older adults",
    ],
)
def test_lowering_the_risk_of_falls_does_not_deny_the_safety_claim(
    seed_client: TestClient, text: str
) -> None:
    found = matches(seed_client, text)
    assert found.get(SAFE, {"stance": "asserts"})["stance"] != "denies"
    assert not [f for m in found.values() for f in m["flags"] if f["code"] == "denies-supported"]


def test_a_warning_of_falls_still_denies_the_safety_claim(seed_client: TestClient) -> None:
    assert (
        matches(seed_client, "Walking backwards is risky: there is a risk of falling")[SAFE]["stance"]
        == "denies"
    )


# --- 8. a certainty sentence after the claim -------------------------------------------------------


def test_a_sentence_that_vouches_for_the_claim_before_it_overclaims_it(seed_client: TestClient) -> None:
    text = "Backward walking improves balance. 100% proven."
    match = matches(seed_client, text)[BALANCE]
    (flag,) = [f for f in match["flags"] if f["code"] == "overclaim"]
    assert [s["text"] for s in flag["spans"]] == ["100%", "proven"]
    for span in flag["spans"]:
        assert text[span["start"] : span["end"]] == span["text"]


@pytest.mark.parametrize(
    "text",
    [
        "Backward walking improves balance. Not proven though.",
        "Backward walking improves balance. It also burns 100% more calories.",
    ],
)
def test_a_sentence_after_that_denies_or_claims_more_is_no_overclaim(
    seed_client: TestClient, text: str
) -> None:
    match = matches(seed_client, text)[BALANCE]
    assert "overclaim" not in {f["code"] for f in match["flags"]}


# --- 9. "≠" denies a ratio, not the claim ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ratio"),
    [
        (
            "Retro walking burns calories: 10 min backward ≠ 30 min forward",
            "10 min backward ≠ 30 min forward",
        ),
        (
            "100 steps backward isn't worth 1,000 steps forward",
            "100 steps backward isn't worth 1,000 steps forward",
        ),
        ("100 backward steps ≠ 1,000 forward steps", "100 backward steps ≠ 1,000 forward steps"),
    ],
)
def test_a_ratio_said_not_to_hold_is_a_denied_figure(seed_client: TestClient, text: str, ratio: str) -> None:
    match = matches(seed_client, text)[ENERGY]
    assert match["stance"] == "asserts"
    assert not {f["code"] for f in match["flags"]} & {"denies-supported", "figure-mismatch"}
    (denied,) = match["denied_figures"]
    assert denied["post_says"] == ratio and denied["evidence_agrees"] is True
