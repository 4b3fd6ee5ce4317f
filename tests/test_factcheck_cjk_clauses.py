"""Japanese and Chinese sentences are cut into clauses for a match's span, stance, figures and
flags (at a Chinese comma, a Japanese 、 after a predicate, and the contrasts 但是 / 不过 / しかし /
けど / ですが...), through the API: a figure or a denial of one clause does not land on the claim
of the other, and spans stay in the client's characters."""

from __future__ import annotations

import pytest
from claimids import BACK, BALANCE, CALORIES, KNEE_PAIN, WEIGHT
from fastapi.testclient import TestClient
from helpers import flag_codes as codes
from helpers import post_matches as matches


def span_text(text: str, match: dict) -> str:
    span = match["matched_text"]
    assert text[span["start"] : span["end"]] == span["text"]  # the client's own characters
    return str(span["text"])


@pytest.mark.parametrize(
    "text",
    [
        "後ろ歩きは膝の痛みを和らげ、カロリーを2倍消費する",
        # decomposed voicing mark (NFD ざ) as some sources paste: offsets stay the client's
        "後ろ歩きはひさ\u3099の痛みを和らげ、カロリーを2倍消費します。",
    ],
)
def test_japanese_figure_is_checked_against_the_calorie_clause_only(
    seed_client: TestClient, text: str
) -> None:
    found = matches(seed_client, text)
    knee, calories = found[KNEE_PAIN], found[CALORIES]
    assert span_text(text, knee).startswith("後ろ歩きは")
    assert span_text(text, knee).endswith("和らげ")
    assert span_text(text, calories).startswith("カロリーを2倍消費")
    assert "figure-mismatch" in codes(calories)
    assert "figure-mismatch" not in codes(knee)
    assert not knee["unverified_figures"]  # 2倍 is not the knee claim's figure


@pytest.mark.parametrize(
    ("text", "first", "first_stance", "second", "second_stance"),
    [
        ("倒着走能缓解膝盖疼痛，但不能减肥", KNEE_PAIN, "asserts", WEIGHT, "denies"),
        ("倒着走能缓解膝盖疼痛，还能减肥", KNEE_PAIN, "asserts", WEIGHT, "asserts"),
        ("倒走不仅能缓解腰痛，而且可以改善平衡能力。", BACK, "asserts", BALANCE, "asserts"),
    ],
)
def test_chinese_clauses_have_their_own_stance(
    seed_client: TestClient, text: str, first: str, first_stance: str, second: str, second_stance: str
) -> None:
    found = matches(seed_client, text)
    a, b = found[first], found[second]
    assert (a["stance"], b["stance"]) == (first_stance, second_stance)
    assert span_text(text, a) in text.split("，")[0]
    assert span_text(text, b).lstrip("但还而且") in text.split("，")[1]


@pytest.mark.parametrize(
    "text",
    [
        "倒着走能治好膝盖疼痛，这是谣言",  # a verdict after the claim, with no claim words of its own
    ],
)
def test_a_trailing_verdict_still_governs_the_clause_before_it(seed_client: TestClient, text: str) -> None:
    knee = matches(seed_client, text)[KNEE_PAIN]
    assert knee["stance"] == "denies"
    assert span_text(text, knee) == text


def test_a_japanese_list_or_topic_comma_is_no_clause(seed_client: TestClient) -> None:
    text = "後ろ歩きは、膝の痛みを和らげる"
    knee = matches(seed_client, text)[KNEE_PAIN]
    assert span_text(text, knee) == text
