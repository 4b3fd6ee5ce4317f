"""Defects a new user's checks found outside the fact-check matcher (2026-12-01), each through the
public surface: the search pages and API, the API's index and study documents, the exports."""

from __future__ import annotations

from typing import Any

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


VO2 = "backward-training-raises-predicted-vo2max"  # older adults only in its summary and caveats


# --- search ranks who a claim is about above a mention in its caveats -----------------------------


def test_a_population_ranks_the_claims_about_it_first(seed_client: TestClient) -> None:
    """ "elderly" ranked first a claim whose summary and caveats only say older adults were not
    studied (VO2), above the claims tested in older adults (``tested_in``), on both backends."""
    for q in ("elderly", "older adults", "seniors"):
        ids = [item["id"] for item in found(seed_client, q)]
        tested = [
            i for i in ids if "older-adults" in seed_client.get(f"/api/v1/claims/{i}").json()["tested_in"]
        ]
        assert len(tested) >= 2 and VO2 in ids, q
        assert ids[: len(tested)] == tested, (q, ids)
    # a claim's own population counts too ("healthy adults": the claims about them first)
    ids = [item["id"] for item in found(seed_client, "healthy adults")]
    docs = [seed_client.get(f"/api/v1/claims/{i}").json() for i in ids]
    about = ["healthy" in d["population"].lower() or "healthy-adults" in d["tested_in"] for d in docs]
    assert any(about) and about[: sum(about)] == [True] * sum(about), list(zip(ids, about, strict=True))


# --- search result cards show where the query matched ----------------------------------------------


def test_a_card_shows_where_the_query_matched_outside_its_title(seed_client: TestClient) -> None:
    """The API gave a snippet of the summary where "elderly" matched ("older adults"); the card
    showed the calibrated answer only, so a reader could not see why the claim was found."""
    items = found(seed_client, "elderly")
    shown = cards(seed_client, "elderly")
    assert items and len(shown) == len(items)
    matched = {}
    for card, item in zip(shown, items, strict=True):
        for snippet in card.xpath(".//p[@class='snippet']"):
            line = " ".join(snippet.text_content().split())
            assert line.startswith("Matched: ")
            assert snippet.xpath(".//mark")
            assert " ".join(line.removeprefix("Matched: ").strip("…").split()) in " ".join(
                item["snippet"].split()
            )
            assert item["statement"] not in line  # the title shows it
            matched[item["id"]] = [m.text_content().lower() for m in snippet.xpath(".//mark")]
    assert matched.get(VO2) == ["older adults"]  # its summary: "says nothing about ... older adults"


def test_a_card_does_not_repeat_its_title_as_the_snippet(seed_client: TestClient) -> None:
    for card, item in zip(cards(seed_client, "knee pain"), found(seed_client, "knee pain"), strict=False):
        for snippet in card.xpath(".//p[@class='snippet']"):
            assert item["statement"] not in snippet.text_content()
            assert snippet.xpath(".//mark")
    assert search.MARK_START not in seed_client.get("/claims", params={"q": "knee pain"}).text


# --- the API gives the site's addresses absolute, and no DOI as null --------------------------------


def test_the_api_index_and_study_pages_are_absolute(seed_client: TestClient, seed_settings: Any) -> None:
    """``GET /api/v1`` gave ``claims[].url`` as a path and a study's ``page`` was a path in every
    document, while a claim's ``url`` and the fact-check's are absolute; each opens."""
    base = seed_settings.base_url.rstrip("/")
    home = seed_client.get("/api/v1", params={"limit": 3}).json()
    assert home["claims"] and all(c["url"] == f"{base}/api/v1/claims/{c['id']}" for c in home["claims"])
    assert all(link.startswith(base + "/") for link in home["links"].values())
    listed = seed_client.get("/api/v1/studies", params={"limit": 100}).json()["items"]
    assert listed and all(s["page"] == f"{base}/studies/{s['key']}" for s in listed)
    study = seed_client.get(f"/api/v1/studies/{listed[0]['key']}").json()
    assert study["page"] == listed[0]["page"]
    claim = seed_client.get(home["claims"][0]["url"].removeprefix(base)).json()
    assert claim["evidence"]
    assert all(e["study"]["page"] == f"{base}/studies/{e['study']['key']}" for e in claim["evidence"])
    assert seed_client.get(study["page"].removeprefix(base)).status_code == 200
    # the pages still link with the site's paths
    page = seed_client.get(claim["url"].removeprefix(base)).text
    assert f'href="/studies/{claim["evidence"][0]["study"]["key"]}"' in page


def test_a_study_without_a_doi_has_a_null_doi_url(seed_client: TestClient) -> None:
    listed = seed_client.get("/api/v1/studies", params={"limit": 100}).json()["items"]
    without = [s for s in listed if not s["doi"]]
    assert without and all(s["doi_url"] is None for s in without)
    assert all(s["doi_url"].startswith("https://doi.org/") for s in listed if s["doi"])
    detail = seed_client.get(f"/api/v1/studies/{without[0]['key']}").json()
    assert detail["doi_url"] is None


# --- CSL-JSON has no author "others" ------------------------------------------------------------------


def test_the_csl_json_export_names_no_author_others(seed_client: TestClient) -> None:
    """ "and others" was exported as ``{"literal": "others"}``, an author CSL does not have; the
    named authors only (as RIS lists them), the incomplete list recorded in ``custom``, while
    BibTeX keeps "and others" and a formatted reference says "et al."."""
    scope = {"study": "frandsen2025how"}
    items = seed_client.get("/api/v1/citations", params={**scope, "format": "csl-json"}).json()
    assert [name.get("family") for name in items[0]["author"]] == ["Frandsen"]
    assert items[0]["custom"]["evidence-kb"]["and-others"] == ["author"]
    everything = seed_client.get("/api/v1/citations", params={"format": "csl-json"}).text
    assert '"literal": "others"' not in everything and '"literal":"others"' not in everything
    assert "and others" in seed_client.get("/api/v1/citations", params={**scope, "format": "bibtex"}).text
    ris = seed_client.get("/api/v1/citations", params={**scope, "format": "ris"}).text
    assert [line for line in ris.splitlines() if line.startswith("AU")] == [
        "AU  - Frandsen, Jesper Schuster Brandt"
    ]


# --- a question's figure is listed as asked -----------------------------------------------------------

CALORIES = "backward-walking-burns-more-calories"


def _match(client: TestClient, text: str, claim_id: str) -> dict[str, Any]:
    body = client.post("/api/v1/factcheck", json={"text": text}).json()
    return next(m for m in body["matches"] if m["claim"]["id"] == claim_id)


def test_a_question_lists_the_figure_it_asks_about(seed_client: TestClient) -> None:
    """A figure the evidence contradicts, asked about ("5 times more", "twice as many"), was in
    neither the flags nor ``unverified_figures`` (a question states nothing), while "40% more" was
    listed: each is listed as asked, with what the evidence shows, never flagged."""
    for text, figure in [
        ("Does walking backward burn 5 times more calories?", "5 times more"),
        ("Is it true that backward walking burns twice as many calories?", "twice as many"),
        ("Does backward walking burn 40% more calories?", "40%"),
    ]:
        match = _match(seed_client, text, CALORIES)
        assert match["stance"] == "asks", text
        assert not [f for f in match["flags"] if f["code"] in ("figure-mismatch", "misdescribed-study")], text
        (listed,) = [u for u in match["unverified_figures"] if u["post_says"] == figure]
        assert text[listed["span"]["start"] : listed["span"]["end"]] == figure
        assert "17–20%" in listed["note"] and listed["study"] == "hooper2004effects"
        if figure != "40%":  # the contradicted ones say why they are not flagged
            assert listed["note"].startswith("asked, not stated;"), listed
        page = seed_client.post("/factcheck", data={"text": text}).text
        assert f"Figures left unverified: “{figure}”" in page
    # stated, the same figure is the post's own: flagged, not listed as asked
    stated = _match(seed_client, "Walking backward burns 5 times more calories.", CALORIES)
    assert [f for f in stated["flags"] if f["code"] == "figure-mismatch"]
    assert not [u for u in stated["unverified_figures"] if u["note"].startswith("asked")]


def test_a_figure_asked_and_then_stated_is_flagged_once(seed_client: TestClient) -> None:
    text = "Want to burn double the calories? Run backwards. It has been shown to burn double the calories."
    match = _match(seed_client, text, CALORIES)
    flagged = [f for f in match["flags"] if f["code"] == "figure-mismatch"]
    assert [f["post_says"] for f in flagged] == ["double"]
    assert not [u for u in match["unverified_figures"] if u["post_says"] == "double"]


# --- "back" the body part, not the adverb ---------------------------------------------------------------

BACK_PAIN = "backward-walking-relieves-low-back-pain"
MEMORY = "backward-walking-improves-memory"  # a phrasing: "take a few steps back to jog your memory"


def test_back_finds_the_back_not_every_step_back(seed_client: TestClient) -> None:
    """ "knee or back" found "take a few steps back" and "get your extension back": a reader
    searching "back" means the body part. The adverb ("steps back", "walking back") is still
    found by the words that make it one."""
    back = [item["id"] for item in found(seed_client, "back")]
    assert back and back[0] == BACK_PAIN
    for q in ("back", "knee or back", "Back", "knee OR back"):
        ids = [item["id"] for item in found(seed_client, q)]
        assert BACK_PAIN in ids and MEMORY not in ids, q
    knee_or_back = {item["id"] for item in found(seed_client, "knee or back")}
    assert knee_or_back == {item["id"] for item in found(seed_client, "knee")} | set(back)
    assert MEMORY in [item["id"] for item in found(seed_client, "steps back")]
    assert BACK_PAIN in [item["id"] for item in found(seed_client, "lower back")]
    # "walking back" is backward walking (a term of the concept list), as before
    walking_back = {item["id"] for item in found(seed_client, "walking back")}
    assert walking_back == {item["id"] for item in found(seed_client, "walking backward")}


def test_back_is_read_in_its_words_on_both_sides_of_the_index() -> None:
    body = ["low back pain", "my back", "knee or back", "back and knee pain", "back", "a sore back"]
    adverb = ["get your extension back", "take a few steps back", "walk back to the car", "back and forth"]
    for text in body:
        assert "back" in search.index_text(text).split(), text
    for text in adverb:
        assert "back" not in search.index_text(text).split(), text
        assert search.index_text(text) == " ".join(t.term for t in search.tokens(text))
