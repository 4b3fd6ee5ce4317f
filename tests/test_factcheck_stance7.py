"""Findings of a new user's check of main (2026-12-01 evening), through the API: a figure taken
back in a tail with a bare multiplier ("..., just not 5x"), a question whose figure the answer
takes back and whose claim it keeps ("... 5x more calories? No, but it does burn more."), a bare
"5x" closing its clause read as a multiplier of the clause's quantity, and the note of a figure
with no study figure of its kind (one note in the API, the CLI and the page; "asked, not stated"
for a question's). The sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, ENERGY, KNEE_PAIN
from fastapi.testclient import TestClient
from helpers import factcheck_body, post_matches

from app.cli_text import factcheck_text


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


def _codes(match: dict) -> set[str]:
    return {f["code"] for f in match["flags"]}


@pytest.mark.parametrize(
    "text",
    [
        "Walking backward burns more calories, just not 5x",
        "Walking backward burns more calories, but not 5x like some say",
        "Walking backward burns more calories, not 5x though",
        "Walking backward burns more calories, though not 5x.",
        "Walking backward burns more calories (but not 5x)",
        "Walking backward burns more calories, but not 5× like TikTok says.",
    ],
)
def test_a_bare_multiplier_taken_back_in_a_tail_is_denied_and_the_claim_asserted(
    client: TestClient, text: str
) -> None:
    found = post_matches(client, text)
    for claim in (CALORIES, ENERGY):
        match = found[claim]
        assert match["stance"] == "asserts", (claim, match["stance"])
        assert [d["post_says"] for d in match["denied_figures"]] in (["5x"], ["5×"])
        assert not _codes(match) & {"denies-supported", "figure-mismatch"}
        assert not match["unverified_figures"]


def test_a_bare_multiplier_closing_a_statement_is_a_figure(client: TestClient) -> None:
    match = post_matches(client, "Walking backward burns calories 5x")[CALORIES]
    assert match["stance"] == "asserts"
    (flag,) = [f for f in match["flags"] if f["code"] == "figure-mismatch"]
    assert flag["post_says"] == "5x"


@pytest.mark.parametrize(
    "text",
    [
        # a count of times, not a multiplier of a quantity
        "I walked backward 3x this week and my knees feel better.",
        "Walk backward on the treadmill, 3x a week.",
        "Did my backward walking 3x.",
    ],
)
def test_a_count_of_times_is_no_multiplier(client: TestClient, text: str) -> None:
    for match in factcheck_body(client, text)["matches"]:
        assert not [f for f in match["flags"] if f["code"] == "figure-mismatch"]
        assert not [u for u in match["unverified_figures"] if "3x" in u["post_says"]]


@pytest.mark.parametrize(
    "text",
    [
        "Walking backward burns 5x more calories? No, but it does burn more.",
        "Does walking backward burn 5 times more calories? Nope, but it definitely burns more.",
    ],
)
def test_no_but_it_does_takes_back_the_figure_and_keeps_the_claim(client: TestClient, text: str) -> None:
    match = post_matches(client, text)[CALORIES]
    assert match["stance"] == "asserts"
    assert len(match["denied_figures"]) == 1
    assert match["denied_figures"][0]["post_says"] in ("5x more", "5 times more")
    assert "denies-supported" not in _codes(match)
    assert match["matched_text"]["text"].endswith("burn more.") or match["matched_text"]["text"].endswith(
        "burns more."
    )


def test_no_but_another_claim_keeps_the_denial(client: TestClient) -> None:
    found = post_matches(
        client, "Does walking backward burn 5x more calories? No, but it does improve balance."
    )
    assert found[CALORIES]["stance"] == "denies"
    assert found[BALANCE]["stance"] == "asserts"


def test_an_unverified_figure_has_one_note_in_the_api_cli_and_page(client: TestClient) -> None:
    text = "Does walking backward cut knee pain in half?"
    body = factcheck_body(client, text)
    (match,) = [m for m in body["matches"] if m["claim"]["id"] == KNEE_PAIN]
    (listed,) = match["unverified_figures"]
    assert listed["post_says"] == "in half"
    assert listed["note"] == "asked, not stated; no study figure of that kind"
    assert f"? unverified figure: in half (percent-change): {listed['note']}" in factcheck_text(body)
    page = client.post("/factcheck", data={"text": text}).text
    assert f"“in half” ({listed['note']})" in page
    # stated, the same figure has the note without "asked"
    stated = post_matches(client, "Walking backward cuts knee pain in half.")[KNEE_PAIN]
    assert [u["note"] for u in stated["unverified_figures"] if u["post_says"] == "in half"] == [
        "no study figure of that kind"
    ]
