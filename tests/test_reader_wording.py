"""What readers see names no internal tooling: the pages and the API speak of what was read
(PubMed, the abstract), not of the tools or files the curators used to read it."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

#: Words of the curators' workshop: a search tool and its corpora, the reference files.
INTERNAL = re.compile(r"search tool|pages corpus|evidence\.yaml|review-2026-11\.md", re.I)


def test_claim_and_study_pages_name_no_internal_tooling(seed_client: TestClient) -> None:
    claims = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    studies = seed_client.get("/api/v1/studies", params={"limit": 100}).json()["items"]
    assert claims and studies
    paths = [f"/claims/{c['id']}" for c in claims] + [f"/api/v1/claims/{c['id']}" for c in claims]
    paths += [f"/studies/{s['key']}" for s in studies] + [f"/api/v1/studies/{s['key']}" for s in studies]
    found = {}
    for path in paths:
        response = seed_client.get(path)
        assert response.status_code == 200, path
        hits = INTERNAL.findall(response.text)
        if hits:
            found[path] = sorted(set(hits))
    assert not found, found


def test_what_was_read_is_said_plainly(seed_client: TestClient) -> None:
    phrase = "the abstract only was read"
    claims = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    assert any(phrase in seed_client.get(f"/claims/{c['id']}").text for c in claims)
