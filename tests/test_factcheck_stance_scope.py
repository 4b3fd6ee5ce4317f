"""Where a negation stops denying the claim (issue 14), through the API: "not A but B" corrects A
with B, and a denial of the strong form that a "but" clause takes back asserts what it concedes,
in the languages read as in English. Each kind holds the plain denial, which must stay a denial."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, KNEE_PAIN, QUADS
from fastapi.testclient import TestClient
from helpers import stance_of as _stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("No camines hacia adelante, sino hacia atrás: quemarás más calorías.", "asserts"),
        ("Gehen Sie nicht vorwärts, sondern rückwärts: so verbrennen Sie mehr Kalorien.", "asserts"),
        ("Caminar hacia atrás no quema más calorías.", "denies"),
    ],
)
def test_not_a_but_b_corrects_a(seed_client: TestClient, text: str, stance: str) -> None:
    assert _stance(seed_client, text, CALORIES) == stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Caminar hacia atrás no cura el dolor de rodilla, pero puede ayudar a aliviarlo.", "asserts"),
        ("倒着走不能治好膝盖疼，但对缓解疼痛有帮助。", "asserts"),
        ("Caminar hacia atrás no alivia el dolor de rodilla.", "denies"),
    ],
)
def test_a_conceded_denial_asserts_in_other_languages(
    seed_client: TestClient, text: str, stance: str
) -> None:
    assert _stance(seed_client, text, KNEE_PAIN) == stance


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        # Portuguese "no" is "in the"; its negation is "não"
        ("Andar de costas no dia a dia queima mais calorias.", "asserts"),
        ("Andar de costas não queima mais calorias.", "denies"),
        # folklore as the source passed on, or as the verdict
        ("Folklore suggests that walking backwards burns more calories than walking forwards.", "not denies"),
        ("That walking backwards burns more calories is just folklore.", "denies"),
    ],
)
def test_words_that_look_like_a_denial(seed_client: TestClient, text: str, stance: str) -> None:
    got = _stance(seed_client, text, CALORIES)
    assert got != "denies" if stance == "not denies" else got == stance


@pytest.mark.parametrize(
    ("text", "claim", "stance"),
    [
        # a negation inside a clause of its own, its subject right before it
        ("Walking backwards improves balance in ways you wouldn't expect.", BALANCE, "asserts"),
        ("Walking backwards strengthens the quadriceps, muscles you don't normally use.", QUADS, "asserts"),
        (
            "Caminar hacia atrás fortalece los cuádriceps, músculos que no usamos al caminar hacia adelante.",
            QUADS,
            "asserts",
        ),
        # the claim's words after that subject are still denied
        ("Balance is something you won't improve by walking backwards.", BALANCE, "denies"),
        ("Walking backwards does not improve balance.", BALANCE, "denies"),
    ],
)
def test_a_negation_in_an_inner_clause(seed_client: TestClient, text: str, claim: str, stance: str) -> None:
    assert _stance(seed_client, text, claim) == stance
