"""Recall on English wording (issue 14, fourth pass): words of study reports and definitions that
name what a claim is about. Through the API with the shipped data and score model. The sentences
are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BALANCE, PARKINSONS, STROKE
from fastapi.testclient import TestClient
from helpers import claims_of

PF_FORCE = "backward-running-reduces-patellofemoral-force"
ATHLETIC = "backward-running-improves-athletic-performance"
VO2MAX_ENDURANCE = "higher-vo2max-means-longer-exercise"


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # the abbreviations study reports use once they have spelled the training out: backward
        # walking training (BWT), its group (BWG, against the forward group FWG), backward running
        # training (BRT)
        ("The BWT group improved balance more than the controls after a stroke.", STROKE),
        ("The BWG improved gait speed more than the FWG in people with Parkinson's disease.", PARKINSONS),
        ("The BRT group ran faster in the 10-m sprint than the control group.", ATHLETIC),
    ],
)
def test_study_abbreviations_name_backward_training(seed_client: TestClient, text: str, first: str) -> None:
    assert claims_of(seed_client, text)[:1] == [first]


def test_the_backward_walk_test_abbreviated_is_no_training(seed_client: TestClient) -> None:
    """BWT also abbreviates the Backward Walk Test, a clinical test of fall risk: the test named by its
    distance says nothing of walking backward as exercise."""
    text = "This study assessed the 3m-BWT as a predictor of falls in older adults."
    assert claims_of(seed_client, text) == []


def test_backward_training_abbreviated_makes_every_claim_it_names(seed_client: TestClient) -> None:
    text = "BWT has helped people after a stroke and with Parkinson's disease walk faster and keep their balance."
    assert {STROKE, PARKINSONS, BALANCE} <= set(claims_of(seed_client, text))


def test_moving_in_reverse_is_backward_locomotion(seed_client: TestClient) -> None:
    """Going backward named as movement, with no word of its gait, is backward walking: a load taken
    off the knees is then the knee-load claim, as "walking backwards takes pressure off sore knees"
    is."""
    assert claims_of(seed_client, "Moving in reverse takes pressure off sore knees.")[:1] == [PF_FORCE]


@pytest.mark.parametrize(
    "text",
    [
        # moving backward as a skill of sport states no claim
        "Moving backward is a key skill in almost every sport.",
        # the motion of a lunge is not a gait ("motion" is not one of the words)
        "The backward motion of a reverse lunge reduces stress on the knees.",
    ],
)
def test_moving_backward_without_a_claim_or_gait_makes_none(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The more you raise the maximum amount of oxygen your body can use, the longer you can exercise.",
        "Athletes who absorb more oxygen can sustain high intensity for longer periods.",
    ],
)
def test_vo2_max_by_its_definition(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text)[:1] == [VO2MAX_ENDURANCE]
