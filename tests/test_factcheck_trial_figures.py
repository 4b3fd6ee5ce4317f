"""Figures after the second new-user trial (2026-12-01 afternoon): sample sizes held to a study's
groups and said as its page says them, misreadings flagged only where the post repeats what they
get wrong, figures kept to the sentence that states them, tags that state nothing, and the figure
of a claim the post doubts. Example posts are the trial's; the study figures come from
data/studies.bib (Terblanche 2005: 13 trained, 13 controls; Hooper 2004: 27 analysed, 29 enrolled)
and data/claims.yaml (Hooper 2004's 17-20%)."""

from __future__ import annotations

from typing import Any

import pytest
from claimids import CALORIES, ENERGY, KNEE_OA
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import match_for

from app.settings import Settings

VO2_TRAINING = "backward-training-raises-predicted-vo2max"


def codes(match: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in match["flags"] if f["code"] == code]


# --- 1. a sample size is any count the study reports: analysed, enrolled, a group -----------------


def test_a_sample_size_that_is_a_group_of_the_study_is_not_flagged(seed_client: TestClient) -> None:
    """Terblanche 2005 trained 13 women (26 with the controls): "13 young women" is right. Before, it
    was flagged against the 26."""
    text = "Retro walking improved VO2 max by 5.2% in a six-week study of 13 young women."
    match = match_for(check(seed_client, text), VO2_TRAINING)
    assert not codes(match, "figure-mismatch"), match["flags"]
    # another count is still flagged, naming the groups
    text = "Retro walking improved VO2 max by 5.2% in a six-week study of 40 young women."
    (flag,) = codes(match_for(check(seed_client, text), VO2_TRAINING), "figure-mismatch")
    assert flag["post_says"] == "40 young women"
    assert flag["evidence_shows"] == "26 participants (13 trained, 13 controls)"


# --- 6. a study's sample is said as its page says it ------------------------------------------------


def test_a_sample_size_flag_says_the_count_the_study_page_says(seed_client: TestClient) -> None:
    """Hooper 2004 analysed 27 of 29 enrolled: the page says "27 participants (29 enrolled)", the
    fact-check said "29 participants" (the closest of its two counts). One function now writes both."""
    text = "New study: walking backward burns more calories than regular walking, tested on 200 women!"
    body = check(seed_client, text)
    flags = [
        f for m in body["matches"] for f in codes(m, "figure-mismatch") if f["study"] == "hooper2004effects"
    ]
    assert flags, body["matches"]
    for flag in flags:
        assert flag["evidence_shows"] == "27 participants (29 enrolled)"
        assert "27 participants (29 enrolled) in Hooper et al. 2004" in flag["message"]
    page = seed_client.get("/studies/hooper2004effects").text
    assert "<dd>27 participants (29 enrolled)</dd>" in page
    study = seed_client.get("/api/v1/studies/hooper2004effects").json()
    assert (study["sample_size"], study["enrolled"]) == (27, 29)


@pytest.mark.parametrize("said", ["27 people", "29 people"])
def test_the_analysed_and_the_enrolled_count_both_pass(seed_client: TestClient, said: str) -> None:
    text = f"A 2004 study of {said} found walking backward burns more calories than walking forward."
    match = match_for(check(seed_client, text), CALORIES, ENERGY)
    assert not codes(match, "figure-mismatch"), match["flags"]


# --- 7. a misreading is repeated by what it gets wrong, not by the claim it misreads -------------


@pytest.mark.parametrize(
    "text",
    [
        "New study: walking backward burns more calories than regular walking, tested on 200 women!",
        "New study: walking backward burns 3 times more calories than regular walking",
    ],
)
def test_a_post_of_the_claim_does_not_repeat_a_misreading_of_its_figure(
    seed_client: TestClient, text: str
) -> None:
    """Hooper 2004's recorded misreading is "20% more calories" (it reported no calories): a post
    that speaks of a study and says backward walking burns more calories, or 3 times more, does
    not repeat it. Before, both got ``misdescribed-study``."""
    body = check(seed_client, text)
    assert body["matches"]
    for match in body["matches"]:
        assert not codes(match, "misdescribed-study"), match["flags"]


@pytest.mark.parametrize(
    "text",
    [
        "A study found backward walking burns 20% more calories.",  # the misreading's figure
        "A 2004 study found walking backward burns more calories than walking forward.",  # the study
    ],
)
def test_a_post_that_repeats_what_the_misreading_gets_wrong_is_flagged(
    seed_client: TestClient, text: str
) -> None:
    match = match_for(check(seed_client, text), CALORIES)
    (flag,) = codes(match, "misdescribed-study")
    assert flag["study"] == "hooper2004effects"


def test_a_misreading_s_own_wording_is_repeated_without_a_figure(seed_client: TestClient) -> None:
    """Alghadir 2019's misreading sets backward against forward walking, which the knee
    osteoarthritis claim does not: a post that says so repeats it."""
    text = "A study showed backward walking beat forward walking for knee osteoarthritis pain."
    (flag,) = codes(match_for(check(seed_client, text), KNEE_OA), "misdescribed-study")
    assert flag["study"] == "alghadir2019effect"


# --- 3. a figure belongs to the sentence that states it ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "figures"),
    [
        ("Six weeks of backward training raised VO2 max by 40%. It also helps knee osteoarthritis.", ["40%"]),
        ("Backward walking improves balance by 30%. It also helps knee osteoarthritis.", ["30%"]),
        (
            "Rückwärtsgehen verbessert das Gleichgewicht um 30 Prozent. Es hilft bei Kniearthrose.",
            ["30 Prozent"],
        ),
    ],
)
def test_a_figure_of_another_sentence_is_not_checked_against_a_claim(
    seed_client: TestClient, text: str, figures: list[str]
) -> None:
    """The knee osteoarthritis claim is made in the second sentence; the first scored for it too,
    through the knee the post lends every sentence, and its figures were listed under the knee
    claim's ``unverified_figures`` ("Six weeks", "40%"). They are the first sentence's claim's."""
    body = check(seed_client, text)
    knee = match_for(body, KNEE_OA)
    assert knee["unverified_figures"] == [] and not codes(knee, "figure-mismatch"), knee
    other = [m for m in body["matches"] if m["claim"]["id"] != KNEE_OA]
    listed = {u["post_says"] for m in other for u in m["unverified_figures"]}
    listed |= {f["post_says"] for m in other for f in codes(m, "figure-mismatch")}
    assert set(figures) <= listed


def test_a_figure_the_post_repeats_for_the_same_claim_is_still_checked(seed_client: TestClient) -> None:
    """The other sentence that makes the claim in its own words still has its figure checked."""
    text = "Want to burn double the calories? Run backwards. It has been shown to burn double the calories."
    (flag,) = codes(match_for(check(seed_client, text), CALORIES), "figure-mismatch")
    assert text[flag["span"]["start"] : flag["span"]["end"]] == "double" and flag["span"]["start"] > 40


# --- 16. a post of hashtags only states no figure ----------------------------------------------------


def test_a_figure_in_a_post_of_hashtags_only_is_listed_not_flagged(seed_client: TestClient) -> None:
    """Figure flags apply to what a post asserts or reports; a post of hashtags only is
    ``mentions``. Before, "#Burn2xCalories" got a figure-mismatch beside that stance; now the figure
    is listed under ``unverified_figures`` with what the evidence shows (never dropped)."""
    text = "#Burn2xCalories #BackwardWalking"
    body = check(seed_client, text)
    assert body["hashtags_only"] is True
    match = match_for(body, CALORIES)
    assert match["stance"] == "mentions"
    assert not codes(match, "figure-mismatch") and not codes(match, "misdescribed-study")
    (listed,) = [u for u in match["unverified_figures"] if u["post_says"] == "2x"]
    assert text[listed["span"]["start"] : listed["span"]["end"]] == "2x"
    assert listed["note"].startswith("named in a hashtag, not stated;") and "17–20%" in listed["note"]
    assert listed["study"] == "hooper2004effects"
    # the page's label says what the list is: the note compares the tag's figure with the evidence,
    # so "Not checked against a study figure" contradicted it (a new user's check, 2026-12-01)
    page = seed_client.post("/factcheck", data={"text": text}).text
    assert "Figures left unverified: “2x” (named in a hashtag, not stated;" in page
    assert "Not checked against a study figure" not in page


# --- 2. a figure of a claim the post doubts is denied with it, never lost ----------------------------

TRAINER = "My trainer says backward walking burns 5 times more calories than walking forward and that it cures knee arthritis."


def test_a_figure_of_a_report_the_writer_doubts_is_listed_as_denied(
    seed_client: TestClient,
    seed_settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Reported, "5 times more" is flagged; with "I'm not convinced." after it the post denies the
    claim, and the figure was neither flagged nor listed. Now it is listed under ``denied_figures``
    with what the evidence shows (on the API, the page and the CLI)."""
    reported = match_for(check(seed_client, TRAINER), CALORIES)
    assert reported["stance"] == "reports" and codes(reported, "figure-mismatch")
    text = TRAINER + " I'm not convinced."
    match = match_for(check(seed_client, text), CALORIES)
    assert match["stance"] == "denies" and not codes(match, "figure-mismatch")
    (denied,) = match["denied_figures"]
    assert denied["post_says"] == "5 times more" and denied["evidence_agrees"] is True
    assert text[denied["span"]["start"] : denied["span"]["end"]] == "5 times more"
    assert "17–20%" in denied["note"] and denied["study"] == "hooper2004effects"
    page = seed_client.post("/factcheck", data={"text": text}, headers={"accept": "text/html"})
    assert page.status_code == 200 and "The post denies the claim with the figure “5 times more”" in page.text
    from app.cli import main

    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", seed_settings.database_url)
    assert main(["factcheck", text]) == 0
    assert "x denied figure: 5 times more" in capsys.readouterr().out


def test_a_figure_of_a_claim_called_a_myth_is_listed_as_denied(seed_client: TestClient) -> None:
    match = match_for(
        check(seed_client, "It's a myth that walking backwards burns 5 times more calories."), CALORIES
    )
    assert match["stance"] == "denies"
    assert [d["post_says"] for d in match["denied_figures"]] == ["5 times more"]
