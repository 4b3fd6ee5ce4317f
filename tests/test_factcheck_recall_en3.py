"""Recall on English wording (issue 14, second pass): concept terms for how published articles
and abstracts say what a claim says, checked against real usage in the search tool's pages
corpus. The sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
import yaml
from helpers import DATA_DIR
from test_factcheck_recall_en2 import concept_ids


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # an effect named by its sign, as abstracts name it
        ("retro walking positively affects gait", {"improvement"}, set()),
        ("it may have positive effects on stability", {"improvement"}, set()),
        ("a positive impact on your stride", {"improvement"}, set()),
        # a gain named as the edge it gives
        ("a clear advantage in long races", {"improvement"}, set()),
        # a sign of something else is no improvement
        ("a positive test for arthritis", set(), {"improvement"}),
    ],
)
def test_an_effect_named_by_its_sign(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # a measure at a high level is more of it ("a higher VO2 max" already was)
        ("a high VO2 max in long events", {"improvement", "vo2max"}, set()),
        ("people with a high vo2max", {"improvement", "vo2max"}, set()),
        ("an elevated VO2max in racers", {"improvement", "vo2max"}, set()),
        # a high intensity is no gain in VO2 max
        ("high intensity intervals", set(), {"improvement"}),
    ],
)
def test_a_high_vo2max_is_more_of_it(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # the muscles named by the joint they hold
        ("it works the muscles that support your knees", {"quadriceps"}, set()),
        ("strengthening the muscles supporting the knee", {"quadriceps"}, set()),
        ("the muscles in your knees do more work", {"quadriceps"}, set()),
        ("the front of your thighs burns", {"quadriceps"}, set()),
        # the muscles of another joint are not the quadriceps
        ("the muscles that support your spine", set(), {"quadriceps"}),
    ],
)
def test_the_knee_muscles_named_by_the_joint(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has"),
    [
        # the subscript two glued to "max" or "peak" ("VO₂max"): the capitals were cut from the
        # subscript, which no pattern read, and the post named no VO2 max at all
        ("What is your VO₂max?", {"vo2max"}),
        ("their VO₂peak rose", {"vo2max"}),
        ("a higher VO₂Max", {"vo2max", "improvement"}),
        # as before: spaced, or with the digit
        ("VO₂ max and endurance", {"vo2max", "endurance"}),
        ("VO2max", {"vo2max"}),
    ],
)
def test_vo2max_with_a_subscript_glued(text: str, has: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found, found


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # Indian English news: walking "upside down" is walking backwards (उल्टा चलना)
        ("When you walk upside down, your back muscles are exercised", {"backward", "walking"}, set()),
        ("walking upside down for 30 minutes daily", {"backward"}, set()),
        # "upside down" alone is no direction of walking
        ("the news turned their plans upside down", set(), {"backward"}),
    ],
)
def test_walking_upside_down_as_indian_english_says_it(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # the belly named for its fat
        ("it helps in reducing the protruding belly", {"weight-loss"}, set()),
        ("the secret to a flat belly", {"weight-loss"}, set()),
        ("belly breathing calms you", set(), {"weight-loss"}),
        # coaches' "terrible toos": too much, too soon, too fast
        ("avoid the terrible toos this spring", {"sudden-increase", "training-load"}, set()),
    ],
)
def test_the_belly_and_the_terrible_toos(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


def test_the_vo2max_claim_is_said_of_endurance_performance() -> None:
    """Articles say what a higher VO2 max gives as the limit it sets on endurance performance
    ("VO2 max sets the upper limit of endurance performance", "a solid predictor of endurance
    performance"), with no comparative; the claim's phrasings say it that way too, so such a post
    is covered by a text of the claim."""
    claims = yaml.safe_load((DATA_DIR / "claims.yaml").read_text(encoding="utf-8"))
    claim = next(c for c in claims if c["id"] == "higher-vo2max-means-longer-exercise")
    texts = [concept_ids(t) for t in (claim["statement"], *claim["phrasings"])]
    assert any({"vo2max", "endurance", "athletic-performance"} <= t and "improvement" not in t for t in texts)


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # MET values, from which exercise tables count calories, name the calories burned
        ("walking backward at that speed earns 6.0 MET", {"calorie-burn", "energy-cost"}, set()),
        ("closer to 6.0 METs than 4.3", {"calorie-burn"}, set()),
        ("a MET value of around 3.5", {"calorie-burn"}, set()),
        # "met" the verb is no MET
        ("we met 3 physios at the clinic", set(), {"calorie-burn"}),
    ],
)
def test_met_values_count_calories(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has"),
    [
        # a plural acronym is one word: "PTs" was cut into "P" + "Ts", "METs" into "ME" + "Ts"
        ("PTs swear by it", {"rehabilitation"}),
        ("young athletes after ACLs", {"surgery"}),
        ("6.0 METs against 4.3 METs", {"calorie-burn", "energy-cost"}),
        # camelCase hashtags still split at their capitals
        ("#BackwardWalking for #KneePain", {"backward", "walking", "knee-pain"}),
    ],
)
def test_plural_acronyms_are_one_word(text: str, has: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found, found
