"""Figures after the new-user trial of 2026-12-01 (16:09-16:47 UTC): each claim carries only its own
clause's figures, a trial's count of people is held to trials' counts (a review's pooled total only
to a post that speaks of a review), a result stated of N people is said of a study's sample in any
word order, and no figure is dropped ("in half", "halved", "50% better", "500 knee arthritis
patients"). Study figures from data/studies.bib and /work/shared/reference/review-2026-11.md
(Balasukumaran 2019: 21 studies, 635 participants; Elnahhas 2019: 7 studies, 172 children;
Terblanche 2005: 26 participants; Alghadir 2019: 68)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from claimids import BALANCE, CALORIES, KNEE_OA, KNEE_PAIN, QUADS
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import match_for

from app.settings import Settings

VO2_TRAINING = "backward-training-raises-predicted-vo2max"
PATELLOFEMORAL = "backward-walking-eases-patellofemoral-pain"


def mismatches(match: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in match["flags"] if f["code"] == "figure-mismatch"]


def said(match: dict[str, Any]) -> set[str]:
    """Every figure a match lists: flagged, unverified or denied."""
    return (
        {f["post_says"] for f in mismatches(match)}
        | {u["post_says"] for u in match["unverified_figures"]}
        | {d["post_says"] for d in match["denied_figures"]}
    )


# --- 1. a figure of one clause is not listed under the claim of another ------------------------------

DENIED_THEN_CONCEDED = (
    "Walking backwards doesn't burn twice the calories, but it does help my knee arthritis."
)


def test_a_denied_figure_of_one_clause_is_not_listed_under_the_claim_of_another(
    seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The calorie clause scored for the knee claim too (the knee is lent to it), and its stance was
    decided through "but it does help my knee arthritis": "twice" was listed under the knee claim
    as unverified. It is the calorie claim's, denied (CLI and API)."""
    from app.cli import main

    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_settings.database_url)
    assert main(["factcheck", DENIED_THEN_CONCEDED, "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    knee = match_for(body, KNEE_OA)
    assert knee["matched_text"]["start"] == 51
    assert not said(knee), knee
    calories = match_for(body, CALORIES)
    assert [d["post_says"] for d in calories["denied_figures"]] == ["twice"]


def test_a_figure_of_a_denied_claim_is_not_listed_under_the_conceded_one(seed_client: TestClient) -> None:
    text = "It's not true that walking backwards burns 3x the calories, but it does strengthen your quads."
    body = check(seed_client, text)
    quads = match_for(body, QUADS)
    assert not said(quads), quads
    assert [d["post_says"] for d in match_for(body, CALORIES)["denied_figures"]] == ["3x"]


# --- 2. a trial's count is held to trials, a review's to reviews -----------------------------------


def test_a_trial_s_count_is_not_held_to_a_review_s_pooled_total(seed_client: TestClient) -> None:
    """Balasukumaran 2019's 635 are 21 studies pooled, 11 of them neurological: a trial of 500 people
    is held to the single trials (Alghadir 2019: 68), not to it."""
    text = "A trial of 500 people with knee osteoarthritis showed retro walking reduced pain."
    (flag,) = mismatches(match_for(check(seed_client, text), KNEE_OA))
    assert flag["study"] != "balasukumaran2019effectiveness", flag
    assert "studies" not in flag["evidence_shows"]
    text = "A study of 200 people found that walking backwards improves balance."
    (flag,) = mismatches(match_for(check(seed_client, text), BALANCE))
    assert flag["study"] != "elnahhas2019effects" and "studies" not in flag["evidence_shows"], flag


def test_a_review_s_count_is_held_to_reviews(seed_client: TestClient) -> None:
    text = "A meta-analysis of 900 people found backward walking eases knee osteoarthritis pain."
    (flag,) = mismatches(match_for(check(seed_client, text), KNEE_OA))
    assert "studies" in flag["evidence_shows"], flag
    text = "A review of 21 studies with 635 participants found retro walking helps knee osteoarthritis."
    assert not mismatches(match_for(check(seed_client, text), KNEE_OA))


# --- 3. a result stated of N people is a claim about a study's sample ---------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "A study of 200 women found six weeks of backward walking raised VO2 max by 5.2%.",
        "Walking backward for 6 weeks raised VO2 max by 5.2% in 200 women.",
        "200 women improved their VO2 max by 5.2% after six weeks of walking backward.",
    ],
)
def test_a_count_a_result_is_stated_of_is_held_to_the_study_s_sample(
    seed_client: TestClient, text: str
) -> None:
    (flag,) = mismatches(match_for(check(seed_client, text), VO2_TRAINING))
    assert flag["post_says"] == "200 women" and flag["study"] == "terblanche2005effect", flag


def test_a_result_in_a_count_of_children_is_held_to_the_studies(seed_client: TestClient) -> None:
    match = match_for(
        check(seed_client, "Backward walking improved balance in 1,600 boys over 12 weeks."), BALANCE
    )
    assert [f["post_says"] for f in mismatches(match)] == ["1,600 boys"]


def test_the_writer_s_own_people_are_not_a_study_s_sample(seed_client: TestClient) -> None:
    match = match_for(check(seed_client, "My 2 kids improved their balance walking backwards."), BALANCE)
    assert not mismatches(match)
    assert [u["post_says"] for u in match["unverified_figures"]] == ["2 kids"]


# --- 4. no figure is dropped ----------------------------------------------------------------------


def test_a_halving_and_a_count_with_a_condition_are_listed(seed_client: TestClient) -> None:
    text = "Retro walking helped 500 knee arthritis patients in one trial cut their pain in half."
    match = match_for(check(seed_client, text), KNEE_OA)
    assert {"500 knee arthritis patients", "in half"} <= said(match), match
    (count,) = [f for f in mismatches(match) if f["post_says"] == "500 knee arthritis patients"]
    assert count["quantity"] == "sample-size"
    match = match_for(check(seed_client, "Retro walking cut knee arthritis pain in half."), KNEE_OA)
    (half,) = [u for u in match["unverified_figures"] if u["post_says"] == "in half"]
    assert half["quantity"] == "percent-change"


@pytest.mark.parametrize(
    ("text", "claim", "figure"),
    [
        ("Backward walking halved my knee pain.", KNEE_PAIN, "halved"),
        ("Walking backward can cut your knee pain by half.", KNEE_PAIN, "by half"),
        (
            "My physio had me do retro walking for runner's knee and after 4 weeks it was 50% better.",
            PATELLOFEMORAL,
            "50%",
        ),
    ],
)
def test_a_change_said_in_other_words_is_listed(
    seed_client: TestClient, text: str, claim: str, figure: str
) -> None:
    assert figure in said(match_for(check(seed_client, text), claim))


def test_a_count_of_times_or_units_is_no_count_of_people(seed_client: TestClient) -> None:
    body = check(
        seed_client, "Walking backwards burns 3 times more calories than regular walking for most people."
    )
    assert all("people" not in s for m in body["matches"] for s in said(m)), body["matches"]
