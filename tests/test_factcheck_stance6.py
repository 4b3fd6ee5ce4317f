"""Stance of kinds of text a fact-checker meets (issue 14, stance of denials and questions,
2026-12-01 evening): a figure taken back in a tail ("..., but not 5x more like some say"), a
report the post agrees with ("She's right!") or calls wrong ("They're wrong."), rhetorical
questions ("Who says it can't ...?", "Why does it ...?"), dismissals after a question ("Give me a
break.", "Não é bem assim."), a question answered by the research ("Research says yes."), and an
Italian emphasis adverb inside a term ("fa davvero bene alle ginocchia"). The figure tails in
Spanish, French, German and Portuguese were checked in stored public text ("tienes el doble de
producto, pero no el doble de ...", "Deux fois plus de kilomètres, mais pas deux fois plus cher",
"... aber nicht doppelt ...", "60 fps custa mais, mas não o dobro"). Through the API. The
sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, KNEE_PAIN, SAFE
from fastapi.testclient import TestClient
from helpers import post_matches, stance_of


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


@pytest.mark.parametrize(
    ("text", "figure"),
    [
        # the attribution in the tail is the figure's, not the claim's: asserted, not reported
        (
            "Backward walking does burn more calories – just not five times as many as TikTok claims.",
            "five times as many",
        ),
        ("Walking backwards burns more calories, but not 5x more like some say.", "5x more"),
        ("Walking backwards burns more calories, though not twice as many.", "twice as many"),
        ("Walking backwards burns more calories (but not double).", "double"),
        # the tail as the next sentence
        ("Retro walking burns more calories. But not 5 times more, as the video claims.", "5 times more"),
        # the same in the languages read through the concepts
        ("Caminar hacia atrás quema más calorías, pero no el doble.", "doble"),
        ("Marcher à reculons brûle plus de calories, mais pas deux fois plus.", "deux fois plus"),
        ("Rückwärtsgehen verbrennt mehr Kalorien, aber nicht doppelt so viele.", "doppelt"),
        ("Andar para trás queima mais calorias, mas não o dobro.", "dobro"),
    ],
)
def test_a_figure_taken_back_in_a_tail_is_denied_and_the_claim_asserted(
    client: TestClient, text: str, figure: str
) -> None:
    match = post_matches(client, text)[CALORIES]
    assert match["stance"] == "asserts"
    assert [d["post_says"] for d in match["denied_figures"]] == [figure]
    assert "figure-mismatch" not in {f["code"] for f in match["flags"]}
    assert figure in match["matched_text"]["text"]


def test_a_tail_figure_stays_with_its_own_clause(client: TestClient) -> None:
    found = post_matches(
        client, "Walking backwards burns more calories, but not 5x more, and it improves balance."
    )
    assert [d["post_says"] for d in found[CALORIES]["denied_figures"]] == ["5x more"]
    assert "balance" not in found[CALORIES]["matched_text"]["text"]
    assert found[BALANCE]["stance"] == "asserts"


@pytest.mark.parametrize(
    ("text", "claim", "expected"),
    [
        ("TikTok says walking backwards fixes knee pain. She's right!", KNEE_PAIN, "asserts"),
        (
            "A physio on TikTok claims walking backwards eases knee pain. And she's right.",
            KNEE_PAIN,
            "asserts",
        ),
        (
            "My physio says backward walking eases knee pain. She's right, it worked for me.",
            KNEE_PAIN,
            "asserts",
        ),
        ("Experts say walking backwards improves balance. I agree.", BALANCE, "asserts"),
        ("She claims walking backwards eases knee pain, and she's right.", KNEE_PAIN, "asserts"),
        ("Influencers say retro walking burns more calories. They're wrong.", CALORIES, "denies"),
        # not an agreement: a question, or a sentence that goes on about something else
        ("My physio says backward walking eases knee pain. That's right?", KNEE_PAIN, "reports"),
        ("My physio says backward walking eases knee pain. She is right next door.", KNEE_PAIN, "reports"),
    ],
)
def test_a_report_agreed_with_or_called_wrong(
    client: TestClient, text: str, claim: str, expected: str
) -> None:
    assert stance_of(client, text, claim) == expected


@pytest.mark.parametrize(
    ("text", "claim", "expected"),
    [
        ("Who says walking backwards can't help your knees?", KNEE_PAIN, "asserts"),
        ("Who knew walking backwards could help knee pain?", KNEE_PAIN, "asserts"),
        ("Why does walking backwards burn more calories?", CALORIES, "asserts"),
        ("How come walking backwards burns more calories?", CALORIES, "asserts"),
        # doubt, a why of a negation, and "who says" without one still ask
        ("Why would walking backwards help knee pain?", KNEE_PAIN, "asks"),
        ("Why doesn't walking backwards help knee pain?", KNEE_PAIN, "asks"),
        ("Who says walking backwards burns more calories?", CALORIES, "asks"),
    ],
)
def test_rhetorical_questions(client: TestClient, text: str, claim: str, expected: str) -> None:
    assert stance_of(client, text, claim) == expected


@pytest.mark.parametrize(
    ("text", "claim", "expected"),
    [
        ("Walking backwards cures knee pain? Give me a break.", KNEE_PAIN, "denies"),
        ("Does walking backwards help knee pain? Yeah, right.", KNEE_PAIN, "denies"),
        ("Walking backwards fixes knee pain? As if.", KNEE_PAIN, "denies"),
        ("Andar para trás alivia a dor no joelho? Não é bem assim.", KNEE_PAIN, "denies"),
        ("Is walking backward good for balance? Research says yes.", BALANCE, "asserts"),
        ("Does walking backwards burn more calories? The research says no.", CALORIES, "denies"),
        ("Does walking backwards burn more calories? Not according to the studies.", CALORIES, "denies"),
    ],
)
def test_a_question_dismissed_or_answered(client: TestClient, text: str, claim: str, expected: str) -> None:
    assert stance_of(client, text, claim) == expected


def test_an_italian_emphasis_adverb_inside_a_term(client: TestClient) -> None:
    assert stance_of(client, "Il camminare all'indietro fa davvero bene alle ginocchia?", KNEE_PAIN) == "asks"


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards has its risks.",
        # es "existen algunos riesgos" (found in stored public text: "Como toda intervención ...,
        # existen algunos riesgos como: dolor o molestia ...")
        "Aunque correr hacia atrás tiene beneficios, también existen algunos riesgos que conviene conocer.",
    ],
)
def test_risks_said_to_come_with_it_deny_the_safety_claim(client: TestClient, text: str) -> None:
    assert stance_of(client, text, SAFE) == "denies"
