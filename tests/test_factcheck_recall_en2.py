"""Recall on English wording (issue 14): concept terms for what a claim's evidence is about, said
as people and exercise physiology say it. The sentences are written for these tests, not taken
from the labelled set."""

from __future__ import annotations

import functools

import pytest
import yaml
from helpers import DATA_DIR

from app.factcheck.analyzer import Analyzer, ConceptDef


@functools.cache
def _analyzer() -> Analyzer:
    items = yaml.safe_load((DATA_DIR / "concepts.yaml").read_text(encoding="utf-8"))
    return Analyzer([ConceptDef(c["id"], c["kind"], tuple(c["terms"]), c.get("group")) for c in items])


def concept_ids(text: str) -> set[str]:
    """The features data/concepts.yaml's English terms find in ``text``."""
    return set(_analyzer().features(text).names())


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
