"""Question forms that hid a claim's words from the matcher (issue 14, stance of denials and
questions, 2026-12-01). French inversion joins the subject pronoun to the verb with a hyphen
("aide-t-il", "soulage-t-elle") and puts an emphasis adverb after the verb ("vraiment",
"réellement"), so the question "Marcher à reculons aide-t-il vraiment vos genoux ?" no longer
held the term "aide vos genoux" that its statement holds, and returned nothing. The words are
read across (``Analyzer._inserted``); the question still asks, the emphatic statement asserts.
Through the API. The sentences are written for these tests, not taken from the labelled set (the
forms checked on stored pages: "Le repos soulage-t-il la douleur ?", "Marcher chaque jour fait-il
vraiment perdre du poids ?", "La marche est-elle réellement efficace ...")."""

from __future__ import annotations

import pytest
from claimids import KNEE_PAIN, WEIGHT
from fastapi.testclient import TestClient
from helpers import stance_of


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Marcher à reculons aide-t-il vos genoux ?", KNEE_PAIN),
        ("La marche à reculons soulage-t-elle vraiment les genoux ?", KNEE_PAIN),
        ("Le rétro-walking soulage-t-il les genoux ?", KNEE_PAIN),
    ],
)
def test_a_french_inverted_question_is_matched_and_asks(client: TestClient, text: str, claim: str) -> None:
    assert stance_of(client, text, claim) == "asks"


def test_an_emphasis_adverb_after_the_verb_keeps_the_term(client: TestClient) -> None:
    assert stance_of(client, "Marcher à reculons aide réellement vos genoux.", KNEE_PAIN) == "asserts"


def test_an_inverted_question_with_a_whole_term_still_asks(client: TestClient) -> None:
    # a term the inversion does not cut ("perdre du poids") matched before and still does
    assert stance_of(client, "Marcher à reculons aide-t-il à perdre du poids ?", WEIGHT) == "asks"
