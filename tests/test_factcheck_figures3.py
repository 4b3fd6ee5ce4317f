"""Figures, third part: the defects a new-user trial found on 2026-12-01. A claim that sets backward
against forward walking needs a post that makes a comparison; a ratio with its unit said once; a
figure the post denies and then corrects; figures inside hashtags; a range cut by a dash; and
multipliers and "than walking forward" in Polish, Turkish, Vietnamese and Ukrainian. Example
sentences are the project's own, not the labelled set's; the study figures they are held to come
from data/claims.yaml (Hooper 2004's 17-20%)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from claimids import CALORIES, ENERGY
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import match_for

from app.settings import Settings

MORE_THAN_FORWARD = "backward-walking-improves-vo2max-more-than-forward"
PREDICTED = "backward-training-raises-predicted-vo2max"
HOOPER = "17–20%"  # data/claims.yaml: hooper2004effects, extra percent of VO2max backward


def mismatches(match: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in match["flags"] if f["code"] == "figure-mismatch"]


def ids(body: dict[str, Any]) -> list[str]:
    return [m["claim"]["id"] for m in body["matches"]]


@pytest.fixture(scope="module")
def index(seed_sqlite: Settings) -> Iterator[Any]:
    from app.db import Database
    from app.factcheck.index import get_index
    from app.store import Store

    store = Store(Database(seed_sqlite))
    yield get_index(store)
    store.db.dispose()


# --- 1. a comparison claim needs a comparison ------------------------------------------------------


def test_a_change_said_of_backward_walking_alone_is_no_comparison_with_forward(
    seed_client: TestClient, index: Any
) -> None:
    """The trial's post: a within-group change (Terblanche 2005's 5.2%) compares with nothing, so the
    misleading "more than forward" claim is not the claim it makes; the plain claim of a change now
    ranks first among the candidates (below the cut-off: the post names no training)."""
    from app.factcheck.check import analyse

    text = "Backward walking improved VO2 max by 5.2% in 13 young women"
    body = check(seed_client, text)
    assert MORE_THAN_FORWARD not in ids(body)
    candidates, _ = analyse(index, text)
    assert candidates[0].claim_id == PREDICTED
    assert MORE_THAN_FORWARD not in [c.claim_id for c in candidates]


@pytest.mark.parametrize(
    "text",
    [
        "Backward treadmill walking improves VO2max more than forward walking",
        "walk backwards to build your aerobic capacity faster",  # a comparative, forward unsaid
        "Walking backwards is better cardio training. Forget normal walking.",  # forward in another sentence
    ],
)
def test_a_comparison_still_makes_the_comparison_claim(seed_client: TestClient, text: str) -> None:
    assert MORE_THAN_FORWARD in ids(check(seed_client, text))


def test_the_forward_gate_reads_a_comparative_or_walking_forward(index: Any) -> None:
    from app.factcheck.scoring import passes_gates

    profile = index.profiles[MORE_THAN_FORWARD]
    assert "forward" in profile.required
    have = {"backward", "walking", "vo2max", "improvement"}
    assert not passes_gates(profile, have, index.outcomes)
    assert passes_gates(profile, have, index.outcomes, compares=True)
    assert passes_gates(profile, have | {"forward"}, index.outcomes)


# --- 2. a ratio with its unit said once --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "100 steps backward = 1,000 forward",
        "100 backward steps are worth 1000 forward",
        "Walking 100 backward steps = 1000 forwards",
    ],
)
def test_a_ratio_with_its_unit_said_once_is_matched_and_flagged(seed_client: TestClient, text: str) -> None:
    (flag, *_) = mismatches(match_for(check(seed_client, text), ENERGY, CALORIES))
    assert flag["evidence_shows"] == HOOPER and flag["post_says"].startswith("100")


def test_the_cli_flags_a_ratio_with_its_unit_said_once(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main

    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_settings.database_url)
    assert main(["factcheck", "100 steps backward = 1,000 forward"]) == 0
    out = capsys.readouterr().out
    assert ENERGY in out and "! figure-mismatch" in out


# --- 3. a figure the post denies and corrects --------------------------------------------------------


def test_a_figure_answered_no_and_corrected_is_denied_and_the_correction_checked(
    seed_client: TestClient,
) -> None:
    text = "Walking backwards burns twice the calories? Nope. It's more like 20% more."
    match = match_for(check(seed_client, text), ENERGY)
    assert match["stance"] == "asserts"  # it burns more: the post says so, with another figure
    assert mismatches(match) == [] and "denies-supported" not in {f["code"] for f in match["flags"]}
    (denied,) = match["denied_figures"]
    assert denied["post_says"] == "twice" and denied["evidence_agrees"] is True
    fixed = denied["corrected_to"]
    assert fixed["post_says"] == "20%" and text[fixed["span"]["start"] : fixed["span"]["end"]] == "20%"
    (checked,) = match["unverified_figures"]  # inside Hooper's bound, not like for like
    assert checked["span"] == fixed["span"] and HOOPER in checked["note"]


def test_a_correction_that_exaggerates_is_flagged_where_it_is(seed_client: TestClient) -> None:
    text = "Walking backwards burns twice the calories? Nope. It's more like 5 times more."
    match = match_for(check(seed_client, text), ENERGY)
    (flag,) = mismatches(match)
    assert flag["post_says"] == "5 times more" and flag["span"]["start"] == text.index("5 times")


def test_a_denied_figure_names_the_figure_given_in_its_place(seed_client: TestClient) -> None:
    text = "Walking backwards doesn't burn twice the calories. It's closer to 20% more."
    (denied,) = match_for(check(seed_client, text), ENERGY)["denied_figures"]
    assert denied["corrected_to"]["post_says"] == "20%"


def test_without_a_correction_a_no_still_denies(seed_client: TestClient) -> None:
    match = match_for(check(seed_client, "Walking backwards burns twice the calories? Nope."), ENERGY)
    assert match["stance"] == "denies"
    # the figure is denied with the claim: listed with what the evidence shows, no correction
    # (tests/test_factcheck_trial_figures.py)
    (denied,) = match["denied_figures"]
    assert (
        denied["post_says"] == "twice" and denied["evidence_agrees"] is True and "corrected_to" not in denied
    )


def test_the_page_and_the_cli_show_the_correction(
    seed_client: TestClient,
    seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from app.cli import main

    text = "Walking backwards burns twice the calories? Nope. It's more like 20% more."
    page = seed_client.post("/factcheck", data={"text": text}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "It gives “20%” instead" in page.text
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_settings.database_url)
    assert main(["factcheck", text]) == 0
    assert "x denied figure: twice" in (out := capsys.readouterr().out) and "gives 20% instead" in out


# --- 4. figures inside hashtags ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "change", "said"),
    [
        ("#Burn2xCalories", 100.0, "2x"),
        ("#100StepsBackwardEquals1000Forward", 900.0, "100StepsBackwardEquals1000Forward"),
        ("#100stepsBackward = #1000stepsForward", 900.0, "100stepsBackward = #1000stepsForward"),
        ("Try it! #100stepsBackward = 1000 forward", 900.0, "100stepsBackward = 1000 forward"),
    ],
)
def test_a_hashtag_that_carries_a_multiplier_or_ratio_is_read(text: str, change: float, said: str) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    assert (figure.quantity, figure.value, figure.text) == ("percent-change", change, said)
    assert text[figure.start : figure.end] == said


@pytest.mark.parametrize("text", ["#100stepsBackward", "#30DayChallenge", "#Top10Exercises", "#Day2"])
def test_a_hashtag_number_that_carries_no_change_is_a_name(text: str) -> None:
    from app.factcheck.figures import post_figures

    assert post_figures(text) == []


def test_a_hashtag_multiplier_is_flagged(seed_client: TestClient) -> None:
    """In a post that states something; a post of hashtags only states nothing (its stance is
    ``mentions``), and its tag's figure is listed, not flagged (tests/test_factcheck_trial_figures.py)."""
    body = check(seed_client, "Try it! #Burn2xCalories #backwardwalking")
    (flag,) = mismatches(match_for(body, CALORIES))
    assert flag["post_says"] == "2x" and flag["evidence_shows"] == HOOPER


# --- 5. a range is one figure, whatever its dash ----------------------------------------------------


@pytest.mark.parametrize(
    "text", ["doesn't burn 30 - 40% more", "doesn't burn 30–40% more", "walk 5 - 10 minutes"]
)
def test_a_dash_between_two_numbers_is_no_clause_end(text: str) -> None:
    from app.factcheck.stance import clause_of

    assert clause_of(text, 0) == (0, len(text))


def test_a_dash_before_words_still_ends_a_clause() -> None:
    from app.factcheck.stance import clause_of

    assert clause_of("it burns 20% - that is a lot", 0) == (0, 12)
    assert clause_of("walking—it helps", 0) == (0, 7)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Walking backwards doesn't burn 30–40% more calories.", "30–40%"),
        ("Walking backwards doesn't burn 30 - 40% more calories.", "30 - 40%"),
        ("Walking backwards doesn't burn 2 - 3 times more calories.", "2 - 3 times more"),
    ],
)
def test_a_denied_range_is_denied_whole(seed_client: TestClient, text: str, said: str) -> None:
    match = match_for(check(seed_client, text), CALORIES)
    assert match["stance"] == "asserts" and [d["post_says"] for d in match["denied_figures"]] == [said]


def test_a_multiplier_range_is_one_figure() -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures("burns 2 - 3 times more calories")
    assert (figure.value, figure.high, figure.text) == (100.0, 200.0, "2 - 3 times more")


# --- 6. Polish, Turkish, Vietnamese and Ukrainian ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "change", "said"),
    [
        ("Chodzenie tyłem spala dwa razy więcej kalorii", 100.0, "dwa razy więcej"),
        ("Chodzenie tyłem spala dwukrotnie więcej kalorii", 100.0, "dwukrotnie"),
        ("Wydatek energetyczny jest o 40 proc. wyższy", 40.0, "40 proc."),
        ("Geri geri yürümek iki kat daha fazla kalori yakar", 100.0, "iki kat"),
        ("Geri yürümek 3 kat fazla kalori yakar", 200.0, "3 kat"),
        ("Geri yürümek %40 daha fazla kalori yakar", 40.0, "%40"),  # the percent first
        ("Nabzı yüzde 17 ila yüzde 30 oranında artırır", 17.0, "yüzde 17 ila yüzde 30"),
        ("Đi lùi đốt cháy calo gấp đôi", 100.0, "gấp đôi"),
        ("Đi lùi đốt calo gấp 3 lần", 200.0, "gấp 3 lần"),
        ("Ходьба задом наперед спалює вдвічі більше калорій", 100.0, "вдвічі"),
        ("Ходьба назад спалює у три рази більше калорій", 200.0, "у три рази"),
        ("Ходьба назад спалює на 40 відсотків більше калорій", 40.0, "40 відсотків"),
    ],
)
def test_multipliers_and_percents_in_four_more_languages(text: str, change: float, said: str) -> None:
    from app.factcheck.figures import post_figures

    (figure,) = post_figures(text)
    assert (figure.quantity, figure.value, figure.text) == ("percent-change", change, said)


@pytest.mark.parametrize(
    "text",
    [
        "Spala więcej kalorii niż szybki marsz do przodu",
        "W przeciwieństwie do zwykłego chodzenia angażuje biodra",
        "Ileri yürümeye göre daha fazla kalori yakar",
        "Đốt nhiều calo hơn so với đi bộ thông thường",
        "Спалює більше калорій, ніж звичайна ходьба",
    ],
)
def test_than_walking_forward_in_four_more_languages(text: str) -> None:
    from app.factcheck.scoring import CONTRAST_WITH_FORWARD

    assert CONTRAST_WITH_FORWARD.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Chodzenie tyłem spala dwa razy więcej kalorii niż chodzenie do przodu.",
        "Geri geri yürümek iki kat daha fazla kalori yakar.",
        "Đi lùi đốt cháy calo gấp đôi so với đi bộ thường.",
        "Ходьба задом наперед спалює вдвічі більше калорій, ніж звичайна ходьба.",
    ],
)
def test_a_doubling_in_four_more_languages_is_flagged(seed_client: TestClient, text: str) -> None:
    (flag, *_) = mismatches(match_for(check(seed_client, text), CALORIES, ENERGY))
    assert flag["evidence_shows"] == HOOPER


@pytest.mark.parametrize(
    "text",
    [
        "The viral 100-step formula – 100 steps backward burn as many calories as 1,000 forward – doesn't hold up.",
        "Die 100-Schritte-Formel – 100 Schritte rückwärts sollen so effektiv sein wie 1.000 vorwärts – hält "
        "einem Faktencheck nicht stand.",
    ],
)
def test_a_verdict_after_an_aside_between_dashes_judges_the_aside(seed_client: TestClient, text: str) -> None:
    """A ratio read as the effort it claims (2.) must not be flagged as the post's own when the post
    says it does not hold up: the verdict after a pair of dashes is about what they set aside."""
    match = match_for(check(seed_client, text), ENERGY)
    assert match["stance"] == "denies" and mismatches(match) == []


def test_an_aside_between_dashes_is_no_denial_of_its_own() -> None:
    from app.factcheck.stance import negation_cues, stance

    text = "Walking backwards – not a new idea – eases knee pain."
    assert negation_cues(text)
    assert stance(text, [(text.index("knee"), text.index("knee") + 9)]) == "asserts"
