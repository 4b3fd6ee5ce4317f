"""Recall on English wording (issue 14, third pass): readings across words for how posts say what
a claim says. Through the API (both backends) with the shipped data and score model. The
sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import KNEE_PAIN, QUADS
from fastapi.testclient import TestClient
from helpers import claims_of

PF_FORCE = "backward-running-reduces-patellofemoral-force"
SPEED = "backward-walking-speed-progression"
CEREBRAL_PALSY = "backward-walking-improves-walking-in-cerebral-palsy"


@pytest.mark.parametrize(
    "text",
    [
        # a load on the knees is a load on the knee joint, the patellofemoral joint of the claim
        "Retro walking minimises the strain on your knees.",
        "Reverse walking lowers the stress on the knees compared with walking forward.",
        "With backward walking there is less pressure on the knees.",
        "Walking backwards cuts knee stress.",
    ],
)
def test_a_load_on_the_knees_is_the_knee_load_claim(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text)[:1] == [PF_FORCE]


@pytest.mark.parametrize(
    "text",
    [
        # the knees named for their pain, with no load on them, stay the knee-pain claim
        "Walking backwards on the treadmill eased the ache in my knees.",
        # a load named apart from the knees is not put on them
        "Walking backwards eased my knees, and the impact of the treadmill felt smaller.",
    ],
)
def test_the_knees_without_a_load_on_them_are_not_the_knee_load_claim(
    seed_client: TestClient, text: str
) -> None:
    found = claims_of(seed_client, text)
    assert PF_FORCE not in found[:1], found
    assert KNEE_PAIN in found[:1] or not found, found


@pytest.mark.parametrize(
    ("text", "first"),
    [
        # walking named with its direction, forward, is set against the other direction
        ("It strengthens your quads in a way you never notice when walking in the forward direction.", QUADS),
        ("Begin at about half your forward walking speed, around 1 mph, and build up slowly.", SPEED),
        (
            "Compared to the same amount of forward gait training, it improved balance in children with "
            "cerebral palsy.",
            CEREBRAL_PALSY,
        ),
    ],
)
def test_walking_forward_named_is_a_contrast_with_backward(
    seed_client: TestClient, text: str, first: str
) -> None:
    assert claims_of(seed_client, text)[:1] == [first]


@pytest.mark.parametrize(
    "text",
    [
        # a verb of walking with "forward" after it is how anyone says they walk, not a direction set
        # against another
        "Walk forward to the wall, turn around, and stretch your calves to ease knee pain.",
        "I walk forwards every morning and my knee pain has eased.",
        "Walk forward three steps, then lunge to strengthen your quads.",
        # another kind of walking set against forward walking is no backward walking
        "Nordic walking works the upper body more than forward walking with no poles.",
    ],
)
def test_walking_forward_as_anyone_walks_is_no_contrast(seed_client: TestClient, text: str) -> None:
    assert claims_of(seed_client, text) == []
