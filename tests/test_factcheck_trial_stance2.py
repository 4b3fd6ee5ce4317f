"""A new user's trial (issue 14): reported speech with a person and a verb of saying in each
language read, and denials a double negative, "hardly", "a lie" or a bare "no" answers. Through
the API on both backends; each group also holds variants the report did not name."""

from __future__ import annotations

import pytest
from claimids import BACK, BALANCE, CALORIES, KNEE_OA, KNEE_PAIN, PARKINSONS, QUADS, STROKE
from fastapi.testclient import TestClient
from helpers import factcheck_body as check
from helpers import flag_codes, match_for


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("Retro walking improves balance in older adults, says my trainer.", BALANCE),
        ("@physio_jane says walking backwards burns more calories", CALORIES),
        ("Mon kiné dit que la marche arrière soulage l'arthrose du genou.", KNEE_OA),
        ("Mi fisio dice que caminar hacia atrás alivia el dolor de rodilla.", KNEE_PAIN),
        ("Mein Trainer sagt, Rückwärtsgehen stärkt die Oberschenkel.", QUADS),
        ("Rückwärtslaufen hilft bei Knieschmerzen, sagt mein Physiotherapeut.", KNEE_PAIN),
        ("Мой тренер говорит, что ходьба задом наперед укрепляет колени.", QUADS),
        # not in the report
        ("My trainer says walking backwards burns more calories.", CALORIES),
        ("Walking backwards burns more calories, my coach told me.", CALORIES),
        ("Jane says walking backwards eases knee pain.", KNEE_PAIN),
    ],
)
def test_a_person_who_says_it_makes_a_report(seed_client: TestClient, text: str, claim_id: str) -> None:
    match = match_for(check(seed_client, text), claim_id)
    assert match["stance"] == "reports"
    assert not flag_codes(match) & {"population-mismatch", "overclaim"}


@pytest.mark.parametrize(
    ("text", "claim_id", "stance"),
    [
        ("It's not true that walking backwards doesn't help knee arthritis.", KNEE_OA, "asserts"),
        ("Es falso que caminar hacia atrás no alivie el dolor de rodilla.", KNEE_PAIN, "asserts"),
        ("Walking backward hardly helps low back pain.", BACK, "denies"),
        ("Walking backwards barely helps knee pain.", KNEE_PAIN, "denies"),
        ("Es mentira que caminar hacia atrás queme más calorías.", CALORIES, "denies"),
        ('"Walking backwards burns twice the calories" — no, it doesn\'t.', CALORIES, "denies"),
        ("Walking backwards burns twice the calories. No, it doesn't.", CALORIES, "denies"),
        (
            "Everyone says walking backwards burns 40% more calories. Wrong! It's 20% at most.",
            CALORIES,
            "denies",
        ),
        # "barely" before an amount says "only so much"; "it doesn't hurt" says something of its own
        ("Barely 10 minutes of walking backwards a day eases knee pain.", KNEE_PAIN, "asserts"),
        ("Walking backwards burns more calories: it doesn't hurt to try.", CALORIES, "asserts"),
    ],
)
def test_double_negatives_hardly_lies_and_bare_noes(
    seed_client: TestClient, text: str, claim_id: str, stance: str
) -> None:
    assert match_for(check(seed_client, text), claim_id)["stance"] == stance


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("Backward walking helps everyone walk better, not just Parkinson's patients.", PARKINSONS),
        ("Backward walking improves walking after a stroke, and it works for healthy people too.", STROKE),
        ("Backward walking helps everybody, not only stroke survivors.", STROKE),
    ],
)
def test_a_claim_extended_beyond_its_tested_patients_is_flagged(
    seed_client: TestClient, text: str, claim_id: str
) -> None:
    match = match_for(check(seed_client, text), claim_id)
    assert match["stance"] == "asserts"
    assert "population-mismatch" in flag_codes(match)


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("Backward walking improves walking after a stroke, even in people with mild symptoms.", STROKE),
        ("Backward walking improves walking after a stroke and keeps your gait healthy.", STROKE),
    ],
)
def test_the_tested_population_alone_is_not_flagged(
    seed_client: TestClient, text: str, claim_id: str
) -> None:
    assert "population-mismatch" not in flag_codes(match_for(check(seed_client, text), claim_id))
