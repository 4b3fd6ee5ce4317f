"""A denial or a question is matched as well as the assertion it denies or asks about (issue 14's
stance point): the words that state the post's stance ("won't", "doesn't", "no evidence") are no
part of the unit a claim could explain. The sentences are written for these tests, not taken from
the labelled set."""

from __future__ import annotations

import pytest

from app.factcheck.stance import negation_cues as stance_words

KNEE_PAIN = "backward-walking-relieves-everyday-knee-pain"
CALORIES = "backward-walking-burns-more-calories"
UNIT_SHARE = 4  # scoring.FEATURES.index("unit_share")


@pytest.fixture(scope="module")
def store(seed_settings):  # type: ignore[no-untyped-def]
    from app.db import Database
    from app.store import Store

    store = Store(Database(seed_settings))
    yield store
    store.db.dispose()


@pytest.fixture(scope="module")
def index(store):  # type: ignore[no-untyped-def]
    from app.factcheck.index import get_index

    return get_index(store)


def unit_share(index, text: str, claim_id: str) -> float:  # type: ignore[no-untyped-def]
    """The claim's ``unit_share`` in the one unit of ``text``."""
    from app.factcheck.check import clean, post_units
    from app.factcheck.scoring import unit_candidates

    units, _ = post_units(index, clean(text))
    assert len(units) == 1
    found = {c.claim_id: c.values[UNIT_SHARE] for c in unit_candidates(index, units[0])}
    return found[claim_id]


def test_stance_words_are_the_negation_and_verdict_cues() -> None:
    text = "Walking backwards won't ease knee pain; it's a myth."
    assert [text[a:b] for a, b in stance_words(text)] == ["won't", "myth"]
    assert stance_words("Not only does it ease knee pain, it burns calories.") == []


@pytest.mark.parametrize(
    ("denied", "asserted", "claim_id"),
    [
        (
            "Retro walking won't be the fix for your knee.",
            "Retro walking is the fix for your knee.",
            KNEE_PAIN,
        ),
        ("Walking backwards doesn't ease knee pain.", "Walking backwards eases knee pain.", KNEE_PAIN),
        (
            "Reverse walking isn't going to burn more calories than walking forward.",
            "Reverse walking is going to burn more calories than walking forward.",
            CALORIES,
        ),
    ],
)
def test_a_denial_explains_as_much_of_its_unit_as_the_assertion(  # type: ignore[no-untyped-def]
    index, denied: str, asserted: str, claim_id: str
) -> None:
    assert unit_share(index, denied, claim_id) == pytest.approx(unit_share(index, asserted, claim_id))
