"""Every claim's own words make the claim: its statement and each curated phrasing of
data/claims.yaml, sent to ``POST /api/v1/factcheck`` (both backends), return that claim (among
the matches, at the cut-off of the score model).

The phrasings are how a curator says people make the claim, and the matcher's core, gates and
texts are built from them: one that the fact-check does not return is a way of making the claim
that the matcher reads as no claim (41 of 292 at main a97182a, e.g. "stroke survivors should try
walking backwards", "backward walking therapy for Parkinson's disease", "reverse treadmill walking
is harmless for most people"; after the gate of conditions and the concept terms of 2026-12-01, 19
with the model of a97182a and 12 with a refitted one: ``UNREAD``).

This module reads the shipped score model (app/factcheck/data/score-model.json): it passes with a
model refitted by ``scripts/fit_factcheck.py --extra tests/fixtures/factcheck-real`` on the code
and data it is committed with (the gates decide which rows the fit sees).
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from claimids import KNEE_OA, PARKINSONS, STROKE
from fastapi.testclient import TestClient
from helpers import DATA_DIR, claims_of

CLAIMS: list[dict[str, Any]] = yaml.safe_load((DATA_DIR / "claims.yaml").read_text(encoding="utf-8"))
CEREBRAL_PALSY = "backward-walking-improves-walking-in-cerebral-palsy"

# Phrasings no general rule reads yet (2026-12-01), each with what it lacks. Not strict: whether one
# of them reaches the cut-off anyway depends on the fitted model (a refit at 0f6fab9 put the cut-off at
# 0.2, and 7 of them then scored above it), not on a rule that reads it.
_VO2_NO_COMPARISON = (
    "names no comparison with walking forward, which the claim's core has (the forward gate: a change "
    "without one is the claim of a change, docs/factcheck.md)"
)
UNREAD = {
    "run backwards if your kneecaps can't take forward running": "no outcome: 'can't take' for a load",
    "backward walking at 2.5 mph on an incline feels like a jog": "no outcome: effort as 'feels like a jog'",
    "a 2004 study showed backward incline walking raises VO2 max": _VO2_NO_COMPARISON,
    "reverse treadmill walking at 2.5 mph on an incline improves VO2max": _VO2_NO_COMPARISON,
    "science says backward incline walking improves your VO2 max": _VO2_NO_COMPARISON,
    "walking and running backward for 6 weeks made women fitter": (
        "'fitter' is athletic performance; no VO2 max, no training word"
    ),
    "bigger quads take pressure off your knees": "no strengthening activity: 'bigger quads'",
    "your quads absorb the force so your knee doesn't have to": "no strengthening activity",
    "backwards incline walking won't hurt you": "safety said as injury denied: core coverage 0.37",
    "hold the handrails when you walk backward on a treadmill": (
        "advice without an outcome word (the claim's topics do not stand for it: only conditions do)"
    ),
    "keep the incline at zero until you get used to walking backwards": "advice without outcome or topic",
    "more oxygen uptake means you can train for longer": "'oxygen uptake' is energy cost, not VO2 max",
    "moving backwards helps your brain remember": "'moving' is no gait; 'remember' alone is no memory term",
    "take a few steps back to jog your memory": "'steps back' is not 'backward' (an idiom too)",
    "#ACLrecovery: reverse treadmill walking": "the hashtag splits as 'AC Lrecovery' (analyzer.camel_parts)",
    "athletes should train running backwards": "no outcome: athletes are a population, not a condition",
    # read apart from the claim since 87b02a6 (the labelled set never calls brain or cognition the
    # memory claim, nor "acl" alone knee surgery): the curated phrasings and the labels disagree
    "#retrowalking is good for your brain": "brain health read apart from memory (87b02a6)",
    "backwards walking improves cognition": "cognition read apart from memory (87b02a6)",
    "walking backward uphill is great for a reconstructed knee": "no outcome word; 'reconstructed knee' no surgery",
}
TEXTS = [
    pytest.param(
        claim["id"],
        text,
        id=f"{claim['id']}:{n}",
        marks=[pytest.mark.xfail(reason=UNREAD[text], strict=False)] if text in UNREAD else [],
    )
    for claim in CLAIMS
    for n, text in enumerate([claim["statement"], *claim.get("phrasings", ())])
]


def test_every_unread_phrasing_is_a_claims_phrasing() -> None:
    assert set(UNREAD) <= {p.values[1] for p in TEXTS}


@pytest.mark.parametrize(("claim_id", "text"), TEXTS)
def test_a_claims_statement_and_phrasings_return_the_claim(
    seed_client: TestClient, claim_id: str, text: str
) -> None:
    found = claims_of(seed_client, text)
    assert claim_id in found, found


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        # the activity recommended for a condition says it helps with it, as "improves" would
        ("My physio recommends backward treadmill walking for knee osteoarthritis.", KNEE_OA),
        ("Kids with cerebral palsy: try reverse walking on the treadmill.", CEREBRAL_PALSY),
        ("Retro walking after a stroke, twice a week.", STROKE),
        ("Backward walking sessions for people living with Parkinson's disease.", PARKINSONS),
    ],
)
def test_an_activity_named_for_a_condition_makes_the_claim_about_it(
    seed_client: TestClient, text: str, claim_id: str
) -> None:
    assert claims_of(seed_client, text)[:1] == [claim_id]
