"""Recall on real wording: the joints a force acts on, the back's pain named with another part's,
and endurance as lasting longer in the languages read through concepts. On the reading of a post (``check.post_units``, ``check.analyse``) with the shipped data
and score model. The sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BACK
from helpers import post_features

PF_FORCE = "backward-running-reduces-patellofemoral-force"


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards puts less load on your joints.",
        "Caminar hacia atrás es menos agresivo con las articulaciones.",
        "La marche à reculons réduit la charge sur les articulations.",
        "Rückwärtslaufen bedeutet eine geringere Belastung der Gelenke.",
        "Camminare all'indietro riduce il carico sulle articolazioni.",
        "Andar para trás gera menor impacto nas articulações.",
        "Podczas biegania tyłem stawy są dużo mniej obciążone.",
    ],
)
def test_less_load_on_the_joints_is_the_joint_force_claim(index, text: str) -> None:  # type: ignore[no-untyped-def]
    """The joints a force acts on are the body part of the claim whose own texts name a joint (the
    patellofemoral joint): its gate passes and it is the first candidate."""
    from app.factcheck.check import analyse, clean

    candidates, _ = analyse(index, clean(text))
    assert candidates and candidates[0].claim_id == PF_FORCE, [c.claim_id for c in candidates[:3]]


def test_the_joints_are_not_the_knee(index) -> None:  # type: ignore[no-untyped-def]
    """Joints alone do not name the knee: a claim about knee pain needs the knee or joint pain."""
    have = post_features(index, "Walking backwards is good for joints and muscles.")
    assert "joint" in have and not {"knee", "knee-pain"} & have


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards can also help relieve back and knee pain.",
        "Retro walking eases knee and back pain.",
        "Caminar hacia atrás alivia el dolor de rodillas y espalda.",
    ],
)
def test_back_pain_named_with_another_parts_pain(index, text: str) -> None:  # type: ignore[no-untyped-def]
    from app.factcheck.check import analyse, clean

    assert "back-pain" in post_features(index, text)
    candidates, _ = analyse(index, clean(text))
    assert BACK in [c.claim_id for c in candidates[:3]]


@pytest.mark.parametrize(
    "text",
    [
        "Mit einer hohen VO2max kannst du länger durchhalten.",
        "Osoby z wyższym VO2max mogą biec dłużej.",
        "Con un VO2max alto puedes correr durante más tiempo.",
        "Con un VO2max elevato si corre più a lungo.",
        "VO2maxが高いと長く走れる。",
    ],
)
def test_lasting_longer_is_endurance_in_other_languages(index, text: str) -> None:  # type: ignore[no-untyped-def]
    """Endurance as an effort that lasts longer, as the English terms have it ("run longer",
    "exercise for longer"): the claim that a higher VO2 max means longer exercise is a candidate."""
    from app.factcheck.check import analyse, clean

    assert "endurance" in post_features(index, text)
    candidates, _ = analyse(index, clean(text))
    assert "higher-vo2max-means-longer-exercise" in [c.claim_id for c in candidates[:2]]
