"""Posts in languages read through the concepts' translations (data/concepts.yaml), through the
API: the usual inflected and idiomatic ways a health article in that language names an outcome
("helfen", "erinnern", 이로울, "efectividad", "полезна", "bon pour les genoux") find the claim."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body

MEMORY = "backward-walking-improves-memory"
KNEE_OA = "backward-walking-eases-knee-osteoarthritis"
KNEE_PAIN = "backward-walking-relieves-everyday-knee-pain"


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
