"""Stance on denials (issue 14, 2026-12-01 afternoon helper session): a claim passed on ("Some
claim that ...", "proponents argue", "khẳng định rằng", "تشير الدراسات إلى أن") and contested by
the next sentence, which opens with a contrast and qualifies it ("However, weight loss is a complex
process that depends on ...", "Tuy nhiên, ... tùy thuộc vào ...") or by the main clause after a
leading "While ..." ("..., the reality is more nuanced") is denied. The same caveat after the
writer's own claim, and a contrast that qualifies nothing, leave the stance as it was. Through
the API. The sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BACK, BALANCE, CALORIES, KNEE_PAIN, MEMORY, WEIGHT
from fastapi.testclient import TestClient
from helpers import stance_of

from app.factcheck.stance import contested


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        (
            "Some claim that walking backwards is a quick way to lose weight. However, weight loss is a "
            "complex process that depends on diet and many other factors.",
            WEIGHT,
        ),
        (
            "Proponents argue that walking backwards relieves low back pain. In reality, it is far more "
            "complicated than that.",
            BACK,
        ),
        ("While fans claim that walking backwards burns more calories, the truth is more nuanced.", CALORIES),
        (
            "Algunos aseguran que caminar hacia atrás quema más calorías. Sin embargo, depende mucho de la "
            "velocidad.",
            CALORIES,
        ),
        (
            "Nhiều người cho rằng đi bộ lùi giúp đốt cháy nhiều calo hơn. Tuy nhiên, điều này còn tùy thuộc "
            "vào tốc độ.",
            CALORIES,
        ),
        (
            "تشير بعض الدراسات إلى أن المشي إلى الوراء يحسن التوازن. ومع ذلك، تحتاج هذه النتائج إلى مزيد من "
            "الأبحاث.",
            BALANCE,
        ),
    ],
)
def test_a_claim_passed_on_and_contested_is_denied(client: TestClient, text: str, claim: str) -> None:
    assert stance_of(client, text, claim) == "denies"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the writer's own claim with a caveat stays the writer's claim
        ("Walking backwards burns more calories. However, this depends on your speed.", "asserts"),
        # a contrast that qualifies nothing
        (
            "Some claim that walking backwards burns more calories. However, it is important to start slowly.",
            "reports",
        ),
        # the nuance is the other side's, in the leading clause
        (
            "While some experts say it is not so simple, others believe that walking backwards burns more "
            "calories.",
            "reports",
        ),
    ],
)
def test_a_caveat_that_contests_nothing_leaves_the_stance(
    client: TestClient, text: str, expected: str
) -> None:
    assert stance_of(client, text, CALORIES) == expected


def test_a_question_after_the_claim_is_no_contest() -> None:
    assert not contested("Some claim that it burns more calories.", "But does it depend on speed?", None)


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        (
            "For decades, VO2 max was erroneously considered the only thing that decides how long you can "
            "exercise.",
            "higher-vo2max-means-longer-exercise",
        ),
        ("Walking backwards is wrongly believed to improve your balance.", BALANCE),
        ("Backward walking is often mistakenly thought to relieve low back pain.", BACK),
    ],
)
def test_a_belief_called_mistaken_is_denied(client: TestClient, text: str, claim: str) -> None:
    assert stance_of(client, text, claim) == "denies"


def test_a_thing_done_wrongly_is_no_verdict(client: TestClient) -> None:
    # "incorrectly" says how the mileage was raised, not that a belief is false
    text = "Many runners increase their weekly mileage incorrectly, and sudden jumps in training cause knee pain."
    assert stance_of(client, text, "sudden-training-increases-cause-knee-pain") == "asserts"


# --- a sentence that points back at the claim just made ------------------------------------------


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Walking backwards is said to ease knee pain. But it won't fix your knees.", KNEE_PAIN),
        ("Walking backwards is said to improve memory. Sadly, it doesn't.", MEMORY),
        ("Walking backwards is supposed to burn more calories. Not so.", CALORIES),
        (
            "Walking backwards supposedly burns more calories. Unfortunately, that claim doesn't hold water.",
            CALORIES,
        ),
        (
            "Walking backwards helps knee pain, claims one influencer. The evidence doesn't support it.",
            KNEE_PAIN,
        ),
        (
            "You may have heard that walking backwards burns more calories. The science says otherwise.",
            CALORIES,
        ),
        ("Walking backwards is said to ease knee pain. Don't believe it.", KNEE_PAIN),
        ("Walking backwards is said to ease knee pain. Experts disagree.", KNEE_PAIN),
        ("Walking backwards burns more calories, according to TikTok. This is not the case.", CALORIES),
    ],
)
def test_a_sentence_pointing_back_denies_the_claim_before_it(
    client: TestClient, text: str, claim: str
) -> None:
    assert stance_of(client, text, claim) == "denies"


@pytest.mark.parametrize(
    "text",
    [
        "Walking backwards eases knee pain. It doesn't hurt your knees either.",
        "Walking backwards eases knee pain. It isn't hard to do.",
        "Walking backwards eases knee pain. It's not just good for your knees.",
        "Walking backwards eases knee pain. It won't cure arthritis, but it helps.",
        "Walking backwards eases knee pain. This doesn't mean you should skip your physio.",
    ],
)
def test_a_negation_that_is_not_about_the_claim_leaves_it_asserted(client: TestClient, text: str) -> None:
    assert stance_of(client, text, KNEE_PAIN) == "asserts"


def test_what_the_reader_may_have_heard_is_reported(client: TestClient) -> None:
    text = "You may have heard that walking backwards burns more calories."
    assert stance_of(client, text, CALORIES) == "reports"
