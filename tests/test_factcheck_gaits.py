"""Walking and running backward stand for each other in a claim's core, and the match says which
gait the claim is about (``index.GAITS``, ``flags.activity_flags``). Through the HTTP API with the
shipped data and score model; the sentences are written for these tests, not taken from the
labelled set."""

from __future__ import annotations

import pytest

PF_FORCE = "backward-running-reduces-patellofemoral-force"
CALORIES = "backward-walking-burns-more-calories"


def _post(client, text: str) -> dict:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/factcheck", json={"text": text})
    assert response.status_code == 200, response.text
    return {m["claim"]["id"]: m for m in response.json()["matches"]}


def _codes(match: dict) -> list[str]:
    return [f["code"] for f in match["flags"]]


def test_walking_passes_on_the_running_claim_with_a_flag(seed_client) -> None:  # type: ignore[no-untyped-def]
    """Core coverage counts "walking" for the claim's "running": the knee-force claim is returned
    (it scored 0.16 before, ranked under the knee-pain claim), and the flag quotes the post's gait."""
    text = "Walking backwards reduces stress on the knees."
    match = _post(seed_client, text)[PF_FORCE]
    (flag,) = [f for f in match["flags"] if f["code"] == "activity-mismatch"]
    assert flag["post_says"] == "Walking" == text[flag["span"]["start"] : flag["span"]["end"]]
    assert "running backward" in flag["message"] and "caveats" in flag["message"]
    assert flag["study"]


def test_running_said_of_a_walking_claim_is_flagged(seed_client) -> None:  # type: ignore[no-untyped-def]
    match = _post(seed_client, "Running backwards burns more calories than running forward.")[CALORIES]
    (flag,) = [f for f in match["flags"] if f["code"] == "activity-mismatch"]
    assert flag["post_says"] == "Running" and "walking backward" in flag["message"]


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        ("Backward running puts less force on the kneecap.", PF_FORCE),  # the claim's own gait
        ("Walking backwards burns more calories than walking forward.", CALORIES),
        # both gaits named: the post covers the claim's own
        ("Walking and running backwards burn more calories than going forward.", CALORIES),
    ],
)
def test_no_flag_when_the_post_names_the_claims_gait(seed_client, text: str, claim_id: str) -> None:  # type: ignore[no-untyped-def]
    match = _post(seed_client, text)[claim_id]
    assert "activity-mismatch" not in _codes(match)


def test_no_activity_flag_on_a_denial(seed_client) -> None:  # type: ignore[no-untyped-def]
    """Like the population flag, it is about what the post asserts."""
    matches = _post(seed_client, "Running backwards does not burn more calories than running forward.")
    for match in matches.values():
        assert match["stance"] != "asserts" or "activity-mismatch" not in _codes(match)
        if match["stance"] == "denies":
            assert "activity-mismatch" not in _codes(match)


def test_the_claims_subject_decides_and_no_gait_no_flag(seed_client) -> None:  # type: ignore[no-untyped-def]
    """A claim whose subject names no gait (quadriceps strengthening) never gets the flag."""
    matches = _post(seed_client, "Running strengthens the quadriceps, which reduces knee pain.")
    for match in matches.values():
        if match["claim"]["id"] == "quadriceps-strengthening-reduces-knee-pain":
            assert "activity-mismatch" not in _codes(match)
