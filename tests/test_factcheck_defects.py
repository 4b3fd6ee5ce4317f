"""Known fact-check defects of the 2026-12-01 review, each through the API on both backends: two
claims that share one verb each keep their own words; figures are quoted whole; durations are
held to the studies' durations; ages read as a population; an anecdote claims no population; the
comparator's gait is checked; a benefit for falls is no denial of the safety claim; a certainty
sentence after a claim overclaims it; "≠" denies a ratio."""

from __future__ import annotations

import pytest
from claimids import BALANCE, MEMORY
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body


def matches(client: TestClient, text: str) -> dict[str, dict]:
    return claim_matches(factcheck_body(client, text))


# --- 1. two claims sharing one verb ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "balance", "memory"),
    [
        (
            "Backward walking improves balance, and it improves memory too",
            "Backward walking improves balance",
            "and it improves memory too",
        ),
        ("Backward walking improves balance and memory", "Backward walking improves balance", "and memory"),
        ("Backward walking improves memory and balance", "and balance", "Backward walking improves memory"),
    ],
)
def test_two_claims_sharing_a_verb_each_carry_their_own_clause(
    seed_client: TestClient, text: str, balance: str, memory: str
) -> None:
    found = matches(seed_client, text)
    assert found[BALANCE]["matched_text"]["text"] == balance
    assert found[MEMORY]["matched_text"]["text"] == memory
    for claim_id in (BALANCE, MEMORY):
        span = found[claim_id]["matched_text"]
        assert text[span["start"] : span["end"]] == span["text"]
        assert found[claim_id]["ambiguous_with"] == []  # each has its own outcome word
        assert found[claim_id]["stance"] == "asserts"


def test_a_shared_negation_still_denies_both_nouns(seed_client: TestClient) -> None:
    found = matches(seed_client, "Backward walking doesn't improve balance and memory")
    assert found[BALANCE]["stance"] == found[MEMORY]["stance"] == "denies"
    assert found[MEMORY]["matched_text"]["text"] == "and memory"


def test_claims_sharing_a_verb_and_a_population_keep_the_sentence_but_are_no_tie(
    seed_client: TestClient,
) -> None:
    """The words "in older adults" qualify both nouns: each span keeps it (and its population flag), and the
    two claims, each with its own outcome word, are not marked ambiguous with each other."""
    text = "Backward walking improves balance and memory in older adults"
    found = matches(seed_client, text)
    for claim_id in (BALANCE, MEMORY):
        assert found[claim_id]["matched_text"]["text"] == text
        assert found[claim_id]["ambiguous_with"] == []
        assert "population-mismatch" in {f["code"] for f in found[claim_id]["flags"]}


# --- 2. a figure is quoted whole --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("100 steps backward = 1,000 steps forward", "100 steps backward = 1,000 steps forward"),
        ("Walking 100 backward steps = 1000 forwards", "100 backward steps = 1000 forwards"),
        ("Walking backwards burns 2-fold more calories than walking forward", "2-fold more"),
        ("Walking backward burns twice as many calories as walking forward", "twice as many"),
        ("Ходьба задом наперед сжигает в три раза больше калорий, чем обычная ходьба.", "в три раза больше"),
    ],
)
def test_a_figure_flag_quotes_the_whole_figure_phrase(seed_client: TestClient, text: str, says: str) -> None:
    found = matches(seed_client, text)
    flags = [f for m in found.values() for f in m["flags"] if f["code"] == "figure-mismatch"]
    assert flags
    for flag in flags:
        assert flag["post_says"] == says == text[flag["span"]["start"] : flag["span"]["end"]]
