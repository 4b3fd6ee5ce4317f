"""Recall on real wording: English hashtags in posts read through another language's concept
terms. Through the API (both backends) with the shipped data and score model, and on the reading
of a post (``check.post_units``). The sentences are written for these tests, not taken from the
labelled set."""

from __future__ import annotations

import re

import pytest
from claimids import KNEE_PAIN
from fastapi.testclient import TestClient
from helpers import claims_of


@pytest.mark.parametrize(
    "text",
    [
        "Caminar hacia atrás me quitó el dolor #kneepain",
        "Rückwärtsgehen hilft bei Schmerzen #kneepain #walkingbackwards",
        "Marcher à reculons soulage la douleur #kneepain",
    ],
)
def test_english_hashtags_count_in_a_post_read_through_its_language(  # type: ignore[no-untyped-def]
    seed_client: TestClient, index, text: str
) -> None:
    """A post in another language tags in English: "#kneepain" names knee pain there too."""
    from app.factcheck.check import clean, post_units

    units, lang = post_units(index, clean(text))
    assert lang["matched_by"] == "concepts"
    assert "knee-pain" in set().union(*(u.have | set(u.own) for u in units))
    assert claims_of(seed_client, text)[:1] == [KNEE_PAIN]


def test_a_hashtag_in_the_posts_language_is_read_as_before(index) -> None:  # type: ignore[no-untyped-def]
    from app.factcheck.check import clean, post_units

    units, _ = post_units(index, clean("Caminar hacia atrás me ayudó mucho #dolorderodilla"))
    assert "knee-pain" in units[0].own


def test_a_character_range_is_read_as_every_token_it_touches() -> None:
    """``Features.token_range``, the one reading of a character range as tokens: a hashtag's English
    term ("knee" at 1-5 of "#kneepain") is the hashtag's token; a ratio's range is its tokens."""
    from app.factcheck.analyzer import Features, Token

    text = "#kneepain 100 steps backward"
    tokens = [
        Token(m.group().lower(), m.group().lower(), m.start(), m.end()) for m in re.finditer(r"\w+", text)
    ]
    feats = Features({}, tokens)
    assert feats.token_range(1, 5) == (0, 1)  # inside one token
    assert feats.token_range(10, 28) == (1, 4)  # whole tokens
    assert feats.token_range(11, 16) == (1, 3)  # starts and ends inside tokens
    assert feats.token_range(9, 10) is None  # a space
