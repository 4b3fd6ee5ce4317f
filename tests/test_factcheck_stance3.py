"""Stance, the weakest measured figure (2026-12-01 helper session): a negated verb after "and" is a
clause of its own; a hedged denial ("not proven", "hasn't been shown", "unproven") denies, and a
"but" that concedes another claim does not take it back; Turkish and Vietnamese negation and
questions are read; safety advice ("use the safety clip", "for safety") is no statement that
walking backward is safe. Through the API and as units. The sentences are written for these tests,
not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import CALORIES, KNEE_PAIN, QUADS, SAFE, WEIGHT
from fastapi.testclient import TestClient
from helpers import post_matches as matches

from app.factcheck.sentences import clause_pieces
from app.factcheck.stance import is_question, negation_cues, stance


def pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in clause_pieces(text, 0, len(text))]


# --- 1. a negated verb after "and" opens its own clause ------------------------------------------


@pytest.mark.parametrize(
    ("text", "second"),
    [
        (
            "Walking backwards burns twice the calories and doesn't help you lose weight",
            "and doesn't help you lose weight",
        ),
        (
            "Walking backwards burns more calories and does not help you lose weight.",
            "and does not help you lose weight.",
        ),
        (
            "Walking backwards burns more calories and never helps you lose weight.",
            "and never helps you lose weight.",
        ),
        ("Caminar hacia atrás quema más calorías y no ayuda a perder peso.", "y no ayuda a perder peso."),
        ("Ходьба назад сжигает больше калорий и не помогает похудеть.", "и не помогает похудеть."),
    ],
)
def test_a_negated_verb_after_and_is_a_clause_of_its_own(text: str, second: str) -> None:
    assert pieces(text)[-1] == second


def test_a_list_and_a_portuguese_no_are_still_no_cut() -> None:
    assert len(pieces("Walking backwards strengthens your quads and hamstrings more than walking.")) == 1
    assert len(pieces("É bom para o equilíbrio e no joelho alivia a dor.")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards burns twice the calories and doesn't help you lose weight",
        "Caminar hacia atrás quema más calorías y no ayuda a perder peso.",
        "Ходьба назад сжигает больше калорий и не помогает похудеть.",
    ],
)
def test_the_negated_clause_denies_only_its_own_claim(seed_client: TestClient, text: str) -> None:
    found = matches(seed_client, text)
    assert found[WEIGHT]["stance"] == "denies"
    assert found[CALORIES]["stance"] == "asserts"


# --- 2. hedged denials ---------------------------------------------------------------------------


def test_a_concession_about_another_claim_does_not_take_the_denial_back(seed_client: TestClient) -> None:
    found = matches(
        seed_client,
        "Walking backwards is not proven to help knee pain, but it does strengthen your quads",
    )
    assert found[KNEE_PAIN]["stance"] == "denies"
    assert found[KNEE_PAIN]["matched_text"]["text"] == "Walking backwards is not proven to help knee pain"
    assert found[QUADS]["stance"] == "asserts"


def test_a_concession_about_the_same_claim_still_takes_it_back(seed_client: TestClient) -> None:
    assert (
        matches(seed_client, "Walking backwards is no miracle cure for knee pain, but it can help.")[
            KNEE_PAIN
        ]["stance"]
        == "asserts"
    )
    assert (
        matches(seed_client, "Walking backwards won't cure your knee pain. But it helps your balance.")[
            KNEE_PAIN
        ]["stance"]
        == "denies"
    )


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards is not proven to help knee pain.",
        "There is no good evidence that walking backwards helps knee pain.",
        "The claim that walking backwards relieves knee pain is unproven.",
        "Walking backwards hasn't been shown to relieve knee pain.",
        "There is little evidence that walking backwards helps knee pain.",
        # the verdict has no negation word of its own over the claim's words: read as a verdict
        "Walking backwards relieves knee pain – that's not established.",
        "Walking backwards relieves knee pain. That hasn't been shown.",
        "Caminar hacia atrás alivia el dolor de rodilla: sin base científica.",
        "Rückwärtsgehen lindert Knieschmerzen – das ist nicht belegt.",
        "Rückwärtsgehen lindert Knieschmerzen: unbewiesen.",
        "Marcher à reculons soulage la douleur au genou : non prouvé.",
        "Camminare all'indietro allevia il dolore al ginocchio: senza prove.",
        "Andar de costas alivia a dor no joelho: sem comprovação.",
        "Achteruit lopen verlicht kniepijn: onbewezen.",
        "Ходьба задом наперед облегчает боль в колене: недоказанно.",
    ],
)
def test_hedged_denials_deny(seed_client: TestClient, text: str) -> None:
    assert matches(seed_client, text)[KNEE_PAIN]["stance"] == "denies"


# --- 3. Turkish and Vietnamese -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Geri yürümek diz ağrısını azaltmaz.", "denies"),
        ("Geri yürümek diz ağrısı için işe yaramıyor.", "denies"),
        ("Geri yürümenin diz ağrısını azalttığı kanıtlanmamış.", "denies"),
        ("Geri yürümek diz ağrısını azaltır, bu doğru değil.", "denies"),
        ("Geri yürümek diz ağrısına iyi gelir mi", "asks"),
        ("Geri yürümek diz ağrısını azaltır.", "asserts"),
        ("Đi lùi không giúp giảm đau đầu gối.", "denies"),
        ("Đi lùi chưa được chứng minh là giảm đau đầu gối.", "denies"),
        ("Đi lùi có giúp giảm đau đầu gối không?", "asks"),
        ("Đi lùi có giúp giảm đau đầu gối không", "asks"),
        ("Đi lùi giúp giảm đau đầu gối.", "asserts"),
    ],
)
def test_turkish_and_vietnamese_negation_and_questions(
    seed_client: TestClient, text: str, expected: str
) -> None:
    assert matches(seed_client, text)[KNEE_PAIN]["stance"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "This amazing remedy is immediately effective.",  # the Turkish suffixes, in English words
        "Komedi ve akademik çalışmalar önemli.",
        "Geri yürürken dizde ağrı yok.",  # no pain: no denial
        "Đi lùi không chỉ giúp giảm cân mà còn tốt cho đầu gối.",  # not only
        "Đi lùi ngoài không khí trong lành rất tốt.",  # "không khí" is air
    ],
)
def test_no_negation_where_none_is_meant(text: str) -> None:
    assert negation_cues(text) == []
    assert stance(text) == "asserts"


def test_a_turkish_negation_cue_is_its_suffix_not_the_verb() -> None:
    text = "Geri yürümek diz ağrısını azaltmaz."
    assert [text[a:b] for a, b in negation_cues(text)] == ["maz"]
    assert not is_question(text)


# --- 4. safety advice is no claim about safety ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Safety tip: use the safety clip when walking backwards on a treadmill.",
        "Backward walking may add variety to your routine when done safely.",
        "Hold the handrails when you walk backwards on the treadmill, for safety.",
        "Retro walkers are advised to start slowly and prioritize safety.",
        "倒走时要小步慢走，注意安全。",
    ],
)
def test_safety_advice_does_not_make_the_safety_claim(seed_client: TestClient, text: str) -> None:
    assert SAFE not in matches(seed_client, text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Walking backwards on a treadmill increases your chances of falling.", "denies"),
        ("Walking backwards on a treadmill is safe for most people.", "asserts"),
    ],
)
def test_what_is_said_of_its_safety_still_makes_it(seed_client: TestClient, text: str, expected: str) -> None:
    assert matches(seed_client, text)[SAFE]["stance"] == expected
