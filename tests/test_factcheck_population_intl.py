"""Population flags on posts in French, Spanish and German: the groups and the words that apply a
claim to everyone, named in the post's language, are read as the English ones are ("para todos"
as "for everyone", "personnes âgées" as "older adults", "auch gesunden Erwachsenen" as "healthy
adults too"). Through the API, with the shipped data; the sentences are the tests' own."""

from __future__ import annotations

import pytest
from claimids import KNEE_PAIN, STROKE
from fastapi.testclient import TestClient
from helpers import factcheck_body, match_for

KNEE_FORCE = "backward-running-reduces-patellofemoral-force"


def population_flag(body: dict, claim_id: str) -> dict:  # type: ignore[type-arg]
    match = match_for(body, claim_id)
    assert match["stance"] == "asserts"
    found = [f for f in match["flags"] if f["code"] == "population-mismatch"]
    assert found, match["flags"]
    return found[0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Caminar hacia atrás en la cinta alivia el dolor de rodilla para todos.", "para todos"),
        ("Marcher à reculons soulage les douleurs au genou chez tout le monde.", "tout le monde"),
        ("Rückwärtsgehen lindert Knieschmerzen für jeden.", "für jeden"),
    ],
)
def test_a_claim_tested_in_patients_applied_to_everyone(
    seed_client: TestClient, text: str, says: str
) -> None:
    flag = population_flag(factcheck_body(seed_client, text), KNEE_PAIN)
    assert "applies this to everyone" in flag["message"], flag["message"]
    assert flag["span"]["text"] == says


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "Correr hacia atrás reduce la carga sobre la rótula, perfecto para personas mayores.",
            "personas mayores",
        ),
        (
            "Courir à reculons réduit la pression sur la rotule, idéal pour les personnes âgées.",
            "personnes âgées",
        ),
        ("Rückwärtslaufen entlastet die Kniescheibe, ideal für Senioren.", "Senioren"),
    ],
)
def test_a_group_the_studies_did_not_include(seed_client: TestClient, text: str, says: str) -> None:
    flag = population_flag(factcheck_body(seed_client, text), KNEE_FORCE)
    assert flag["span"]["text"] == says
    assert "older adults" in flag["message"], flag["message"]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (
            "La marcha atrás mejora la marcha después de un ictus, y funciona también en personas sanas.",
            "personas sanas",
        ),
        (
            "Rückwärtsgehen verbessert das Gehen nach einem Schlaganfall und hilft auch gesunden Erwachsenen.",
            "gesunden Erwachsenen",
        ),
    ],
)
def test_healthy_people_added_to_the_tested_patients(seed_client: TestClient, text: str, says: str) -> None:
    flag = population_flag(factcheck_body(seed_client, text), STROKE)
    assert flag["span"]["text"] == says


@pytest.mark.parametrize(
    ("text", "claim_id"),
    [
        # "todos los días", "tous les jours", "bei jedem Schritt": every day, every step, no one named
        (
            "Caminar hacia atrás todos los días fortalece los cuádriceps.",
            "backward-walking-strengthens-quadriceps",
        ),
        (
            "Marcher à reculons tous les jours renforce les quadriceps.",
            "backward-walking-strengthens-quadriceps",
        ),
        (
            "Rückwärtsgehen stärkt bei jedem Schritt die Oberschenkelmuskeln.",
            "backward-walking-strengthens-quadriceps",
        ),
    ],
)
def test_every_day_names_no_one(seed_client: TestClient, text: str, claim_id: str) -> None:
    match = match_for(factcheck_body(seed_client, text), claim_id)
    assert "population-mismatch" not in {f["code"] for f in match["flags"]}, match["flags"]
