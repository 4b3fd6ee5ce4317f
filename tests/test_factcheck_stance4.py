"""Stance on denials and questions (issue 14, 2026-12-01 helper session): a verdict that echoes a
denied figure ("..., that's a myth") judges the figure, not the claim; a headline's verdict label
before its colon ("Orthopaedic Debunks Viral Myth: ...") and "≠" deny; warnings of falls and
injuries in German and Japanese deny the safety claim; an Indonesian "-kah" word asks; a hypothesis
asks; "será que vale a pena?" after a claim puts it in doubt; a word that ends in an accented letter
and one more letter ("trás.", "también.") ends its sentence; treadmill-rail advice ("hold the
rails so you don't fall") makes no safety claim, "exercise benefits" no energy claim, and "Is that
true or a myth?" asks. Through the API and the stance functions. The sentences are written for
these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import CALORIES, ENERGY, SAFE
from fastapi.testclient import TestClient
from helpers import post_matches as matches

from app.factcheck.sentences import sentences
from app.factcheck.stance import is_question, negation_cues, precautions, stance

SAFE_STATEMENT = (
    "backward-walking-is-safe-for-healthy-adults Walking backward on a treadmill carries no particular "
    "health risk for the average person."
)


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


# --- 1. a verdict that echoes a denied figure ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards doesn't burn twice the calories, that's a myth.",
        "Walking backwards doesn't burn twice the calories – total myth!",
        "Walking backwards doesn't burn twice the calories. That's a myth.",
    ],
)
def test_a_verdict_after_a_denied_figure_judges_the_figure(client: TestClient, text: str) -> None:
    found = matches(client, text)[CALORIES]
    assert found["stance"] == "asserts"
    assert [d["post_says"] for d in found["denied_figures"]] == ["twice"]


def test_a_verdict_without_a_denied_figure_still_denies(client: TestClient) -> None:
    assert (
        matches(client, "Walking backwards burns twice the calories, that's a myth.")[CALORIES]["stance"]
        == "denies"
    )
    assert (
        matches(client, "Walking backwards doesn't burn more calories, that's a myth.")[CALORIES]["stance"]
        == "denies"
    )


# --- 2. a headline's verdict label, and "≠" -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Orthopaedic Debunks Viral Myth: 100 Backward Steps ≠ 1,000 Forward Steps",
        "Orthopaedic Debunks Viral Myth: 100 Backward Steps Equal 1,000 Forward Steps",
        # "100 backward steps ≠ 1,000 forward steps" alone denies the ratio, not the claim
        # (test_factcheck_defects.test_a_ratio_said_not_to_hold_is_a_denied_figure)
    ],
)
def test_a_verdict_label_and_not_equal_deny(client: TestClient, text: str) -> None:
    found = matches(client, text)
    assert found and all(m["stance"] == "denies" for m in found.values())


def test_not_equal_is_a_negation_cue_and_myth_or_fact_is_no_verdict_label(client: TestClient) -> None:
    assert [
        t for t in ("100 backward steps ≠ 1,000 forward steps",) for a, b in negation_cues(t) if t[a:b] == "≠"
    ]
    assert (
        matches(client, "Myth or fact: walking backwards burns more calories")[CALORIES]["stance"] != "denies"
    )


# --- 3. warnings of falls and injuries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Rückwärtsgehen sollte mit Vorsicht geübt werden, um Stürze zu vermeiden.", "denies"),
        ("Beim Rückwärtslaufen liegt die eigentliche Gefährdung in den Hindernissen hinter dir.", "denies"),
        ("Beim Rückwärtslaufen sind Stürze häufig.", "denies"),
        ("後ろ歩きでバランスを崩し転倒する人がいます。", "denies"),
        ("後ろ歩きは転倒しやすいので注意が必要です。", "denies"),
        ("後ろ歩きは転倒予防に役立ちます。", "asserts"),
        ("後ろ歩きは転倒するリスクを減らします。", "asserts"),
    ],
)
def test_warnings_of_falls_deny_the_safety_claim(text: str, expected: str) -> None:
    assert stance(text, None, claim_statement=SAFE_STATEMENT) == expected


# --- 4. questions: Indonesian "-kah", a doubt after a claim, a hypothesis -------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Benarkah Berjalan Mundur Membakar Lebih Banyak Kalori", True),
        ("Jalan mundur, apakah bermanfaat untuk lutut?", True),
        ("Berjalan mundur membakar lebih banyak kalori.", False),
    ],
)
def test_an_indonesian_kah_word_asks(text: str, expected: bool) -> None:
    assert is_question(text) is expected


def test_a_doubt_after_a_claim_asks() -> None:
    assert (
        stance("Dizem que andar para trás queima mais calorias.", None, "Mas será que vale a pena?") == "asks"
    )
    assert stance("Dicen que caminar hacia atrás quema más calorías.", None, "¿Vale la pena?") == "asks"


@pytest.mark.parametrize(
    "text",
    [
        "The researchers hypothesized that walking backwards improves balance after a stroke.",
        "Die Forscherin stellte die Hypothese auf, dass Rückwärtsgehen das Gleichgewicht verbessert.",
    ],
)
def test_a_hypothesis_asks(text: str) -> None:
    assert stance(text) == "asks"


def test_a_hypothesis_with_a_negated_participle_still_asks(client: TestClient) -> None:
    text = (
        "Sie stellte die Hypothese auf, dass Rückwärtslaufen nicht ausreichend genutzte Hirnareale anregt "
        "und das Gleichgewicht verbessert."
    )
    assert {m["stance"] for m in matches(client, text).values()} <= {"asks"}


# --- 5. a word that ends in an accented letter and one more ends its sentence ----------------------


@pytest.mark.parametrize(
    "text",
    [
        "Muitos dizem que queima mais calorias andar para trás. Mas será que vale a pena?",
        "Caminar hacia atrás ayuda también. Mejora el equilibrio.",
    ],
)
def test_an_accented_word_is_no_initial(text: str) -> None:
    assert len(sentences(text)) == 2
    assert len(sentences("Lo dijo J. Smith en su estudio.")) == 1


def test_a_doubt_in_the_next_sentence_after_an_accented_word(client: TestClient) -> None:
    text = (
        "Fontes online afirmam que você queimará mais calorias ao andar para trás. Mas será que vale a pena?"
    )
    found = matches(client, text)
    assert found[CALORIES]["stance"] == "asks"
    assert found.get(ENERGY, {"stance": "asks"})["stance"] == "asks"


# --- 6. advice on doing it safely, "exercise benefits", a verdict asked about --------------------


@pytest.mark.parametrize(
    "text",
    [
        "Hold onto the rails so you don't fall when walking backward on a treadmill.",
        "Hold the handrails to avoid falling when you walk backwards on the treadmill.",
        "If you feel unsteady walking backwards on the treadmill, hold the handrails so you don't trip.",
    ],
)
def test_treadmill_rail_advice_makes_no_safety_claim(client: TestClient, text: str) -> None:
    assert SAFE not in matches(client, text)


def test_a_risk_stated_still_makes_the_safety_claim(client: TestClient) -> None:
    text = "Walking backwards is harder and requires more attention to avoid tripping or falling."
    assert matches(client, text)[SAFE]["stance"] == "denies"
    assert precautions(text) == []


@pytest.mark.parametrize(
    "text",
    ["does walking backwards have any exercise benefits", "Walking backwards has great exercise benefits."],
)
def test_exercise_benefits_are_no_energy_claim(client: TestClient, text: str) -> None:
    assert ENERGY not in matches(client, text)


def test_a_multiplied_exercise_benefit_is_the_energy_claim(client: TestClient) -> None:
    text = "Some say walking backwards gives you 10 times the exercise benefit of walking forwards."
    assert ENERGY in matches(client, text)


@pytest.mark.parametrize("following", ["Is that true or a myth?", "Myth?"])
def test_a_verdict_asked_about_asks(following: str) -> None:
    assert stance("Walking backwards burns more calories.", None, following) == "asks"
    assert stance("Walking backwards burns more calories.", None, "That's a myth.") == "denies"
