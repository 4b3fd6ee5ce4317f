"""A new reader's trial of the claim pages, references and search (both backends, ``seed_client``):
counts beside "no direct evidence" say they are related studies; the grade's reasons read as
plain sentences (a partial move, one study); a translated search term means what its English
term means. (The trial also asked for APA reference lists without "et al."; an incomplete author
list keeps it, a house rule: dropping it makes "Frandsen, J. S. B. (2025)" look like a one-author
paper, test_citations.APA.)"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient


def page_text(client: TestClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


def test_counts_beside_no_direct_evidence_are_called_related(seed_client: TestClient) -> None:
    # Was "8 studies, 183 participants" right beside "No study has measured this directly".
    text = page_text(seed_client, "/claims/backward-walking-relieves-everyday-knee-pain")
    assert "No study has measured this directly" in text
    assert "8 related studies (indirect evidence), 183 participants" in text
    assert "8 (related studies: indirect evidence, not graded)" in text  # the summary-of-findings row
    assert "Why there is no evidence grade" in text
    assert "Why the evidence grade is no direct evidence" not in text


def test_grade_reasons_read_as_sentences(seed_client: TestClient) -> None:
    text = page_text(seed_client, "/claims/backward-training-raises-predicted-vo2max")
    assert "Moved 1 only" not in text and "Every study carrying the grade" not in text
    # One study: not "every study"; a two-level step from low stops at very low.
    assert "The only study carrying the grade is at high risk of bias." in text
    assert "(This lowers the grade by one level, not two levels: very low is the lowest grade.)" in text
    assert "Why the evidence grade is very low" in text


def claim_ids(client: TestClient, q: str) -> list[str]:
    response = client.get("/api/v1/claims", params={"q": q, "limit": 100})
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


def test_a_translated_term_finds_what_its_english_term_finds(seed_client: TestClient) -> None:
    # "calorías" and "Kalorien" are listed in energy-cost and calorie-burn, as "calories" is; they
    # stood for every term of both (heart rate, oxygen, ...) and found 8 claims, the knee-pain
    # training-load claim among them.
    calories = claim_ids(seed_client, "calories")
    assert "backward-walking-burns-more-calories" in calories
    assert claim_ids(seed_client, "calorías") == calories
    assert claim_ids(seed_client, "kalorien") == calories
