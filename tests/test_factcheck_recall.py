"""Recall on real wording (issue 14): paraphrases a curator accepts for a claim's outcome or body
part, and words whose other sense must not make a claim. Through the API (both backends) with the
shipped data and score model, and on the concepts of data/concepts.yaml directly. The sentences
are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import DATA_DIR

from app.factcheck.analyzer import Analyzer, ConceptDef

QUADS = "backward-walking-strengthens-quadriceps"
VO2MAX = "backward-walking-improves-vo2max-more-than-forward"
SAFE = "backward-walking-is-safe-for-healthy-adults"
BALANCE = "backward-walking-improves-balance"
SUDDEN = "sudden-training-increases-cause-knee-pain"
ENERGY = "backward-walking-costs-more-energy-than-forward"


def claims_of(client: TestClient, text: str) -> list[str]:
    response = client.post("/api/v1/factcheck", json={"text": text})
    assert response.status_code == 200, response.text
    return [m["claim"]["id"] for m in response.json()["matches"]]


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # the quadriceps by their function or as the leg muscles a walking post means
        ("Retro walking builds stronger leg muscles than walking forward.", QUADS),
        ("Reverse treadmill walking trains the lower limb muscles harder.", QUADS),
        # aerobic fitness named as cardiovascular fitness
        ("Backward walking improves cardiovascular fitness more than forward walking.", VO2MAX),
        # energy cost in METs
        ("Walking backward is rated at about 6 METs, a MET value well above forward walking.", ENERGY),
        # a risk of falling is about safety, not the balance the training improves
        ("Walking backwards on a treadmill increases your chances of falling.", SAFE),
        # "at-risk" describes the people studied, not a risk of the exercise
        ("Backward walking has shown promise in at-risk populations for their balance.", BALANCE),
    ],
)
def test_paraphrases_find_their_claim_first(seed_client: TestClient, text: str, first: str) -> None:
    found = claims_of(seed_client, text)
    assert found and found[0] == first, found


@pytest.mark.parametrize(
    "text",
    [
        "Knee pain has increased a lot in recent years.",
        "The number of people with knee pain doubled over the last decade.",
    ],
)
def test_a_rise_in_knee_pain_is_not_a_rise_in_training(seed_client: TestClient, text: str) -> None:
    assert SUDDEN not in claims_of(seed_client, text)


def test_a_rise_in_training_that_says_what_rose_still_matches(seed_client: TestClient) -> None:
    assert claims_of(seed_client, "Doubling my mileage in one week left my knees aching.")[:1] == [SUDDEN]


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    items = yaml.safe_load((DATA_DIR / "concepts.yaml").read_text(encoding="utf-8"))
    return Analyzer([ConceptDef(c["id"], c["kind"], tuple(c["terms"]), c.get("group")) for c in items])


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        ("my knees ache after running", {"pain", "knee"}, set()),
        ("sore knees", {"pain", "knee-pain"}, set()),
        ("it strengthens the knee extensors", {"quadriceps"}, set()),
        ("more muscles around the knee", {"quadriceps"}, set()),
        ("aerobic conditioning and cardiopulmonary fitness", {"vo2max"}, set()),
        ("knee pain increased", {"knee-pain"}, {"sudden-increase"}),
        ("double the calories", {"calorie-burn"}, {"sudden-increase"}),
        ("after I doubled my mileage", {"sudden-increase", "training-load"}, set()),
        ("mileage increases", {"sudden-increase"}, set()),
        ("your chances of falling", {"safety-risk"}, {"balance"}),
        ("it prevents falls", {"balance"}, set()),
        ("in at-risk populations", set(), {"safety-risk"}),
    ],
)
def test_concept_terms(analyzer: Analyzer, text: str, has: set[str], lacks: set[str]) -> None:
    names = analyzer.features(text).names()
    assert has <= names, names
    assert not lacks & names, names
