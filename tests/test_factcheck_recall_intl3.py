"""Recall in languages other than English, continued (2026-12-01, evening). Through the API with the
shipped data and score model. The sentences are written for these tests, not taken from the
labelled set."""

from __future__ import annotations

import pytest
from claimids import CALORIES, QUADS
from fastapi.testclient import TestClient
from helpers import post_matches


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("앞으로 걸을 때보다 열량 소모가 훨씬 더 큽니다.", CALORIES),
        ("허벅지 앞 근육이 앞으로 걷기보다 더 강화됩니다.", QUADS),
        ("일반 걷기보다 열량 소모가 30% 더 많다고 한다.", CALORIES),
    ],
)
def test_a_korean_contrast_with_walking_forward_names_the_other_direction(
    seed_client: TestClient, text: str, claim: str
) -> None:
    """ "Than walking forward" sets the post against the usual direction, as "than forward walking"
    does in English: the heading named backward walking, the passage only the contrast. Korean
    glues the comparison (보다, "than") to the word before it."""
    found = post_matches(seed_client, text)
    assert claim in found, list(found)


@pytest.mark.parametrize(
    "text",
    [
        # 앞으로 alone is "from now on": no contrast without walking right after it
        "앞으로 더 많이 운동할 계획이다. 허벅지 근육이 강화되고 열량 소모도 커진다.",
        "허벅지 근육이 강화되고 열량 소모도 커진다.",
    ],
)
def test_a_korean_post_without_the_direction_or_the_contrast_makes_no_backward_claim(
    seed_client: TestClient, text: str
) -> None:
    found = post_matches(seed_client, text)
    assert QUADS not in found and CALORIES not in found, list(found)
