"""Languages newly read through the concepts' terms (Polish, Turkish, Vietnamese, Ukrainian) and
wordings the other concept-read languages missed ("n'aide pas vos genoux", arthritic knees,
quadriceps exercises, back problems, dementia), through the API. Every sentence is the tests' own."""

from __future__ import annotations

import pytest
from claimids import BACK, BALANCE, CALORIES, KNEE_OA, KNEE_PAIN, MEMORY, QUADS
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body

from app.vocab import STEMMERS, TermLanguage

QUAD_EXERCISE = "quadriceps-strengthening-reduces-knee-pain"


@pytest.mark.parametrize(
    ("text", "code", "claim"),
    [
        ("Chodzenie do tyłu łagodzi ból kolan.", "pl", KNEE_PAIN),
        ("Bieganie tyłem spala więcej kalorii niż bieganie do przodu.", "pl", CALORIES),
        ("Marsz do tyłu wzmacnia mięśnie czworogłowe.", "pl", QUADS),
        ("Geriye doğru yürümek diz ağrısını hafifletir.", "tr", KNEE_PAIN),
        ("Geriye doğru yürüyüş dengeyi geliştirir.", "tr", BALANCE),
        ("Geriye doğru yürümek bel ağrısını azaltır.", "tr", BACK),
        ("Đi bộ lùi giúp giảm đau đầu gối.", "vi", KNEE_PAIN),
        ("Đi lùi đốt cháy nhiều calo hơn đi bộ bình thường.", "vi", CALORIES),
        ("Ходьба назад зменшує біль у колінах.", "uk", KNEE_PAIN),
        ("Ходьба назад покращує рівновагу.", "uk", BALANCE),
    ],
)
def test_newly_read_languages_find_the_claim(
    seed_client: TestClient, text: str, code: str, claim: str
) -> None:
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == code
    assert body["language"]["handled"] and body["language"]["matched_by"] == "concepts"
    assert claim in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]
    # read through the concepts only: the response still says so
    assert any("concept vocabulary" in w for w in body["warnings"]), body["warnings"]


def test_every_term_language_has_a_stemmer_entry() -> None:
    """A language concepts.yaml may give terms in is one the analyser knows how to read
    (a Snowball stemmer of the installed package, or None: words as written)."""
    import snowballstemmer

    for code in TermLanguage:
        assert code.value in STEMMERS
        name = STEMMERS[code.value]
        assert name is None or name in snowballstemmer.algorithms()


@pytest.mark.parametrize(
    ("text", "code", "claim", "stance"),
    [
        # the knees helped (or not) without the word "pain", as the English "help your knees"
        ("Marcher à reculons n'aide pas vos genoux.", "fr", KNEE_PAIN, "denies"),
        ("La marche arrière soulage les genoux.", "fr", KNEE_PAIN, "asserts"),
        ("Caminar hacia atrás no ayuda a tus rodillas.", "es", KNEE_PAIN, "denies"),
        ("Andar para trás ajuda os joelhos.", "pt", KNEE_PAIN, "asserts"),
        # arthritic knees: the adjective, not the noun
        ("Rückwärtsgehen ist gut für arthrotische Knie.", "de", KNEE_OA, "asserts"),
        ("Caminar hacia atrás mejora las rodillas artríticas.", "es", KNEE_OA, "asserts"),
        # "back problems" is back pain, as "bad back" is in English
        ("Camminare all'indietro aiuta chi ha problemi alla schiena.", "it", BACK, "asserts"),
        # dementia is a memory outcome in every language, as in English
        ("Rückwärtsgehen kann bei Demenz helfen.", "de", MEMORY, "asserts"),
        # quadriceps exercises named in the post's language
        ("Renforcer les quadriceps soulage la douleur au genou.", "fr", QUAD_EXERCISE, "asserts"),
        (
            "Las sentadillas y otros ejercicios de fortalecimiento reducen el dolor de rodilla.",
            "es",
            QUAD_EXERCISE,
            "asserts",
        ),
    ],
)
def test_wordings_without_the_usual_outcome_word_find_the_claim(
    seed_client: TestClient, text: str, code: str, claim: str, stance: str
) -> None:
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == code
    found = {m["claim"]["id"]: m for m in body["matches"]}
    assert claim in found, list(found)
    assert found[claim]["stance"] == stance


def test_a_language_still_not_read_is_named_with_a_warning(seed_client: TestClient) -> None:
    body = factcheck_body(seed_client, "Το περπάτημα προς τα πίσω ανακουφίζει τον πόνο στο γόνατο.")
    assert body["language"]["code"] == "el" and not body["language"]["handled"]
    assert body["matches"] == [] and "Greek" in body["warnings"][0]


@pytest.mark.parametrize(
    ("text", "cut_before"),
    [
        # a contrast ends a unit in the other languages as "but" does in English
        ("Rückwärtsgehen stärkt die Oberschenkel deutlich, aber es verbrennt kaum mehr Kalorien.", "aber"),
        ("Caminar hacia atrás mejora el equilibrio, sin embargo cansa mucho más que caminar.", "sin embargo"),
    ],
)
def test_a_contrast_in_another_language_ends_the_unit(text: str, cut_before: str) -> None:
    from app.factcheck.sentences import split

    units = split(text)
    assert len(units) == 2 and units[1].text.startswith(cut_before), [u.text for u in units]


def test_a_word_that_is_no_contrast_in_another_language_does_not_cut() -> None:
    from app.factcheck.sentences import split

    # Portuguese "mais" is "more", not the French "but"
    text = "Andar para trás queima mais calorias do que andar para a frente todos os dias."
    assert len(split(text)) == 1


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        # "and" before a new predicate: a verb (German, Spanish, French, Italian; Russian by its ending)
        (
            "Rückwärtsgehen stärkt die Oberschenkel und verbessert das Gleichgewicht.",
            ["Rückwärtsgehen stärkt die Oberschenkel", "und verbessert das Gleichgewicht."],
        ),
        (
            "La marche arrière renforce les cuisses et brûle plus de calories.",
            ["La marche arrière renforce les cuisses", "et brûle plus de calories."],
        ),
        (
            "Ходьба назад укрепляет мышцы бедра и сжигает больше калорий.",
            ["Ходьба назад укрепляет мышцы бедра", "и сжигает больше калорий."],
        ),
        # a noun phrase after "and" stays in its clause (and in the reach of its negation)
        (
            "La marcha atrás no mejora la fuerza y el equilibrio de los mayores.",
            ["La marcha atrás no mejora la fuerza y el equilibrio de los mayores."],
        ),
        # "et al." is a citation
        (
            "Dupont et al. ont montré que la marche arrière renforce les cuisses.",
            ["Dupont et al. ont montré que la marche arrière renforce les cuisses."],
        ),
    ],
)
def test_and_before_a_new_predicate_starts_a_clause(text: str, pieces: list[str]) -> None:
    from app.factcheck.sentences import clause_pieces

    assert [text[s:e] for s, e in clause_pieces(text, 0, len(text))] == pieces


@pytest.mark.parametrize(
    "text",
    [
        "Caminar hacia atrás no alivia el dolor de rodilla y quema más calorías que caminar hacia adelante.",
        "Rückwärtsgehen lindert keine Knieschmerzen und verbrennt mehr Kalorien als Vorwärtsgehen.",
    ],
)
def test_a_negation_in_one_clause_leaves_the_other_claim_asserted(seed_client: TestClient, text: str) -> None:
    body = factcheck_body(seed_client, text)
    found = claim_matches(body)
    assert found[KNEE_PAIN]["stance"] == "denies"
    assert found[CALORIES]["stance"] == "asserts", found[CALORIES]["matched_text"]
    assert found[CALORIES]["matched_text"]["start"] > 0
