"""Defects a new user's checks found outside the fact-check matcher (2026-12-01), each through the
public surface: the search pages and API, the API's index and study documents, the exports."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient

from app import search


def cards(client: TestClient, q: str) -> list[lxml.html.HtmlElement]:
    doc = lxml.html.fromstring(client.get("/claims", params={"q": q}).text)
    return list(doc.xpath("//article[@class='claim-card']"))


def found(client: TestClient, q: str) -> list[dict]:
    response = client.get("/api/v1/claims", params={"q": q, "limit": 100})
    assert response.status_code == 200
    return list(response.json()["items"])


# --- search result cards show where the query matched ----------------------------------------------


def test_a_card_shows_where_the_query_matched_outside_its_title(seed_client: TestClient) -> None:
    """The API gave a snippet of the summary where "elderly" matched ("older adults"); the card
    showed the calibrated answer only, so a reader could not see why the claim was found."""
    items = found(seed_client, "elderly")
    shown = cards(seed_client, "elderly")
    assert items and len(shown) == len(items)
    for card, item in zip(shown, items, strict=True):
        snippet = card.xpath(".//p[@class='snippet']")
        assert snippet, item["id"]
        line = " ".join(snippet[0].text_content().split())
        assert line.startswith("Matched: ")
        assert [m.text_content().lower() for m in snippet[0].xpath(".//mark")]
        assert " ".join(line.removeprefix("Matched: ").strip("…").split()) in " ".join(
            item["snippet"].split()
        )
        assert item["statement"] not in line  # the title shows it


def test_a_card_does_not_repeat_its_title_as_the_snippet(seed_client: TestClient) -> None:
    for card, item in zip(cards(seed_client, "knee pain"), found(seed_client, "knee pain"), strict=False):
        for snippet in card.xpath(".//p[@class='snippet']"):
            assert item["statement"] not in snippet.text_content()
            assert snippet.xpath(".//mark")
    assert search.MARK_START not in seed_client.get("/claims", params={"q": "knee pain"}).text
