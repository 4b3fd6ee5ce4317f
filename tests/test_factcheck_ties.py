"""Ties in the ranking (issue 14: "No ties decided by claim id: ties are broken by evidence in the
post, and a near-tie is reported as ambiguous"). ``scoring.rank`` orders by score, then by the
linear predictor z, the weight of the post's words the claim accounts for and the cosine, never by
the claim's id; two accepted claims of one unit within ``near_tie`` are marked ambiguous with each
other. A calibration map that gives every candidate the same score makes every pair a tie in
score, so what decides the order is visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from app.factcheck.check import analyse
from app.factcheck.scoring import Candidate, _rank_order, load_model
from app.settings import Settings

# One clause that three claims compete for (calories, energy cost, weight loss), and the same two
# claims said in two sentences of their own.
ONE_CLAUSE = "walking backwards burns more calories than walking forwards"
TWO_SENTENCES = "Walking backwards improves balance. Backwards walking also burns more calories."


@pytest.fixture(scope="module")
def index(seed_sqlite: Settings) -> Iterator[Any]:
    from app.db import Database
    from app.factcheck.index import get_index
    from app.store import Store

    store = Store(Database(seed_sqlite))
    yield get_index(store)
    store.db.dispose()


def _flat(score: float = 0.9, near_tie: float = 0.03) -> dict[str, Any]:
    """The shipped model with a calibration map that scores every candidate ``score``."""
    model = load_model()
    flat = {"z": [-100.0, 100.0], "p": [score, score]}
    return {**model, "calibration": flat, "thresholds": {"text": 0.5, "concepts": 0.5}, "near_tie": near_tie}


def test_equal_scores_are_ordered_by_the_evidence_never_by_the_claim_id(index: Any) -> None:
    """A linear predictor that prefers the farther claim text (the cosine weighed -1, the other
    features 0) orders the claims against their ids' order here, whatever a refit of the shipped
    model's weights makes of this post."""
    model = {**_flat(), "coef": [0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0], "intercept": 0.0}
    ranked, _ = analyse(index, ONE_CLAUSE, model)
    assert len(ranked) >= 3 and len({c.score for c in ranked}) == 1  # every score tied
    assert [c.z for c in ranked] == sorted((c.z for c in ranked), reverse=True)
    ids = [c.claim_id for c in ranked]
    assert ids != sorted(ids)  # the evidence's order is not the ids' (else this shows nothing)
    # the first claims shown (``rank(top=...)``, found without scoring every candidate) agree
    for top in (1, 2, 3):
        shown, _ = analyse(index, ONE_CLAUSE, model, top=top)
        assert [c.claim_id for c in shown] == ids[:top]


def test_a_tie_in_score_and_z_goes_to_the_claim_with_more_of_the_post_then_the_nearer_text() -> None:
    def cand(claim_id: str, mass: float, cosine: float) -> Candidate:
        values = [1.0, 1.0, 0.0, cosine, 0.5, 1.0, 0.0]
        return Candidate(claim_id, None, values, set(), mass, score=0.8, z=1.5)  # type: ignore[arg-type]

    # ids in the opposite order of the evidence: "a-" would win a tie decided by id
    tied = [cand("a-less-of-the-post", 2.0, 0.9), cand("b-more-of-the-post", 3.0, 0.5)]
    assert [c.claim_id for c in sorted(tied, key=_rank_order)] == ["b-more-of-the-post", "a-less-of-the-post"]
    tied = [cand("a-farther-text", 3.0, 0.5), cand("b-nearer-text", 3.0, 0.9)]
    assert [c.claim_id for c in sorted(tied, key=_rank_order)] == ["b-nearer-text", "a-farther-text"]


def test_a_near_tie_in_one_unit_is_reported_as_ambiguous(index: Any) -> None:
    ranked, _ = analyse(index, ONE_CLAUSE, _flat())
    accepted = [c for c in ranked if c.score >= 0.5]
    for c in accepted:  # every two accepted claims of the one clause, not only neighbours
        assert sorted(c.ambiguous_with) == sorted(o.claim_id for o in accepted if o is not c)
    # outside the margin, no tie
    ranked, _ = analyse(index, ONE_CLAUSE, _flat(near_tie=0.0))
    assert all(c.ambiguous_with == [] for c in ranked)


def test_claims_of_two_sentences_are_not_ambiguous_with_each_other(index: Any) -> None:
    """Tied in score but made by different sentences: the post makes both, no competing readings."""
    ranked, _ = analyse(index, TWO_SENTENCES, _flat())
    by_id = {c.claim_id: c for c in ranked}
    balance, calories = (
        by_id["backward-walking-improves-balance"],
        by_id["backward-walking-burns-more-calories"],
    )
    assert balance.score == calories.score and balance.unit is not calories.unit
    assert calories.claim_id not in balance.ambiguous_with and balance.claim_id not in calories.ambiguous_with
