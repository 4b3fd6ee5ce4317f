"""Figures that compare like with like (issue 14), second part: ratios and multipliers in more
languages and constructions (laps, "one single lap", "is like", "worth more than", Indonesian
number words, Japanese and Chinese ratios), and a change within one group said as a difference
from walking forward. Example sentences are the project's own, not the labelled set's."""

from __future__ import annotations

from typing import Any

import pytest
from claimids import CALORIES, ENERGY
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import match_for

PREDICTED = "backward-training-raises-predicted-vo2max"


def mismatches(match: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in match["flags"] if f["code"] == "figure-mismatch"]


@pytest.mark.parametrize(
    ("text", "change", "hedge"),
    [
        # a lap as the count's unit, "one single" before it, "is like" in Italian and Spanish
        ("Un solo giro all'indietro è come fare quattro giri in avanti.", 300.0, None),
        ("Una sola vuelta hacia atrás es como cinco vueltas hacia adelante.", 400.0, None),
        ("A single lap backwards is like four laps forward.", 300.0, None),
        # "is worth more than", "valen más que", "valem por"
        ("Ten steps backward are worth more than 100 steps forward.", 900.0, "at-least"),
        ("Dez passos para trás valem por cem passos para a frente.", 900.0, None),
        # Indonesian number words before "kali lipat" (times), with a hedge ("hampir": nearly)
        ("Berjalan mundur membakar hampir tiga kali lipat kalori.", 200.0, "about"),
        # Japanese: "five minutes of walking backward equal fifteen of ordinary walking"; 程 is a hedge
        ("後ろ歩き5分で普通のウォーキングの15分に相当します。", 200.0, None),
        ("後ろ向きに歩くと30分で前向きの60分程に相当する。", 100.0, "about"),
        # Chinese: "50 steps backward equal 200 forward", numerals in characters too
        ("倒着走50步等于正着走200步。", 300.0, None),
        ("倒走十分钟相当于正走三十分钟。", 200.0, None),
        # the direction before the count
        ("Walking backwards for 50 steps burns as many calories as walking forwards for 500 steps.", 900.0, None),
        ("Walking backward one lap burns as many calories as four laps forward.", 300.0, None),
        # a comparison: at least that much ("more than", "valen más que", 胜过)
        ("Diez pasos hacia atrás valen más que cien pasos hacia adelante.", 900.0, "at-least"),
        ("倒着走一百步胜过向前走一千步。", 900.0, "at-least"),
    ],
)  # fmt: skip
def test_ratios_and_multipliers_in_more_constructions(text: str, change: float, hedge: str | None) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    assert (figure.quantity, round(figure.value, 1), figure.hedge) == ("percent-change", change, hedge)


def test_a_cjk_ratio_needs_walking_backward_before_it() -> None:
    """Without a word for walking backward before it, two durations are no ratio of directions."""
    from app.factcheck.figures import post_figures

    assert post_figures("ジョギング10分で普通のウォーキングの20分に相当します。") == []


@pytest.mark.parametrize(
    "text",
    [
        "Una sola vuelta caminando hacia atrás quema las mismas calorías que cinco vueltas hacia adelante.",
        "Berjalan mundur membakar tiga kali lipat kalori dibanding berjalan biasa.",
        "後ろ歩き5分で普通のウォーキングの15分に相当するカロリーを消費します。",
        "倒着走50步消耗的热量等于正着走200步。",
    ],
)
def test_ratios_in_other_languages_are_flagged_against_the_extra_effort(
    seed_client: TestClient, text: str
) -> None:
    flag = mismatches(match_for(check(seed_client, text), CALORIES, ENERGY))[0]
    assert flag["evidence_shows"] == "17–20%"


def test_a_change_within_one_group_said_against_walking_forward(seed_client: TestClient) -> None:
    """Terblanche 2005's 5.2% is a change within the trained group, with no forward-training arm
    (review-2026-11, section 2): "5.2% more than regular walking" gives it for a comparison the
    study did not make, as "2.4% of body weight" gives a body-fat figure for another measure."""
    text = "Six weeks of backward running raised predicted VO2 max 5.2% more than regular walking did."
    (flag,) = mismatches(match_for(check(seed_client, text), PREDICTED))
    assert flag["post_says"] == "5.2%" and "another comparison" in flag["message"]
    # the study's own comparison: consistent, neither flagged nor listed
    plain = match_for(
        check(seed_client, "Six weeks of backward running raised predicted VO2 max by 5.2%."), PREDICTED
    )
    assert not mismatches(plain)
    assert "5.2%" not in {u["post_says"] for u in plain["unverified_figures"]}
    # another value against walking forward: no like-for-like figure, listed with the reason
    other = match_for(
        check(
            seed_client,
            "Six weeks of backward running raised predicted VO2 max 9% more than regular walking did.",
        ),
        PREDICTED,
    )
    assert not mismatches(other)
    (listed,) = [u for u in other["unverified_figures"] if u["post_says"] == "9%"]
    assert "another comparison" in listed["note"]


def test_equal_counts_compared_are_no_contradiction(seed_client: TestClient) -> None:
    """ "30 minutes backward burn more calories than 30 minutes forward" says more, not the same:
    a ratio said as a comparison is at least its counts' ratio (here at least +0%), so it is not
    flagged against the 17-20% extra effort (it was, as a 0% change)."""
    text = "30 minutes of backward walking burns more calories than 30 minutes forward."
    match = match_for(check(seed_client, text), CALORIES, ENERGY)
    assert not mismatches(match)
    assert any(u["quantity"] == "percent-change" for u in match["unverified_figures"])
    # as many as ten times the steps: flagged
    text = "Walking backwards for 50 steps burns as many calories as walking forwards for 500 steps."
    assert mismatches(match_for(check(seed_client, text), CALORIES, ENERGY))
