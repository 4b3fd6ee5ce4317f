"""Figures that compare like with like (issue 14), through the API: each typing rule (words and
units in the languages the matcher reads, ratios, ranges, hedges, counts), and no flag on figures
that are close to the evidence but consistent with it, or that are not the studies' results."""

from __future__ import annotations

from typing import Any

import pytest
from claimids import CALORIES, ENERGY, KNEE_OA, WEIGHT
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import match_for

TRAINING = "sudden-training-increases-cause-knee-pain"


def mismatches(match: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in match["flags"] if f["code"] == "figure-mismatch"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        # a ratio in words, in Spanish: one hour backward = four forward (+300%)
        ("Una hora caminando hacia atrás quema las mismas calorías que cuatro andando hacia delante.",
         "Una hora caminando hacia atrás quema las mismas calorías que cuatro andando hacia delante"),
        # a German ratio with a count grouped by a dot (1.000 is a thousand steps, not one)
        ("100 Schritte rückwärts verbrennen so viele Kalorien wie 1.000 Schritte vorwärts.",
         "100 Schritte rückwärts verbrennen so viele Kalorien wie 1.000 Schritte vorwärts"),
        ("Rückwärtsgehen verbrennt das 3-fache an Kalorien im Vergleich zum Vorwärtsgehen.", "3-fache"),
        ("Caminar hacia atrás quema un 300 por ciento más de calorías que caminar hacia delante.",
         "300 por ciento"),
        ("Rückwärtsgehen verbraucht um 150 Prozent mehr Energie als Vorwärtsgehen.", "150 Prozent"),
        ("La marche à reculons consomme 150 % d’énergie en plus que la marche normale.", "150 %"),
        ("Ходьба задом наперед сжигает в три раза больше калорий, чем обычная ходьба.", "в три раза больше"),
    ],
)  # fmt: skip
def test_figures_in_words_and_other_languages_are_checked(
    seed_client: TestClient, text: str, says: str
) -> None:
    match = match_for(check(seed_client, text), CALORIES, ENERGY)
    flag = mismatches(match)[0]
    assert flag["post_says"] == says and flag["evidence_shows"] == "17–20%"
    assert text[flag["span"]["start"] : flag["span"]["end"]] == says
    # the message says why: what 17-20% higher effort admits, whichever way it is read
    assert "that is 17% to about 67% more effort, not " in flag["message"]


@pytest.mark.parametrize(
    "text",
    [
        "Walking backward burns more than 10% more calories than walking forward.",  # open above
        "Walking backward takes 10-30% more energy than walking forward.",  # a range reaching 17-20%
    ],
)
def test_a_hedged_figure_or_range_that_reaches_the_evidence_is_not_a_mismatch(
    seed_client: TestClient, text: str
) -> None:
    body = check(seed_client, text)
    match = match_for(body, CALORIES, ENERGY)
    assert not [f for m in body["matches"] for f in mismatches(m)]
    (listed,) = match["unverified_figures"]
    assert "only partly inside the evidence: 17–20%" in listed["note"]
    # a hedge does not excuse a figure that no reading of it brings near the evidence
    far = "Research shows walking backwards burns more than double the calories of walking forward"
    assert mismatches(match_for(check(seed_client, far), CALORIES, ENERGY))[0]["post_says"] == "double"


def test_a_change_of_training_is_a_condition_not_a_result(seed_client: TestClient) -> None:
    # the 10% rule's progression against the studies' exposure (a 20-60% weekly increase) and their
    # risk difference: neither is a contradiction
    match = match_for(check(seed_client, "A 10% weekly mileage increase keeps runners' knees safe from injury."),
                      TRAINING)  # fmt: skip
    assert not mismatches(match)
    (listed,) = match["unverified_figures"]
    assert listed["quantity"] == "training-change" and "a condition the studies compared" in listed["note"]


def test_the_studys_own_figure_is_not_its_misreading(seed_client: TestClient) -> None:
    # Terblanche's misreading says "2.5 percent of their body weight"; 2.4% body fat is the finding
    match = match_for(check(seed_client, "A study found women who ran backward for six weeks lost 2.4% body fat."),
                      WEIGHT)  # fmt: skip
    assert not [f for f in match["flags"] if f["code"] in ("misdescribed-study", "figure-mismatch")]
    assert not [u for u in match["unverified_figures"] if "misreading" in u.get("note", "")]


def test_a_misreading_needs_a_study(seed_client: TestClient) -> None:
    # "burns more calories" is the claim itself; a post that speaks of no study misdescribes none
    match = match_for(check(seed_client, "Walking backwards burns nearly 30 percent more calories than forward."),
                      CALORIES)  # fmt: skip
    assert not [f for f in match["flags"] if f["code"] == "misdescribed-study"]
    assert "not a like-for-like figure" in match["unverified_figures"][0]["note"]


@pytest.mark.parametrize(
    ("text", "note"),
    [
        ("One week of backward walking eases knee osteoarthritis pain.", "not said of a study"),
        # (not 2021: Chen et al. 2021, a study of the claim, ran 4 weeks; its ``duration`` is read)
        ("A 2015 trial found that 4 weeks of retro walking eases knee osteoarthritis pain.",
         "said of a study of 2015"),
    ],
)  # fmt: skip
def test_a_design_figure_is_held_to_the_studies_only_when_it_describes_them(
    seed_client: TestClient, text: str, note: str
) -> None:
    match = match_for(check(seed_client, text), KNEE_OA)
    assert not mismatches(match)
    assert note in match["unverified_figures"][0]["note"]
    # the same figure said of a study of the claim's is checked (not by its year, 2019: a 2019
    # review of the claim pooled 2-4 weeks, and holds it)
    body = check(
        seed_client, "A trial by Alghadir found that 4 weeks of retro walking eases knee osteoarthritis pain."
    )
    assert mismatches(match_for(body, KNEE_OA))[0]["post_says"] == "4 weeks"
    # a year cites a study as the word does: 200 people against Hooper 2004's sample
    body = check(
        seed_client,
        "In 2004, 200 people walking backward on a treadmill used more energy than walking forward.",
    )
    assert mismatches(match_for(body, ENERGY))[0]["post_says"] == "200 people"


@pytest.mark.parametrize(
    ("text", "typed"),
    [
        ("at 107.2 m/min", ("speed", 4.0, None)),
        ("a 20-minute mile", ("speed", 3.0, None)),
        ("4 kph", ("speed", 2.5, None)),  # each unit passes the pattern's quick gate (figures._GATES)
        ("seis semanas", ("duration-program", 42.0, None)),
        ("15-20 minuti al giorno", ("duration-session", 15.0, 20.0)),
        ("by 17 percent to 20 percent", ("percent-change", 17.0, 20.0)),
        ("um 30 bis 40 Prozent mehr", ("percent-change", 30.0, 40.0)),
        ("A study of 1.500 participants", ("sample-size", 1500.0, None)),
        ("100 pas en arrière équivalent à 1 000 pas en avant", ("percent-change", 900.0, None)),
        ("There is no evidence that 100 backward steps can replace 1,000 forward steps",
         ("percent-change", 900.0, None)),
        ("вдвое больше калорий", ("percent-change", 100.0, None)),
        ("burns twenty-five percent more calories", ("percent-change", 25.0, None)),  # not 20 to 5
        ("it is 3 times harder", ("percent-change", 200.0, None)),
        ("un tiers de calories en plus", ("percent-change", 33.3, None)),
        ("ein Drittel weniger Druck auf das Knie", ("percent-change", -33.3, None)),
        # Japanese and Chinese: no spaces, 倍 is "times"; a digit before the number belongs to it
        ("ウォーキングと比べて2倍の運動量", ("percent-change", 100.0, None)),
        ("倒着走消耗的热量是正着走的两倍", ("percent-change", 100.0, None)),
        ("消費カロリーは1.5倍", ("percent-change", 50.0, None)),
        ("12倍", ("percent-change", 1100.0, None)),
        ("カロリー消費が倍増", ("percent-change", 100.0, None)),
    ],
)  # fmt: skip
def test_typing_rules(text: str, typed: tuple[str, float, float | None]) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    high = None if figure.high is None else round(figure.high, 1)
    assert (figure.quantity, round(figure.value, 1), high) == typed


@pytest.mark.parametrize(
    ("text", "hedge"),
    [("nearly 30 percent more", "about"), ("más del doble", "at-least"), ("no more than 10% more", "at-most"),
     ("fast 30 Prozent mehr", "about"), ("up to 2-fold", None), ("約2倍", "about"), ("2倍以上", "at-least"),
     ("两倍左右", "about"), ("3倍", None)],
)  # fmt: skip
def test_hedges(text: str, hedge: str | None) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    assert figure.hedge == hedge


def test_words_that_are_not_figures() -> None:
    from app.factcheck.figures import post_figures

    assert post_figures("more time in double support, a double-task test, doble tarea") == []
    assert post_figures("10 лет назад это было как 5 шагов вперед") == []  # "back" as "ago": no ratio
    assert post_figures("倍数と１．５倍") == []  # "multiple"; a full-width decimal is not read in part


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards doesn't burn twice the calories.",
        "Backward walking doesn't burn twice the calories, more like 20% more.",
        "No, walking backward does not burn three times as many calories as walking forward.",
    ],
)
def test_denying_an_exaggerated_figure_is_not_denying_the_claim(seed_client: TestClient, text: str) -> None:
    """A post that denies a figure the evidence contradicts ("twice the calories", against 17-20%
    more effort) is right: no denies-supported flag on it (found by a new user's trial)."""
    matches = check(seed_client, text)["matches"]
    energy = [m for m in matches if m["claim"]["id"] in (CALORIES, ENERGY)]
    assert energy, matches
    for match in energy:
        assert "denies-supported" not in {f["code"] for f in match["flags"]}, match["flags"]


def test_an_amount_of_energy_is_reported_as_unverified(seed_client: TestClient) -> None:
    """ "Burns 500 calories" is a figure the record has no counterpart for: listed as unverified,
    never silently passed over nor flagged (found by a new user's trial)."""
    text = "Walking backwards on a treadmill burns 500 calories more than walking forward!"
    match = match_for(check(seed_client, text), CALORIES, ENERGY)
    assert not mismatches(match)
    said = {(u["post_says"], u["quantity"]) for u in match["unverified_figures"]}
    assert ("500 calories", "energy-amount") in said


@pytest.mark.parametrize(
    "text",
    [
        "倒着走比正着走多消耗400%的卡路里。",  # a number right after a Chinese word, the change before it
        "後ろ向きに歩くと、前向きに歩くより400%多くカロリーを消費します。",  # 多く after it
        "Berjalan mundur membakar kalori 400% lebih banyak.",
        "पीछे की ओर चलने से 400% ज़्यादा कैलोरी बर्न होती है।",
    ],
)
def test_percent_changes_in_chinese_japanese_indonesian_and_hindi_are_checked(
    seed_client: TestClient, text: str
) -> None:
    flag = mismatches(match_for(check(seed_client, text), CALORIES, ENERGY))[0]
    assert flag["post_says"] == "400%" and flag["evidence_shows"] == "17–20%"
    # a multiplier in Indonesian too
    flag = mismatches(
        match_for(check(seed_client, "Berjalan mundur membakar 2 kali lipat kalori."), CALORIES, ENERGY)
    )[0]
    assert flag["post_says"] == "2 kali lipat"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Walking backwards burns 2× the calories", "2×"),  # the multiplication sign
        ("Walking backwards burns 3× more calories", "3× more"),
        ("Walking backwards burns 200% of the calories", "200%"),  # a level above all of it: +100%
        ("Walking backwards burns 2x the calories", "2x"),  # the quote stops at the figure
        ("Walking backwards burns 3 times the calories", "3 times"),
    ],
)
def test_multipliers_with_a_sign_or_a_level_are_checked_and_quoted_alone(
    seed_client: TestClient, text: str, says: str
) -> None:
    flag = mismatches(match_for(check(seed_client, text), CALORIES, ENERGY))[0]
    assert flag["post_says"] == says and flag["message"].startswith(f"The post says {says};")


def test_a_fraction_in_digits_is_a_share(seed_client: TestClient) -> None:
    match = match_for(check(seed_client, "Walking backwards burns 1/3 more calories"), CALORIES, ENERGY)
    (listed,) = match["unverified_figures"]  # a third more: inside what 17-20% higher effort admits
    assert listed["post_says"] == "1/3 more" and listed["quantity"] == "percent-change"


def test_a_change_the_other_way_from_the_evidence_contradicts_it(seed_client: TestClient) -> None:
    text = "Six weeks of backward walking and running lowered VO2 max by 5.2%."
    match = match_for(check(seed_client, text), "backward-training-raises-predicted-vo2max")
    (flag,) = mismatches(match)
    assert flag["post_says"] == "5.2%" and "a fall where the evidence shows a rise" in flag["message"]
    # a fall of calories is not "not contradicted" by a rise; the post denies the claim
    body = check(seed_client, "Walking backward burns 20% fewer calories than walking forward.")
    for match in body["matches"]:
        assert not [u for u in match["unverified_figures"] if "not contradicted" in u.get("note", "")]
    assert "denies-supported" in {f["code"] for f in match_for(body, ENERGY)["flags"]}
    # a unit no evidence figure has is listed, not passed silently
    text = "Six weeks of backward walking and running raised VO2 max by 5.2 ml/kg/min."
    match = match_for(check(seed_client, text), "backward-training-raises-predicted-vo2max")
    assert "5.2 ml/kg/min" in [u["post_says"] for u in match["unverified_figures"]]


def test_a_sample_size_is_held_to_the_study_the_post_names(seed_client: TestClient) -> None:
    text = "A 2004 study of 200 women found backward walking improves VO2 max more than forward walking."
    match = match_for(check(seed_client, text), "backward-walking-improves-vo2max-more-than-forward")
    (flag,) = mismatches(match)
    (misread,) = [f for f in match["flags"] if f["code"] == "misdescribed-study"]
    assert flag["post_says"] == "200 women" and flag["study"] == misread["study"]
    assert "2004" in flag["message"]
