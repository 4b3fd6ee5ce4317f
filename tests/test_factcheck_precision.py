"""Precision of the fact-check (2026-12-01): words read in the sense a claim means, so that a post
about something else returns no claim and the right claim ranks first. Through the API on both
backends and on the reading of a post (``check.post_units``), with the shipped data and score
model; the sentences are written for these tests, not taken from the labelled set.

- thinking and the brain in general are not memory (the ``cognition`` concept apart from ``memory``);
- Spanish "dolor de espalda" and Portuguese "dores de costas" are back pain, not "de espaldas" /
  "de costas" (backward: ``analyzer.DIRECTIONS``);
- an ACL is named apart from knee surgery in general (the ``acl`` concept);
- a road trip is no stumble, living longer is no endurance, the Backward Walk Test is a clinical
  test (``other-senses``, ``non-exercise-backward``);
- strengthening the hamstrings or glutes is no quadriceps exercise (``scoring._OTHER_MUSCLES``);
- muscle balance, the balance of qi and its vital energy are neither the body's balance nor
  effort, and "retropatellar" (split as "retro" and "patellar") is anatomy, no direction
  (``other-senses``, ``non-exercise-backward``);
- of two claims of one unit, the one about a condition the unit names ranks first
  (``scoring._condition_first``).
"""

from __future__ import annotations

from typing import Any

import pytest
from claimids import BACK, BALANCE, ENERGY, MEMORY, PARKINSONS, SAFE
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body, post_features
from helpers import post_matches as matches

ACL = "backward-walking-aids-acl-rehabilitation"
KNEE_SURGERY = "backward-walking-restores-knee-extension-after-surgery"
VO2MAX_ENDURANCE = "higher-vo2max-means-longer-exercise"
QUAD_EXERCISE = "quadriceps-strengthening-reduces-knee-pain"
CEREBRAL_PALSY = "backward-walking-improves-walking-in-cerebral-palsy"
PATELLOFEMORAL = "backward-walking-eases-patellofemoral-pain"


def _ids(client: TestClient, text: str) -> list[str]:
    return [m["claim"]["id"] for m in factcheck_body(client, text)["matches"]]


# --- thinking is not memory --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards is good for your brain and sharpens your cognitive skills.",
        "Caminar hacia atrás también tiene beneficios cognitivos: desafía al cerebro.",
        "Rückwärtsgehen soll sogar das Gehirn trainieren.",
    ],
)
def test_the_brain_in_general_is_not_the_memory_claim(seed_client: TestClient, text: str) -> None:
    assert MEMORY not in matches(seed_client, text), _ids(seed_client, text)


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards boosts your short-term memory, a study found.",
        "Rückwärtsgehen verbessert das Kurzzeitgedächtnis.",
    ],
)
def test_remembering_still_makes_the_memory_claim(seed_client: TestClient, text: str) -> None:
    assert MEMORY in matches(seed_client, text), _ids(seed_client, text)


# --- back pain is no direction -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Caminar en la cinta puede aliviar el dolor de espalda.",
        "Andar na passadeira ajuda quem tem dores de costas.",
    ],
)
def test_back_pain_in_spanish_and_portuguese_names_no_backward_walking(
    seed_client: TestClient, index: Any, text: str
) -> None:
    assert "backward" not in post_features(index, text)
    assert BACK not in matches(seed_client, text), _ids(seed_client, text)


@pytest.mark.parametrize(
    "text",
    [
        "Caminar de espaldas alivia el dolor de espalda.",
        "Andar de costas alivia as dores de costas.",
    ],
)
def test_walking_backward_for_back_pain_still_reads_both(
    seed_client: TestClient, index: Any, text: str
) -> None:
    assert {"backward", "back-pain"} <= post_features(index, text)
    assert BACK in matches(seed_client, text), _ids(seed_client, text)


# --- an ACL is not any knee surgery ------------------------------------------------------------------


def test_knee_surgery_in_general_is_not_the_acl_claim(seed_client: TestClient) -> None:
    text = "Physical therapists have long had patients walk backwards while recovering from knee surgery."
    ids = _ids(seed_client, text)
    assert ACL not in ids[:1], ids


def test_an_acl_reconstruction_makes_the_acl_claim_first(seed_client: TestClient) -> None:
    text = "Walking backwards on the treadmill speeds up recovery after ACL reconstruction."
    ids = _ids(seed_client, text)
    assert ids[:1] == [ACL], ids


# --- other senses of a claim's words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Astronauts made three moonwalks and a long lunar rover road trip on the mission.", SAFE),
        ("Clinicians use the Backward Walk Test to predict falls in older adults.", SAFE),
        ("People with a higher VO2 max live longer: it predicts a longer life span.", VO2MAX_ENDURANCE),
    ],
)
def test_a_word_in_another_sense_makes_no_claim(seed_client: TestClient, text: str, claim: str) -> None:
    assert claim not in matches(seed_client, text), _ids(seed_client, text)


def test_tripping_while_walking_backward_is_still_a_risk(seed_client: TestClient) -> None:
    text = "Walking backwards is risky: you can trip over things you cannot see."
    assert SAFE in claim_matches(factcheck_body(seed_client, text))


# --- other muscles are not the quadriceps ------------------------------------------------------------


def test_strengthening_the_hamstrings_is_not_the_quadriceps_exercise(seed_client: TestClient) -> None:
    text = "Exercises strengthening the hamstring muscles relieve knee pain."
    assert QUAD_EXERCISE not in matches(seed_client, text), _ids(seed_client, text)


def test_strengthening_the_quadriceps_still_is(seed_client: TestClient) -> None:
    text = "Exercises strengthening the quadriceps muscles relieve knee pain."
    assert QUAD_EXERCISE in matches(seed_client, text), _ids(seed_client, text)


# --- a claim about the patients the unit names ranks first --------------------------------------------


@pytest.mark.parametrize(
    ("text", "first"),
    [
        (
            "For people with cerebral palsy, backward walking is a great way to improve balance and stability.",
            CEREBRAL_PALSY,
        ),
        (
            "Backward walking improves balance and steadiness, and it is being tried in Parkinson's disease.",
            PARKINSONS,
        ),
    ],
)
def test_the_claim_about_the_named_condition_ranks_before_the_general_one(
    seed_client: TestClient, text: str, first: str
) -> None:
    ids = _ids(seed_client, text)
    assert ids[:1] == [first], ids
    assert BALANCE in ids  # still returned, after it


def test_a_condition_named_in_another_unit_does_not_reorder(seed_client: TestClient) -> None:
    ids = _ids(seed_client, "Backward walking improves balance; stroke survivors benefit too.")
    assert ids[:1] == [BALANCE], ids


def test_muscle_balance_is_not_the_balance_claim(seed_client: TestClient) -> None:
    text = "Walking backwards helps muscle balance and symmetry."
    assert BALANCE not in matches(seed_client, text), _ids(seed_client, text)


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Patellofemoral pain syndrome produces retropatellar pain, which eases over time.", PATELLOFEMORAL),
        ("Some say walking backwards restores the balance of qi, the vital energy.", BALANCE),
        ("Some say walking backwards restores the balance of qi, the vital energy.", ENERGY),
    ],
)
def test_anatomy_and_energies_are_no_direction_balance_or_effort(
    seed_client: TestClient, text: str, claim: str
) -> None:
    assert claim not in matches(seed_client, text), _ids(seed_client, text)
