"""Posts in languages read through the concepts' translations (data/concepts.yaml), through the
API: the usual inflected and idiomatic ways a health article in that language names an outcome
("helfen", "erinnern", 이로울, "efectividad", "полезна", "bon pour les genoux") find the claim."""

from __future__ import annotations

import pytest
from claimids import BALANCE, KNEE_OA, KNEE_PAIN, MEMORY
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body


@pytest.mark.parametrize(
    ("text", "code", "claim"),
    [
        # German verbs: "helfen" (the infinitive after "kann"; only "hilft" was known), "erinnern"
        (
            "Forscher haben herausgefunden, dass Rückwärtsgehen helfen kann, sich an Erlebnisse zu erinnern.",
            "de",
            MEMORY,
        ),
        # Korean 이롭다 is irregular: 이로운 / 이로울 / 이로워, never the stem 이롭 as written
        ("연구에 따르면 뒤로 걷기는 무릎 관절염 환자에게 이로울 수 있다.", "ko", KNEE_OA),
        # Russian "полезна" (useful, good for): the adjective, not the noun "польза"
        ("Ходьба задом наперёд полезна людям с артрозом коленей.", "ru", KNEE_OA),
        # Spanish "efectividad" beside "eficacia"
        (
            "Caminar hacia atrás mostró una gran efectividad en pacientes con artrosis de rodilla.",
            "es",
            KNEE_OA,
        ),
        # "good for the knees" in French, as the English knee-pain terms have it
        ("Marcher à reculons, c'est bon pour les genoux.", "fr", KNEE_PAIN),
    ],
)
def test_an_outcome_in_its_usual_words_finds_the_claim(
    seed_client: TestClient, text: str, code: str, claim: str
) -> None:
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == code
    assert claim in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]


VO2MAX = {
    "backward-training-raises-predicted-vo2max",
    "backward-walking-improves-vo2max-more-than-forward",
}


@pytest.mark.parametrize(
    ("text", "code", "claims"),
    [
        # the knee that hurts, said with a verb ("das Knie tut weh", "wenn das Knie wehtut"), not a noun
        ("Rückwärts bergab gehen hilft, wenn das Knie wehtut.", "de", {KNEE_PAIN}),
        ("Andar de costas alivia quando o joelho dói.", "pt", {KNEE_PAIN}),
        # a lower fall risk is better balance, as the English terms have it (the no-risk claim,
        # which 転倒 / 낙상 'a fall' also finds, may rank first)
        ("後ろ歩きで転倒リスクが下がる。", "ja", {BALANCE}),
        ("뒤로 걷기는 낙상 위험을 줄인다.", "ko", {BALANCE}),
        # everyday words for fitness: "condición física", "forme physique"
        ("Caminar hacia atrás mejora la condición física más que caminar hacia adelante.", "es", VO2MAX),
        ("La marche à reculons améliore la forme physique plus que la marche en avant.", "fr", VO2MAX),
    ],
)
def test_a_common_wording_of_the_outcome_finds_the_claim(
    seed_client: TestClient, text: str, code: str, claims: set[str]
) -> None:
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == code
    returned = [m["claim"]["id"] for m in body["matches"]]
    assert claims & set(returned), returned
