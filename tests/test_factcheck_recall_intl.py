"""Recall in languages other than English: German and Dutch compounds that share their last part
("Knie- oder Hüftprobleme"), Romanian and Arabic, read through the concepts' terms, and wordings
the other languages' terms missed (2026-12-01). On the
reading of a post (``check.post_units``) and through the API, with the shipped data and score
model. The sentences are written for these tests, not taken from the labelled set."""

from __future__ import annotations

import pytest
from claimids import BALANCE, CALORIES, KNEE_PAIN
from fastapi.testclient import TestClient
from helpers import claim_matches, factcheck_body, post_features


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Rückwärtslaufen hilft Menschen mit Knie- oder Hüftproblemen.", "knee-pain"),
        ("Eine Entlastung sowohl bei Knie- als auch bei Rückenbeschwerden.", "knee-pain"),
        ("Ein Kräftigungs- und Beweglichkeitstraining lindert die Schmerzen.", "quadriceps-exercise"),
        ("Looptraining: voor-, zij- en achterwaarts lopen.", "forward"),
    ],
)
def test_a_compound_part_left_open_is_completed(index, text: str, found: str) -> None:  # type: ignore[no-untyped-def]
    """German and Dutch write a shared last part once ("Knie- oder Hüftproblemen": knee problems
    or hip problems): the open part takes the completing compound's tail when that makes a term."""
    assert found in post_features(index, text)


def test_an_open_part_with_no_term_is_left_as_written(index) -> None:  # type: ignore[no-untyped-def]
    """No tail makes a term: the part is read as written ("Knie-" is the knee), and a hyphenated
    word or a dash between spaces is no open part."""
    from app.factcheck import language

    assert "knee" in post_features(index, "Knie- und Sprunggelenk werden geschont.")
    tokens = language.analyzer(index, "de").tokens("Nach der Knie-OP - oder später")
    assert [t.word for t in tokens][:4] == ["nach", "der", "knie", "op"]


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("Mersul cu spatele îmbunătățește echilibrul și reduce riscul de căderi.", BALANCE),
        ("Alergarea cu spatele arde mai multe calorii decât alergarea obișnuită.", CALORIES),
        ("Mersul înapoi ameliorează durerile de genunchi.", KNEE_PAIN),
        # the cedilla letters older Romanian text is written with (ş, ţ) read as the comma ones
        ("Mersul înapoi ameliorează durerile de genunchi şi întăreşte muşchii.", KNEE_PAIN),
    ],
)
def test_romanian_is_read_through_the_concepts(seed_client: TestClient, text: str, claim: str) -> None:
    """Romanian was not read (no match and a warning); it is now read through the concepts'
    terms with the Romanian Snowball stemmer, and the response says so."""
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == "ro"
    assert body["language"]["handled"] and body["language"]["matched_by"] == "concepts"
    assert claim in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]
    assert any("concept vocabulary" in w for w in body["warnings"]), body["warnings"]


@pytest.mark.parametrize(
    "text",
    [
        # "cu spatele" alone is "with the back" ("sit with your back straight"), not backward
        "Stai cu spatele drept când lucrezi la birou și ai grijă de genunchi.",
        # "un pas înapoi" is a step back from a decision
        "Ministrul a făcut un pas înapoi și a renunțat la proiect.",
    ],
)
def test_romanian_back_words_that_are_no_direction_find_nothing(seed_client: TestClient, text: str) -> None:
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == "ro" and body["matches"] == []


def test_a_romanian_negation_denies(seed_client: TestClient) -> None:
    """Romanian "nu" before the verb it negates denies the claim; Dutch "nu" ("now") is none."""
    from app.factcheck.stance import negation_cues

    body = factcheck_body(seed_client, "Mersul cu spatele nu ajută la durerile de genunchi.")
    found = {m["claim"]["id"]: m for m in body["matches"]}
    assert found[KNEE_PAIN]["stance"] == "denies"
    assert negation_cues("Ik loop nu achteruit voor mijn knieën.") == []


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("المشي إلى الخلف يخفف آلام الركبة.", KNEE_PAIN),
        ("المشي للخلف يحسن التوازن والتنسيق.", BALANCE),
        ("المشي إلى الخلف يحرق سعرات حرارية أكثر من المشي إلى الأمام.", CALORIES),
    ],
)
def test_arabic_is_read_through_the_concepts(seed_client: TestClient, text: str, claim: str) -> None:
    """Arabic was not read (no match and a warning); it is now read through the concepts' terms
    with the Arabic Snowball stemmer, and the response says so."""
    body = factcheck_body(seed_client, text)
    assert body["language"]["code"] == "ar"
    assert body["language"]["handled"] and body["language"]["matched_by"] == "concepts"
    assert claim in claim_matches(body), [m["claim"]["id"] for m in body["matches"]]
    assert any("concept vocabulary" in w for w in body["warnings"]), body["warnings"]


def test_arabic_negation_and_its_pseudo_negations() -> None:
    """لا before a verb negates it; لا تزال ("still") does not."""
    from app.factcheck.stance import negation_cues

    assert negation_cues("المشي إلى الخلف لا يخفف آلام الركبة.")
    assert negation_cues("لا تزال الأدلة محدودة حول المشي إلى الخلف.") == []


@pytest.mark.parametrize(
    ("text", "found"),
    [
        # fall prevention is balance, as "fall prevention" and "Sturzprävention" already were
        ("Rückwärtsgehen dient der Sturzprophylaxe im Alter.", "balance"),
        # "less stressful for the joints": English "stress" stems the adjective with the noun
        ("Camminare all'indietro è meno stressante per le articolazioni.", "compressive-force"),
        ("La corsa all'indietro non affatica le ginocchia.", "compressive-force"),
    ],
)
def test_wordings_the_terms_missed(index, text: str, found: str) -> None:  # type: ignore[no-untyped-def]
    assert found in post_features(index, text)
