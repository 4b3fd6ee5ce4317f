"""Stance on questions and denials that the dev CV showed read as assertions (issue 14), through the
API: a study's aim or title asks; a question answered by harm or a verdict is denied; a doubt
about the evidence after a claim asks; a caution against falling denies the safety claim; a
contrast that cuts a claim down to "merely" something denies it. Each kind holds variants in
other wordings and languages, and assertions that must stay assertions."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, KNEE_PAIN, PARKINSONS, QUADS, SAFE
from fastapi.testclient import TestClient
from helpers import stance_of as _stance

EXTENSION = "backward-walking-restores-knee-extension-after-surgery"
VO2MAX = "higher-vo2max-means-longer-exercise"


@pytest.mark.parametrize(
    ("text", "claim", "stance"),
    [
        # the authors' own study said to look into it, in English and German; a clause of such a sentence
        ("We investigated the effect of retro walking on balance in older women.", BALANCE, "asks"),
        ("Diese Studie untersucht, ob Rückwärtsgehen das Gleichgewicht verbessert.", BALANCE, "asks"),
        (
            "This randomized trial examined backward walking training and its effect on knee pain in older adults.",
            KNEE_PAIN,
            "asks",
        ),
        # a title naming the effect studied, in English and Spanish
        ("Effects of backward walking on balance in older adults with knee osteoarthritis.", BALANCE, "asks"),
        ("Efectos de la marcha hacia atrás sobre el equilibrio en adultos mayores.", BALANCE, "asks"),
        # what the study found is no question; a sentence about the effect states it
        ("This study examined backward walking and found that it reduced knee pain.", KNEE_PAIN, "reports"),
        ("The effect of backward walking on balance is large.", BALANCE, "asserts"),
    ],
)
def test_a_study_aim_or_title_asks(seed_client: TestClient, text: str, claim: str, stance: str) -> None:
    assert _stance(seed_client, text, claim) == stance


@pytest.mark.parametrize(
    ("text", "claim", "stance"),
    [
        # a question the next sentence answers with harm or a verdict
        (
            "Does walking backwards strengthen your quads? Tried it for a month and it wrecked my knees.",
            QUADS,
            "denies",
        ),
        ("Walking backwards burns more calories? That's a myth.", CALORIES, "denies"),
        # harm said not to happen, or done by something else, refutes nothing
        (
            "Is walking backwards good for your knees? It won't hurt your knees if you go slowly.",
            KNEE_PAIN,
            "asks",
        ),
        (
            "Does walking backwards help after knee surgery? It is used for people whose knees were damaged by injury.",
            EXTENSION,
            "asks",
        ),
        # a question left open, or answered yes
        ("Does walking backwards strengthen your quads? I am about to find out.", QUADS, "asks"),
        ("Does walking backwards strengthen your quads? Yes, it does.", QUADS, "asserts"),
        # a claim, then a question about its evidence
        (
            "Retro walking could be the key to better balance. What evidence is there for this claim?",
            BALANCE,
            "asks",
        ),
        ("Retro walking could be the key to better balance. Why not try it tonight?", BALANCE, "asserts"),
    ],
)
def test_a_question_refuted_or_doubted(seed_client: TestClient, text: str, claim: str, stance: str) -> None:
    assert _stance(seed_client, text, claim) == stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        (
            "Walking backwards on a treadmill takes more concentration and care to avoid tripping and falling.",
            "denies",
        ),
        ("Caminar hacia atrás en la cinta aumenta el riesgo de caídas.", "denies"),
        # said safe, with the caution as advice
        ("Walking backwards is generally safe; start slowly to avoid falling.", "asserts"),
    ],
)
def test_a_caution_against_falling_denies_the_safety_claim(
    seed_client: TestClient, text: str, stance: str
) -> None:
    assert _stance(seed_client, text, SAFE) == stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("However, VO2 max is merely an upper limit of endurance performance.", "denies"),
        ("Sin embargo, el VO2 max es solo un límite superior del rendimiento de resistencia.", "denies"),
        # an amount or a condition is no limit on the claim
        ("But a higher VO2 max only takes a few weeks to reach and helps you exercise longer.", "asserts"),
    ],
)
def test_a_contrast_that_cuts_the_claim_down_denies_it(
    seed_client: TestClient, text: str, stance: str
) -> None:
    assert _stance(seed_client, text, VO2MAX) == stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        # a gap in the evidence, then the hypothesis that would fill it
        (
            "Backward walking training has not yet been investigated in Parkinson's disease. "
            "It might be a useful alternative to improve gait in these patients.",
            "asks",
        ),
        ("Backward walking might improve gait in Parkinson's disease.", "asserts"),
    ],
)
def test_a_hypothesis_after_a_gap_asks(seed_client: TestClient, text: str, stance: str) -> None:
    assert _stance(seed_client, text, PARKINSONS) == stance
