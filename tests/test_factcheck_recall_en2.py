"""Recall on English posts that lean on their page's heading for the direction (issue 14): a unit
that refers back to the activity ("this movement", "it strengthens ...") may make a
backward-locomotion claim, marked ``direction_implied`` for the score model to weigh; a post with
no activity, one about forward walking or about another exercise still makes none. The sentences
are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import functools

import pytest
import yaml
from helpers import DATA_DIR

from app.factcheck.analyzer import Analyzer, ConceptDef
from app.factcheck.check import clean, post_units
from app.factcheck.scoring import FEATURES, unit_candidates

BALANCE = "backward-walking-improves-balance"
QUADS = "backward-walking-strengthens-quadriceps"
CALORIES = "backward-walking-burns-more-calories"
IMPLIED = FEATURES.index("direction_implied")


@pytest.fixture(scope="module")
def index(seed_settings):  # type: ignore[no-untyped-def]
    from app.db import Database
    from app.factcheck.index import get_index
    from app.store import Store

    store = Store(Database(seed_settings))
    yield get_index(store)
    store.db.dispose()


@functools.cache
def _analyzer() -> Analyzer:
    items = yaml.safe_load((DATA_DIR / "concepts.yaml").read_text(encoding="utf-8"))
    return Analyzer([ConceptDef(c["id"], c["kind"], tuple(c["terms"]), c.get("group")) for c in items])


def concept_ids(text: str) -> set[str]:
    """The features data/concepts.yaml's English terms find in ``text``."""
    return set(_analyzer().features(text).names())


def candidates(index, text: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """claim id -> its ``direction_implied`` value, over every unit of ``text``."""
    units, _ = post_units(index, clean(text))
    return {c.claim_id: c.values[IMPLIED] for uf in units for c in unit_candidates(index, uf)}


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("This odd little movement sharpens your balance.", BALANCE),
        ("It strengthens the quadriceps like few other drills.", QUADS),
        ("Done daily, this workout burns extra calories.", CALORIES),
        ("Walking this way builds stronger quads.", QUADS),
        ("Its benefits for balance surprised the physios.", BALANCE),
    ],
)
def test_a_unit_that_refers_back_to_the_activity_may_make_the_claim(index, text: str, claim: str) -> None:  # type: ignore[no-untyped-def]
    found = candidates(index, text)
    assert found.get(claim) == 1.0, found


@pytest.mark.parametrize(
    "text",
    [
        # no activity at all, not even referred to
        "Good sleep sharpens your balance.",
        "Strong quadriceps protect the knee.",
        # forward or plain walking named: the post is about it
        "Forward walking is easy. It improves your balance too.",
        "Walking is great. It strengthens the quadriceps.",
        # another exercise
        "Squats are hard. This exercise strengthens the quadriceps.",
        "Lunges done slowly: this movement improves balance.",
    ],
)
def test_no_activity_forward_walking_or_another_exercise_makes_no_backward_claim(index, text: str) -> None:  # type: ignore[no-untyped-def]
    found = candidates(index, text)
    assert BALANCE not in found and QUADS not in found, found


def test_an_implied_direction_needs_the_claims_own_outcome(index) -> None:  # type: ignore[no-untyped-def]
    # "this movement" with an outcome of another claim (pain relief) is no balance claim
    assert BALANCE not in candidates(index, "This movement eases your aching joints.")


def test_backward_named_is_not_implied(index) -> None:  # type: ignore[no-untyped-def]
    found = candidates(index, "Walking backwards sharpens your balance. It also strengthens the quads.")
    assert found.get(BALANCE) == 0.0 and found.get(QUADS) == 0.0, found


def test_a_model_fitted_before_the_feature_weighs_it_zero(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import json

    from app.factcheck.scoring import load_model

    older = [f for f in FEATURES if f != "direction_implied"]
    path = tmp_path / "model.json"
    path.write_text(json.dumps({"features": older, "coef": [1.0] * len(older), "intercept": 0.0}))
    model = load_model(path)
    assert model["features"] == list(FEATURES)
    assert model["coef"][IMPLIED] == 0.0 and sum(model["coef"]) == len(older)
    path.write_text(
        json.dumps({"features": [*older, "no-such-feature"], "coef": [0.0] * 7, "intercept": 0.0})
    )
    with pytest.raises(ValueError):
        load_model.__wrapped__(path)


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # endurance as the capacity to keep an effort up
        ("a bigger engine means the capacity to maintain hard efforts", {"endurance"}, set()),
        ("their ability to sustain a fast pace", {"endurance"}, set()),
        ("time to exhaustion rose on the bike test", {"endurance"}, set()),
        # "sustain" alone is still an injury
        ("runners who sustain an injury", set(), {"endurance"}),
    ],
)
def test_endurance_as_exercise_physiology_words_it(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found


@pytest.mark.parametrize(
    ("text", "has", "lacks"),
    [
        # a rise in training said per week or in miles
        ("she kept increasing weekly mileage before the race", {"sudden-increase", "training-load"}, set()),
        ("are you increasing miles every week?", {"sudden-increase", "training-load"}, set()),
        ("doing too much, too soon", {"sudden-increase"}, set()),
        # a rise in something else is still no rise in training
        ("my weekly pain scores increased", set(), {"sudden-increase"}),
    ],
)
def test_a_rise_in_training_said_per_week_or_in_miles(text: str, has: set[str], lacks: set[str]) -> None:
    found = concept_ids(text)
    assert has <= found and not lacks & found, found
