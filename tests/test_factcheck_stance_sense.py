"""A new user's trial (issue 14), through the API on both backends: a comparison said the other
way round denies the claim, "walk back" in the sense of a return trip or a retraction is no
backward walking, and what a post only supposes ("If X, ...") it does not assert. Each rule is
general (the comparison's direction read from the claim's own statement, concept terms, the
condition's antecedent); each test holds variants the report did not name and genuine assertions
that must stay assertions."""

from __future__ import annotations

import pytest
from claimids import CALORIES, ENERGY, KNEE_PAIN
from fastapi.testclient import TestClient
from helpers import claim_matches as matches
from helpers import factcheck_body as check
from helpers import flag_codes as codes

PATELLOFEMORAL = "backward-running-reduces-patellofemoral-force"


@pytest.mark.parametrize(
    ("text", "stance", "expected"),
    [
        # the direction reversed; the sides swapped; "energy"; a variant
        ("Backward walking burns fewer calories than forward walking", "denies", {CALORIES}),
        ("Forward walking burns more calories than backward walking", "denies", {CALORIES}),
        ("Walking backwards uses less energy than walking forwards", "denies", {ENERGY}),
        ("Retro walking burns less energy than normal walking", "denies", {ENERGY}),
        # the claim itself; both reversed
        ("Backward walking burns more calories than forward walking", "asserts", {CALORIES}),
        ("Forward walking burns fewer calories than backward walking", "asserts", {CALORIES}),
    ],
)
def test_a_reversed_comparison_denies_the_energy_claims(
    seed_client: TestClient, text: str, stance: str, expected: set[str]
) -> None:
    """Every energy claim returned takes the stance, and those the post words (``expected``: the
    calorie claim for "calories", the energy-cost claim for "energy") are among them."""
    found = matches(check(seed_client, text))
    assert expected <= set(found), f"{sorted(expected - set(found))} not among {list(found)}"
    energy = [found[c] for c in (ENERGY, CALORIES) if c in found]
    for match in energy:
        assert match["stance"] == stance, (match["claim"]["id"], match["stance"])
        if stance == "denies":  # a denial of a supported claim is itself flagged; nothing else is
            assert ("denies-supported" in codes(match)) == (match["claim"]["verdict"] == "supported")
            assert not codes(match) & {"overclaim", "population-mismatch"}


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("Backward running puts more force on the kneecap than forward running", "denies"),
        ("Forward running puts less force on the kneecap than backward running", "denies"),
        ("Backward running puts less force on the kneecap than forward running", "asserts"),
    ],
)
def test_a_reversed_comparison_denies_the_patellofemoral_claim(
    seed_client: TestClient, text: str, stance: str
) -> None:
    match = matches(check(seed_client, text))[PATELLOFEMORAL]
    assert match["stance"] == stance


def test_the_claims_direction_is_read_from_its_statement() -> None:
    from app.factcheck.stance import comparison  # new in this change

    assert (
        comparison(
            "Running backward puts less compressive force on the patellofemoral joint than running forward."
        )
        == -1
    )
    assert comparison("Walking backward burns 20-40% more calories than walking forward.") == 1
    assert comparison("Walking backwards rather than forwards eases knee pain") is None  # no comparison
    assert comparison("Backward walking burns more calories than jogging") is None  # not backward vs forward


@pytest.mark.parametrize(
    "text",
    [
        "Walking back from the gym yesterday, my knee pain was gone",
        "I was walking back home and my knee pain disappeared",
        "The minister walked back his claim that walking burns more calories",
        "She walks back to the car every day and her knee pain has eased",  # a variant
    ],
)
def test_walking_back_somewhere_is_not_backward_walking(seed_client: TestClient, text: str) -> None:
    found = matches(check(seed_client, text))
    assert not set(found) & {KNEE_PAIN, CALORIES, ENERGY}, list(found)


@pytest.mark.parametrize(
    "text",
    [
        "walking backwards on the treadmill eased my knee pain",
        "Walking back on the treadmill eased my knee pain",  # "walk back" on a treadmill is backward
    ],
)
def test_genuine_backward_walking_still_matches(seed_client: TestClient, text: str) -> None:
    match = matches(check(seed_client, text))[KNEE_PAIN]
    assert match["stance"] == "asserts"


@pytest.mark.parametrize(
    ("text", "stance"),
    [
        ("If walking backwards cured knee pain, doctors would prescribe it", "denies"),  # counterfactual
        ("Doctors would prescribe it if walking backwards cured knee pain", "denies"),
        ("Even if walking backwards eases knee pain, it is boring", "asks"),  # supposed, left open
        ("Unless walking backwards relieves your knee pain, stop doing it", "asks"),
        ("If you have knee pain, walking backwards can help", "asserts"),  # the claim is in the main clause
    ],
)
def test_a_supposed_claim_is_not_asserted(seed_client: TestClient, text: str, stance: str) -> None:
    match = matches(check(seed_client, text))[KNEE_PAIN]
    assert match["stance"] == stance
    if stance != "asserts":  # overclaim and population flags are for what the post asserts
        assert not codes(match) & {"overclaim", "population-mismatch"}
