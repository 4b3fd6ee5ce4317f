"""Negation words that negate nothing of the claim (issue 14, stance: assertions must stay
assertions, 2026-12-01 evening). An idiom ("no laughing matter", "it's no secret that"), a
trial's control arm ("compared to no intervention"), a load said not to be put on the knees
(what the knee-load claim says), the muscles a negated verb describes ("the knee muscles we never
use"; Korean "안 쓰던", "쓰지 않는"), Turkish "ne kadar" (how much), Indonesian
"tidak biasa" (unusual), French "pas" the noun (steps) and Japanese 不思議 (mysterious) were
read as negations and denied the claim. Through the API. The sentences are written for these
tests, not taken from the labelled set; the forms in the other languages were found in stored
public text ("안 쓰던 근육을 써서", "gerakan yang tidak biasa", "des pas plus courts", "ne kadar
yüksek olursa")."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, MEMORY, QUADS
from fastapi.testclient import TestClient
from helpers import stance_of

KNEE_LOAD = "backward-running-reduces-patellofemoral-force"
VO2MAX = "higher-vo2max-means-longer-exercise"


@pytest.fixture(scope="module")
def client(seed_client: TestClient) -> TestClient:
    """``seed_client``: the index is written and the models loaded by the fixture itself."""
    return seed_client


@pytest.mark.parametrize(
    ("text", "claim", "expected"),
    [
        ("It's no secret that walking backwards burns more calories.", CALORIES, "asserts"),
        ("It's no laughing matter, walking backwards is said to burn more calories.", CALORIES, "reports"),
        (
            "Backward walking training improved balance compared to no intervention in older adults.",
            BALANCE,
            "asserts",
        ),
        (
            "Walking backwards doesn't put too much pressure on the knees, so it suits older people.",
            KNEE_LOAD,
            "asserts",
        ),
        (
            "Walking backwards trains the knee muscles we never use, and strengthens the quads.",
            QUADS,
            "asserts",
        ),
        ("뒤로 걷기는 평소 안 쓰던 대퇴사두근을 강화한다.", QUADS, "asserts"),
        ("VO2 max ne kadar yüksekse, dayanıklılık o kadar artar.", VO2MAX, "asserts"),
        (
            "Berjalan mundur adalah gerakan yang tidak biasa dan membakar lebih banyak kalori.",
            CALORIES,
            "asserts",
        ),
        (
            "Marcher à reculons fait faire des pas plus courts, ce qui réduit la charge sur les genoux.",
            KNEE_LOAD,
            "asserts",
        ),
        ("後ろ歩きで記憶力が上がるという不思議な結果が出た。", MEMORY, "asserts"),
    ],
)
def test_a_negation_word_that_negates_nothing_of_the_claim(
    client: TestClient, text: str, claim: str, expected: str
) -> None:
    assert stance_of(client, text, claim) == expected


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        # the same words where they do negate the claim
        ("Walking backwards does not put less pressure on the knees.", KNEE_LOAD),
        ("Walking backwards does not strengthen your quads.", QUADS),
        ("Marcher à reculons ne réduit pas la charge sur les genoux.", KNEE_LOAD),
    ],
)
def test_a_real_negation_still_denies(client: TestClient, text: str, claim: str) -> None:
    assert stance_of(client, text, claim) == "denies"
