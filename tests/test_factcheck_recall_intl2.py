"""Recall in languages other than English, continued (2026-12-01, afternoon): the English loanwords
posts in other languages name the gait with ("le retro-walking", "Nordic Walking", "le running")
read as the gait, as the English terms read them. On the reading of a post (``check.post_units``)
and through the API, with the shipped data and score model. The sentences are written for these
tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body, post_features


@pytest.mark.parametrize(
    ("text", "gait"),
    [
        ("Le « retro-walking » est à la mode sur les réseaux sociaux.", "walking"),
        ("Il retrowalking è sempre più popolare tra gli sportivi.", "walking"),
        ("Beim Retro-Walking geht man rückwärts, beim Walken vorwärts.", "walking"),
        ("El retro walking se ha puesto de moda en las redes.", "walking"),
        ("Le rétro-running gagne des adeptes.", "running"),
    ],
)
def test_an_english_loanword_names_the_gait(index, text: str, gait: str) -> None:  # type: ignore[no-untyped-def]
    """ "Walking backward" names backward walking in English (backward and walking); a post in
    another language that borrows the English word reads the same two, not the direction alone."""
    features = post_features(index, text)
    assert {"backward", gait} <= features, sorted(f for f in features if not f.startswith("w:"))


def test_a_loanword_post_finds_the_walking_claim(seed_client: TestClient) -> None:
    body = factcheck_body(
        seed_client,
        "Selon les kinés, le « retro-walking » améliore l'équilibre des seniors.",
    )
    assert body["language"]["code"] == "fr"
    assert BALANCE in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]


@pytest.mark.parametrize(
    "text",
    [
        "Der Energieverbrauch ist beim Rückwärtsgehen höher als beim Vorwärtsgehen.",
        "La dépense énergétique de la marche à reculons est plus élevée.",
        "El gasto energético de caminar hacia atrás es mayor.",
        "Il dispendio energetico della camminata all'indietro è maggiore.",
        "Wydatek energetyczny podczas chodzenia do tyłu jest wyższy.",
        "Энергозатраты при ходьбе задом наперёд выше.",
    ],
)
def test_energy_expenditure_is_the_calories_burned(index, text: str) -> None:  # type: ignore[no-untyped-def]
    """ "Energy expenditure" names the calories burned as well as the energy cost in English; so
    does "Energieverbrauch", "dépense énergétique", "gasto energético", "энергозатраты"."""
    assert {"calorie-burn", "energy-cost"} <= post_features(index, text)


def test_an_energy_expenditure_post_finds_the_calorie_claim(seed_client: TestClient) -> None:
    body = factcheck_body(seed_client, "Der Energieverbrauch beim Rückwärtslaufen ist deutlich höher.")
    assert body["language"]["code"] == "de"
    assert CALORIES in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]


@pytest.mark.parametrize(
    "text",
    [
        "Marcher à reculons pour un ventre plat ? C'est la promesse des réseaux sociaux.",
        "Caminar hacia atrás ayuda a conseguir un vientre plano.",
        "Camminare all'indietro per avere una pancia piatta.",
        "Andar para trás ajuda a perder barriga.",
        "المشي إلى الخلف وسيلة للتخلص من الكرش.",
        "المشي إلى الخلف يساعد على حرق دهون البطن.",
    ],
)
def test_a_flat_belly_is_weight_loss(index, text: str) -> None:  # type: ignore[no-untyped-def]
    """ "Flat belly", "belly fat" and "pot belly" are weight-loss terms in English; so are "ventre
    plat", "vientre plano", "pancia piatta", "perder barriga", "دهون البطن" and "الكرش"."""
    assert "weight-loss" in post_features(index, text)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # "and the quadriceps", "and the thighs", "and the knee": و written joined to its word
        ("المشي إلى الخلف يقوي الظهر والرباعية.", "quadriceps"),
        ("المشي إلى الخلف يقوي الساقين والفخذين.", "quadriceps"),
        ("المشي إلى الخلف يخفف آلام الظهر والركبة.", "knee"),
    ],
)
def test_an_arabic_word_joined_to_and_is_read_without_it(index, text: str, found: str) -> None:  # type: ignore[no-untyped-def]
    assert found in post_features(index, text)


def test_an_arabic_word_that_begins_with_waw_is_left_alone(index) -> None:  # type: ignore[no-untyped-def]
    """Only a word that is no term's word as written loses its و, and only when the rest is one:
    "وزن" (weight) is not "and" + "زن"; a joined term ("والتوازن") still reads as itself."""
    from app.factcheck import language
    from app.factcheck.analyzer import _stemmer

    analyzer = language.analyzer(index, "ar")
    assert analyzer.stem("وزن") == _stemmer("arabic").stemWord("وزن")
    assert "balance" in post_features(index, "المشي إلى الخلف يحسن التوازن والتنسيق.")
