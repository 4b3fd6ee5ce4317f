"""The website, through the app on SQLite and PostgreSQL (``seed_client``).

Pages are parsed (lxml) and asserted by structure; expected values come from the JSON API, the
data files and the grading module, never from remembered numbers. A crawl from the home page
checks every page reachable by links for status, landmarks, labels and the CSP rules.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import yaml
from fastapi.testclient import TestClient
from helpers import DATA_DIR, make_settings
from lxml.html import HtmlElement
from sqlalchemy.exc import OperationalError
from zotero_embedded import embedded_metadata_people

from app import certainty, grading, render, vocab, web
from app.build import build_database
from app.loader import ClaimRecord, load_data
from app.main import create_app
from app.settings import Settings

HTML = {"accept": "text/html,application/xhtml+xml"}
CLAIM = "backward-walking-relieves-everyday-knee-pain"
STUDY = "roos2012patellofemoral"
MAX_CRAWL = 250  # facet combinations multiply; every page kind is reached well before this
XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@cache
def seed_claims() -> list[ClaimRecord]:
    return load_data(DATA_DIR).claims


def fetch(client: TestClient, path: str, status: int = 200, **params: Any) -> HtmlElement:
    # (httpx replaces a query string already in the path by ``params``, even an empty one)
    response = client.get(path, params=params or None, headers=HTML)
    assert response.status_code == status, (path, response.status_code, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(response.text)


def api(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def text(node: HtmlElement) -> str:
    return " ".join(node.text_content().split())


def one(doc: HtmlElement, xpath: str) -> HtmlElement:
    found = doc.xpath(xpath)
    assert len(found) == 1, (xpath, len(found))
    return found[0]  # type: ignore[no-any-return]


def result_ids(doc: HtmlElement) -> list[str]:
    return [a.get("href").rsplit("/", 1)[1] for a in doc.xpath("//article[@class='claim-card']//h3/a")]


def all_result_ids(client: TestClient, **params: Any) -> list[str]:
    """Follow the "next" links of a search through every page."""
    found: list[str] = []
    path: str | None = "/claims"
    while path:
        doc = fetch(client, path, **params)
        params = {}
        found += result_ids(doc)
        nxt = doc.xpath("//nav[@class='pagination']//a[@rel='next']/@href")
        path = nxt[0] if nxt else None
    return found


# --- every page: landmarks, labels, CSP rules ------------------------------------------------------


def check_page(doc: HtmlElement, path: str) -> None:
    """What every page must have, whatever its content."""
    assert doc.get("lang") == "en", path
    assert doc.xpath("//title") and text(doc.xpath("//title")[0]), path
    assert doc.xpath("//meta[@name='viewport']"), path
    assert len(doc.xpath("//main[@id='content']")) == 1, path
    assert doc.xpath("//header") and doc.xpath("//footer") and doc.xpath("//nav[@aria-label='Main']"), path
    assert doc.xpath("//a[@class='skip-link' and @href='#content']"), path
    assert len(doc.xpath("//h1")) == 1, path
    # The CSP forbids inline script and style: no style attribute or element, no inline script
    # except JSON-LD data, no event handler attributes.
    assert not doc.xpath("//*[@style] | //style"), path
    for script in doc.xpath("//script"):
        assert script.get("src") or script.get("type") == "application/ld+json", path
        if script.get("src"):
            assert script.get("src").startswith("/static/"), path
    assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")], (
        path
    )
    # Nothing loaded from elsewhere.
    for url in doc.xpath("//link[@rel='stylesheet']/@href | //script/@src | //img/@src"):
        assert url.startswith("/"), (path, url)
    # Every visible form control has a label.
    labelled = set(doc.xpath("//label/@for"))
    for control in doc.xpath("//input[not(@type='hidden')] | //textarea | //select"):
        assert control.get("id") in labelled or control.get("aria-label"), (path, lxml.html.tostring(control))
    for img in doc.xpath("//img"):
        assert img.get("alt") is not None, path
    for svg in doc.xpath("//svg"):
        # An image, or a group of links (the evidence chart's marks), with a name.
        assert svg.get("aria-hidden") == "true" or (
            svg.get("role") in ("img", "group") and svg.get("aria-labelledby")
        ), path
    ids = doc.xpath("//@id")
    assert len(ids) == len(set(ids)), (path, [i for i in ids if ids.count(i) > 1])


def internal_links(doc: HtmlElement) -> Iterator[str]:
    """Site links, leaving out combinations of several search parameters (tested on their own:
    following every facet combination would multiply the pages without reaching new kinds)."""
    for href in doc.xpath("//a/@href"):
        site = href.startswith("/") and not href.startswith(
            ("/api/", "/docs", "/static/", "/feeds/", "/downloads/", "/sitemap.xml")
        )
        if site and len(parse_qs(urlsplit(href).query)) <= 1:
            yield href.split("#", 1)[0]


def test_crawl_every_page_from_home(seed_client: TestClient) -> None:
    """Everything reachable from the home page renders and passes the page checks."""
    seen = {"/"}
    queue = deque(["/"])
    pages = 0
    while queue and pages < MAX_CRAWL:
        path = queue.popleft()
        doc = fetch(seed_client, path)
        check_page(doc, path)
        pages += 1
        for link in internal_links(doc):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    kinds = {urlsplit(p).path.split("/")[1] for p in seen}
    assert {"claims", "studies", "methodology", "factcheck"} <= kinds
    claim_pages = {p for p in seen if re.fullmatch(r"/claims/[^/?]+", p)}
    assert {f"/claims/{c.claim.id}" for c in seed_claims()} <= claim_pages


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/claims",
        f"/claims/{CLAIM}",
        f"/studies/{STUDY}",
        "/studies",
        "/methodology",
        "/factcheck",
        "/static/site.css",
    ],
)
def test_security_headers_on_pages(seed_client: TestClient, path: str) -> None:
    response = seed_client.get(path, headers=HTML)
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"


def test_static_files_are_self_contained(seed_client: TestClient) -> None:
    for name in ("site.css", "site.js", "favicon.svg"):
        body = seed_client.get(render.static_url(name)).text
        assert "http://" not in body.replace("http://www.w3.org/2000/svg", "") and "https://" not in body, (
            name
        )
        assert "@import" not in body and "@font-face" not in body, name


# --- home ----------------------------------------------------------------------------------------


def test_home(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/")
    home = api(seed_client, "/api/v1")
    first_form = doc.xpath("//main//form")[0]
    assert first_form.get("action") == "/claims" and first_form.xpath(".//input[@name='q']")
    counts = text(one(doc, "//p[@class='counts']"))
    assert f"{home['claims_total']} claims" in counts and f"{home['studies_total']} studies" in counts
    most = api(seed_client, "/api/v1/claims", sort="appearances", limit=6)
    assert result_ids(doc) == [c["id"] for c in most["items"]]
    overview = api(seed_client, "/api/v1/claims", limit=1)["facets"]
    topic_links = doc.xpath("//a[starts-with(@href, '/claims?topic=')]/@href")
    assert [parse_qs(urlsplit(h).query)["topic"][0] for h in topic_links] == [
        t["value"] for t in overview["topic"]
    ]
    assert len(doc.xpath("//a[starts-with(@href, '/claims?verdict=')]")) == len(overview["verdict"])
    recent = api(seed_client, "/api/v1/claims", sort="reviewed", limit=5)
    recent_links = doc.xpath("//section[@aria-labelledby='recent-title']//a/@href")
    assert recent_links == [f"/claims/{c['id']}" for c in recent["items"]]


# --- search --------------------------------------------------------------------------------------


def claims_mentioning(*words: str) -> set[str]:
    return {c.claim.id for c in seed_claims() if all(w in c.claim.statement.lower() for w in words)}


@pytest.mark.parametrize(
    ("q", "words"), [("knee", ("knee",)), ("vo2 max", ("vo2 max",)), ("knees", ("knee",))]
)
def test_a_reader_finds_the_right_claims(seed_client: TestClient, q: str, words: tuple[str, ...]) -> None:
    found = all_result_ids(seed_client, q=q)
    expected = claims_mentioning(*words)
    assert expected and expected <= set(found), expected - set(found)
    assert found == [c["id"] for c in api(seed_client, "/api/v1/claims", q=q, limit=100)["items"]]


def test_search_highlights_the_matched_words(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims", q="knee")
    marks = [text(m).lower() for m in doc.xpath("//p[@class='people-say']//mark")]
    # The query word, or a word of one of its curated synonyms (search expands them).
    store = seed_client.app.state.store  # type: ignore[attr-defined]
    allowed = {word[:4] for term in store.synonyms().expand("knee") for word in term.split()}
    assert marks and any(m.startswith("knee") for m in marks)
    assert all(word[:4] in allowed for m in marks for word in m.split()), marks
    assert one(doc, "//input[@id='q']").get("value") == "knee"
    assert "knee" in text(one(doc, "//h1"))


def test_search_results_show_verdict_and_grade(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims", q="quadriceps")
    expected = api(seed_client, "/api/v1/claims", q="quadriceps")["items"]
    cards = doc.xpath("//article[@class='claim-card']")
    assert len(cards) == len(expected) > 0
    for card, item in zip(cards, expected, strict=True):
        assert text(one(card, ".//span[contains(@class, 'verdict ')]")).endswith(item["verdict_label"])
        grade = text(one(card, ".//span[@class='grade-text']"))
        assert item["grade"]["label"] in grade and render.participants_text(item) in grade


@pytest.mark.parametrize("facet", ["verdict", "grade", "topic"])
def test_facet_links_filter_to_their_counts(seed_client: TestClient, facet: str) -> None:
    doc = fetch(seed_client, "/claims", q="knee")
    links = doc.xpath(f"//section[@aria-labelledby='facet-{facet}']//a")
    assert links
    for link in links:
        count = int(text(one(link, ".//span[@class='count']")))
        target = fetch(seed_client, link.get("href"))
        status = text(one(target, "//p[contains(@class, 'results-count')]"))
        assert re.search(rf"\b{count} claims?\b", status), (link.get("href"), status)
        params = parse_qs(urlsplit(link.get("href")).query)
        assert params["q"] == ["knee"] and len(params[facet]) == 1
        selected = one(target, f"//section[@aria-labelledby='facet-{facet}']//a[@aria-current='true']")
        # Following the selected value again removes the filter.
        assert facet not in parse_qs(urlsplit(selected.get("href")).query)


def test_facets_combine_and_the_url_keeps_the_state(seed_client: TestClient) -> None:
    everything = api(seed_client, "/api/v1/claims", q="walking", limit=100)
    verdict = everything["facets"]["verdict"][0]["value"]
    narrowed = api(seed_client, "/api/v1/claims", q="walking", verdict=verdict, limit=100)
    grade = narrowed["facets"]["grade"][0]["value"]
    both = api(
        seed_client, "/api/v1/claims", q="walking", verdict=verdict, grade=grade, sort="statement", limit=100
    )
    doc = fetch(seed_client, "/claims", q="walking", verdict=verdict, grade=grade, sort="statement")
    assert result_ids(doc) == [c["id"] for c in both["items"]][: web.CLAIMS_PER_PAGE]
    # The search form carries the filters and the sort, so a new query keeps them.
    hidden = {
        (i.get("name"), i.get("value")) for i in doc.xpath("//form[@role='search']//input[@type='hidden']")
    }
    assert {("verdict", verdict), ("grade", grade), ("sort", "statement")} <= hidden
    assert (
        one(doc, "//nav[@aria-label='Sort results']//a[@aria-current='true']")
        .get("href")
        .count("sort=statement")
    )
    clear = one(doc, "//a[text()='Clear all filters']").get("href")
    assert parse_qs(urlsplit(clear).query) == {"q": ["walking"], "sort": ["statement"]}


def test_sort_links(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims")
    links = {
        parse_qs(urlsplit(h).query)["sort"][0]: h
        for h in doc.xpath("//nav[@aria-label='Sort results']//a/@href")
    }
    assert "relevance" not in links  # nothing to rank by without a query
    for sort, href in links.items():
        expected = api(seed_client, "/api/v1/claims", sort=sort, limit=web.CLAIMS_PER_PAGE)
        assert result_ids(fetch(seed_client, href)) == [c["id"] for c in expected["items"]], sort


def test_pagination(seed_client: TestClient) -> None:
    total = api(seed_client, "/api/v1/claims", limit=1)["total"]
    assert total > web.CLAIMS_PER_PAGE, "the seed data should need more than one page"
    first = fetch(seed_client, "/claims")
    assert len(result_ids(first)) == web.CLAIMS_PER_PAGE
    assert text(one(first, "//p[contains(@class, 'results-count')]")).startswith(
        f"1–{web.CLAIMS_PER_PAGE} of {total}"
    )
    assert one(first, "//nav[@class='pagination']//a[@aria-current='page']").get("href") == "/claims"
    everything = all_result_ids(seed_client)
    assert everything == [c["id"] for c in api(seed_client, "/api/v1/claims", limit=100)["items"]]
    last_page = -(-total // web.CLAIMS_PER_PAGE)
    last = fetch(seed_client, "/claims", page=last_page)
    assert not last.xpath("//a[@rel='next']") and last.xpath("//a[@rel='prev']")
    beyond = fetch(seed_client, "/claims", page=last_page + 1)
    assert not result_ids(beyond) and beyond.xpath("//a[text()='the first page']")
    # Past the end, "Previous" and the message lead to the last page, not to the page before 99.
    assert one(beyond, "//a[@rel='prev']").get("href") == f"/claims?page={last_page}"
    assert one(beyond, "//a[text()='Go to the last page']").get("href") == f"/claims?page={last_page}"
    far = fetch(seed_client, "/claims", page=99)
    assert one(far, "//a[@rel='prev']").get("href") == f"/claims?page={last_page}"


@pytest.mark.parametrize(("query", "sentence"), [
    ("topic=Knee%20Pain", "The parameter topic must be an id of lower-case letters, digits and hyphens "
                          "(like knee-pain); 'Knee Pain' is not."),
    ("page=abc", "The parameter page must be a whole number written in the digits 0-9; 'abc' is not."),
    ("page=0", "The parameter page must be a number of at least 1; '0' is not."),
    ("page=99999999999999999999999999999999999999", "The parameter page must be a number of at most 100000"),
    ("sort=random", "The parameter sort must be one of 'relevance', 'reviewed',"),
])  # fmt: skip
def test_invalid_parameters_get_a_plain_sentence(seed_client: TestClient, query: str, sentence: str) -> None:
    response = seed_client.get(f"/claims?{query}", headers=HTML)
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/html")
    message = text(one(lxml.html.fromstring(response.text), "//section[@class='error-page']/p[2]"))
    assert message.startswith(sentence), message
    assert "Input should" not in message and "String should" not in message and "^[a-z" not in message


def test_an_empty_parameter_on_a_page_is_one_not_given(seed_client: TestClient) -> None:
    """What an HTML form sends for a blank field: the page is the one without the parameter."""
    plain = result_ids(fetch(seed_client, "/claims"))
    for query in ("sort=", "verdict=", "page=", "q=", "topic=&grade=&sort=&page=&q=", "sort"):
        response = seed_client.get(f"/claims?{query}", headers=HTML)
        assert response.status_code == 200, (query, response.text[:300])
        assert result_ids(lxml.html.fromstring(response.text)) == plain, query
    assert seed_client.get("/studies?page=&design=&q=", headers=HTML).status_code == 200
    # A value is still checked, and an unknown name is still named.
    assert seed_client.get("/claims?sort=x", headers=HTML).status_code == 400
    unknown = seed_client.get("/claims?sortt=relevance", headers=HTML)
    assert unknown.status_code == 400 and "sortt" in unknown.text


def test_empty_result_suggests_what_to_try(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims", q="xyzzyq knee")
    assert result_ids(doc) == []
    assert "No claims found" in text(one(doc, "//p[contains(@class, 'results-count')]"))
    suggestions = [text(a) for a in doc.xpath("//div[@class='empty']//a")]
    assert "Search for “knee” alone" in suggestions
    assert "Search for “xyzzyq” alone" not in suggestions
    assert doc.xpath("//div[@class='empty']//a[starts-with(@href, '/claims?topic=')]")
    assert doc.xpath("//div[@class='empty']//a[@href='/factcheck']")


def test_empty_result_with_filters_offers_to_drop_them(seed_client: TestClient) -> None:
    knee = api(seed_client, "/api/v1/claims", q="knee", limit=100)
    missing = [v for v in grading.VERDICTS if v not in {c["verdict"] for c in knee["items"]}]
    if not missing:
        pytest.skip("every verdict has a knee claim")
    doc = fetch(seed_client, "/claims", q="knee", verdict=missing[0])
    link = one(doc, "//div[@class='empty']//a[starts-with(text(), 'Search “knee” without the filters')]")
    assert link.get("href") == "/claims?q=knee"
    assert f"({knee['total']} claim" in text(link.getparent())


@pytest.mark.parametrize(
    "q", [XSS, "</title><script>x</script>", "' onmouseover='alert(1)", "&lt;b&gt;", "knee\u202e"]
)
def test_hostile_search_is_escaped(seed_client: TestClient, q: str) -> None:
    response = seed_client.get("/claims", params={"q": q}, headers=HTML)
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<script>x" not in response.text
    assert "<img src=x" not in response.text
    doc = lxml.html.fromstring(response.text)
    check_page(doc, "/claims?q=hostile")
    assert one(doc, "//input[@id='q']").get("value") == q.strip()


def test_cite_all_links_carry_the_search(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims", q="knee", verdict="unproven")
    links = doc.xpath("//p[@class='cite-all']/a/@href")
    assert links
    for href in links:
        params = parse_qs(urlsplit(href).query)
        assert params["q"] == ["knee"] and params["verdict"] == ["unproven"] and "page" not in params
    response = seed_client.get(links[0])
    assert response.status_code == 200 and response.content


@pytest.mark.parametrize(
    "params",
    [
        {"verdict": "maybe"},
        {"grade": "great"},
        {"sort": "random"},
        {"page": "0"},
        {"page": "x"},
        {"q": "x" * 501},
    ],
)
def test_bad_search_parameters_get_a_friendly_page(seed_client: TestClient, params: dict[str, str]) -> None:
    doc = fetch(seed_client, "/claims", status=400, **params)
    check_page(doc, "/claims?bad")
    assert "not valid" in text(one(doc, "//h1"))
    if "page" not in params:  # the API pages with offset; its errors stay JSON
        assert seed_client.get("/api/v1/claims", params=params).status_code == 422


# --- claim page ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def claim_doc(seed_client: TestClient) -> dict[str, Any]:
    return api(seed_client, f"/api/v1/claims/{CLAIM}")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def claim_page(seed_client: TestClient) -> HtmlElement:
    return fetch(seed_client, f"/claims/{CLAIM}")


def test_claim_page_answers_first(claim_page: HtmlElement, claim_doc: dict[str, Any]) -> None:
    assert text(one(claim_page, "//h1")) == claim_doc["statement"]
    answer = one(claim_page, "//section[@class='answer']")
    assert (
        text(one(answer, ".//p[@class='verdict-line']/span[contains(@class, 'verdict ')]"))
        == f"Verdict: {claim_doc['verdict_label']}"
    )
    assert text(one(answer, ".//p[@class='calibrated-big']")) == claim_doc["calibrated"]
    meter = one(answer, ".//span[contains(@class, 'grade-large')]")
    rank = max(grading.CERTAINTY_RANK[claim_doc["grade"]["level"]], -1)
    assert len(meter.xpath(".//rect[contains(@class, 'bar-on')]")) == rank + 1  # the shape
    words = claim_doc["grade"]["label"] + (
        "" if claim_doc["grade"]["level"] == "no-direct-evidence" else " certainty"
    )
    assert words in text(meter)  # the words
    assert (f"({rank + 1} of 4)" in text(meter)) == (rank >= 0)
    # without direct evidence the counts are of related studies (a new reader's trial, 2026-12-01)
    counted = (
        "related studies (indirect evidence)"
        if claim_doc["grade"]["level"] in grading.NO_DIRECT_LEVELS
        else "studies"
    )
    assert f"{claim_doc['study_count']} {counted}, {claim_doc['participants']} participants" in text(meter)
    assert grading.LEVEL_MEANINGS[claim_doc["grade"]["level"]] in text(answer)
    # Answer first: the verdict and the calibrated sentence come before the summary and the table.
    body = lxml.html.tostring(claim_page, encoding="unicode")
    assert body.index(claim_doc["calibrated"]) < body.index('class="sof-table')
    assert (
        body.index(claim_doc["calibrated"]) < body.index(claim_doc["summary"]) < body.index('class="evidence')
    )


def test_claim_page_caveats_summary_and_reasons(claim_page: HtmlElement, claim_doc: dict[str, Any]) -> None:
    key = [text(li) for li in claim_page.xpath("//section[@class='caveats']//li")]
    assert key == claim_doc["caveats"][: web.KEY_CAVEATS]
    more = [text(li) for li in claim_page.xpath("//section[@aria-labelledby='more-caveats-title']//li")]
    assert more == claim_doc["caveats"][web.KEY_CAVEATS :]
    assert text(one(claim_page, "//p[@class='summary']")) == " ".join(claim_doc["summary"].split())
    reasons = claim_page.xpath("//ol[@class='reasons']/li")
    assert len(reasons) == len(claim_doc["grade"]["reasons"])
    shorts = {e["study"]["key"]: e["study"]["short"] for e in claim_doc["evidence"]}
    for li, reason in zip(reasons, claim_doc["grade"]["reasons"], strict=True):
        assert reason["explanation"] in text(li)
        assert ("reason-down" in li.get("class")) == (reason["effect"] < 0)
        assert [a.get("href") for a in li.xpath(".//a")] == [f"/studies/{k}" for k in reason["studies"]]
        assert [text(a) for a in li.xpath(".//a")] == [shorts[k] for k in reason["studies"]]


def test_claim_page_evidence_table(claim_page: HtmlElement, claim_doc: dict[str, Any]) -> None:
    table = one(claim_page, "//table[contains(@class, 'evidence')]")
    assert one(table, "caption") is not None
    headers = [text(th) for th in table.xpath("thead//th")]
    assert headers == [
        "Study",
        "Design",
        "Sample size",
        "Population",
        "Stance",
        "Finding",
        "Directness",
        "Risk of bias",
        "Caveats",
    ]
    assert all(th.get("scope") == "col" for th in table.xpath("thead//th"))
    rows = table.xpath("tbody/tr")
    assert len(rows) == len(claim_doc["evidence"])
    for row, link in zip(rows, claim_doc["evidence"], strict=True):
        study = link["study"]
        head = one(row, "th[@scope='row']")
        assert one(head, "a").get("href") == f"/studies/{study['key']}"
        cells = {td.get("data-label"): td for td in row.xpath("td")}
        assert text(cells["Design"]) == study["design_label"]
        if study["sample_size"] is not None:
            assert str(study["sample_size"]) in text(cells["Sample size"]).replace(",", "")
        assert grading_stance_label(link["stance"], link["directness"]) in text(cells["Stance"])
        assert " ".join(link["finding"].split()) in text(cells["Finding"])
        assert text(cells["Directness"]).startswith(
            "Direct" if link["directness"] == "direct" else "Indirect"
        )
        for caveat in link["caveats"]:
            assert caveat in text(cells["Caveats"])
        rob = study["rob"]
        assert text(cells["Risk of bias"]).startswith(
            grading.RISK_OF_BIAS_LABELS[rob["overall"]] if rob else "Not assessed"
        )
        if rob:
            for domain, judgement in rob["domains"].items():
                assert f"{grading.ROB_DOMAINS[rob['tool']][domain]}: {judgement.replace('-', ' ')}" in text(
                    cells["Risk of bias"]
                )
        for figure in link["figures"]:
            assert figure["measure"] in text(cells["Finding"])


def grading_stance_label(stance: str, directness: str = "direct") -> str:
    """What the pages call a study's stance: an indirect link is a related effect."""
    return (vocab.INDIRECT_STANCE_LABELS if directness == "indirect" else vocab.STANCE_LABELS)[stance]


def test_claim_page_chart_has_a_text_equivalent(claim_page: HtmlElement, claim_doc: dict[str, Any]) -> None:
    svg = one(claim_page, "//figure[@class='chart']//svg")
    assert svg.get("role") == "group"  # not "img": its marks are links
    labelled = svg.get("aria-labelledby").split()
    assert all(claim_page.xpath(f"//*[@id='{i}']") for i in labelled)
    marks = svg.xpath(".//circle | .//polygon")
    assert len(marks) == len(claim_doc["evidence"])
    # Each mark links to its study, and the link is named like the mark.
    links = svg.xpath(".//a")
    assert sorted(a.get("href") for a in links) == sorted(
        urlsplit(e["study"]["page"]).path for e in claim_doc["evidence"]
    )
    for link in links:
        assert link.get("aria-label") == text(link.xpath(".//title")[0])
    # Each mark names its study; the text version lists every study too.
    titles = [text(m.xpath("title")[0]) for m in marks]
    for link in claim_doc["evidence"]:
        assert any(t.startswith(link["study"]["short"]) for t in titles)
    details = one(claim_page, "//figure[@class='chart']//details")
    assert len(details.xpath(".//li")) == len(claim_doc["evidence"])
    stances = {e["stance"] for e in claim_doc["evidence"]}
    summary = text(one(svg, ".//desc"))
    assert summary.startswith(f"{len(claim_doc['evidence'])} studies:")
    if "supports" in stances:
        assert "found the effect they measured" in summary


def test_claim_page_appearances_history_and_cite(
    seed_client: TestClient, claim_page: HtmlElement, claim_doc: dict[str, Any]
) -> None:
    links = claim_page.xpath("//section[@aria-labelledby='appearances-title']//a")
    assert [a.get("href") for a in links] == [a["url"] for a in claim_doc["appearances"]]
    assert all("nofollow" in a.get("rel") for a in links)
    history = one(claim_page, "//section[@aria-labelledby='history-title']")
    assert one(history, ".//p/time").get("datetime") == claim_doc["reviewed"]
    assert len(history.xpath(".//ol/li")) == len(claim_doc["history"])
    cite = claim_page.xpath("//section[@aria-labelledby='cite-title']//a/@href")
    formats = {parse_qs(urlsplit(h).query)["format"][0] for h in cite}
    assert {"bibtex", "ris", "csl-json", "apa", "vancouver"} <= formats
    for href in cite:
        assert parse_qs(urlsplit(href).query)["claim"] == [CLAIM]
    bib = seed_client.get(next(h for h in cite if "format=bibtex" in h))
    assert bib.status_code == 200 and "@" in bib.text


def test_claim_page_json_ld(
    claim_page: HtmlElement, claim_doc: dict[str, Any], seed_settings: Settings
) -> None:
    review = json.loads(one(claim_page, "//script[@type='application/ld+json']").text)
    assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
    assert review["claimReviewed"] == claim_doc["statement"]
    assert review["url"] == f"{seed_settings.base_url.rstrip('/')}/claims/{CLAIM}"
    assert review["datePublished"] == claim_doc["reviewed"]
    assert (
        review["author"]["@type"] == "Organization"
        and review["author"]["name"] == seed_settings.publisher_name
    )
    rating = review["reviewRating"]
    assert rating["@type"] == "Rating"
    assert rating["ratingValue"] == grading.VERDICT_RATING[claim_doc["verdict"]]
    assert (rating["bestRating"], rating["worstRating"]) == (grading.BEST_RATING, grading.WORST_RATING)
    assert rating["alternateName"] == claim_doc["verdict_label"]
    item = review["itemReviewed"]
    assert item["@type"] == "Claim"
    assert [a["url"] for a in item["appearance"]] == [a["url"] for a in claim_doc["appearances"]]
    dated = sorted(a["date"] for a in claim_doc["appearances"] if a.get("date"))
    if dated:
        assert item["firstAppearance"]["datePublished"] == dated[0]


def test_claim_page_is_served_from_the_cache(seed_client: TestClient) -> None:
    path = "/claims/backward-walking-improves-balance"
    first = seed_client.get(path, headers=HTML)
    store = seed_client.app.state.store  # type: ignore[attr-defined]
    cached = store.peek("page-claim", "backward-walking-improves-balance")
    assert cached == first.content
    second = seed_client.get(path, headers=HTML)
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert seed_client.get(path, headers={**HTML, "if-none-match": first.headers["etag"]}).status_code == 304


def test_unknown_claim_is_a_friendly_404(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/claims/no-such-claim", status=404)
    check_page(doc, "404")
    assert "no-such-claim" in text(one(doc, "//main"))
    form = one(doc, "//main//form[@role='search']")
    assert form.get("action") == "/claims" and form.xpath(".//input[@name='q']")
    assert seed_client.get("/api/v1/claims/no-such-claim").json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "path", ["/nothing-here", "/studies/no-such-study", "/static/missing.css", f"/claims/{XSS}"]
)
def test_unknown_paths_are_friendly_404s(seed_client: TestClient, path: str) -> None:
    response = seed_client.get(path, headers=HTML)
    assert response.status_code == 404
    assert "<script>alert" not in response.text
    doc = lxml.html.fromstring(response.text)
    check_page(doc, path)
    assert one(doc, "//h1").text == "Page not found"


# --- studies -------------------------------------------------------------------------------------


def test_study_page(seed_client: TestClient) -> None:
    study = api(seed_client, f"/api/v1/studies/{STUDY}")
    doc = fetch(seed_client, f"/studies/{STUDY}")
    assert text(one(doc, "//h1")) == study["title"]
    meta: dict[str, list[str]] = {}
    for tag in doc.xpath("//head/meta[starts-with(@name, 'citation_')]"):
        meta.setdefault(tag.get("name"), []).append(tag.get("content"))
    assert meta["citation_title"] == [study["title"]]
    # Each tag is one person to Zotero's Embedded Metadata translator (its own splitting rule).
    people = [embedded_metadata_people(name) for name in meta["citation_author"]]
    assert all(len(found) == 1 for found in people)
    read_back = [f"{last}, {first}".replace("\u00a0", " ") for ((last, first),) in people]
    assert read_back == [name.rstrip(".") for name in study["authors"]]
    assert meta["citation_publication_date"] == [str(study["year"])]
    assert meta["citation_journal_title"] == [study["journal"]]
    assert meta["citation_volume"] == [study["volume"]] and meta["citation_issue"] == [study["number"]]
    first, last = re.split(r"[–-]+", study["pages"])
    assert meta["citation_firstpage"] == [first] and meta["citation_lastpage"] == [last]
    assert meta["citation_doi"] == [study["doi"]] and meta["citation_pmid"] == [study["pmid"]]
    hrefs = doc.xpath("//a/@href")
    assert f"https://doi.org/{study['doi']}" in hrefs
    assert f"https://pubmed.ncbi.nlm.nih.gov/{study['pmid']}/" in hrefs
    appraisal = text(one(doc, "//section[@aria-labelledby='appraisal-title']"))
    assert study["design_label"] in appraisal and str(study["sample_size"]) in appraisal
    assert study["population"] in appraisal
    claims = doc.xpath("//ul[@class='study-claims']/li")
    # the page links with the path, the API gives the absolute URL
    assert [one(li, ".//p[@class='study-claim-head']/a").get("href") for li in claims] == [
        "/" + c["url"].split("/", 3)[3] for c in study["claims"]
    ]
    for li, claim in zip(claims, study["claims"], strict=True):
        assert grading_stance_label(claim["stance"], claim["directness"]) in text(li)
    reference = text(one(doc, "//p[@id='ref-apa']"))
    assert study["title"] in reference and str(study["year"]) in reference
    assert one(doc, "//button[@data-copy='ref-apa']").get("hidden") is not None  # JS reveals it
    cite = doc.xpath("//p[@class='cite']/a/@href")
    assert cite and all(parse_qs(urlsplit(h).query)["study"] == [STUDY] for h in cite)


def test_every_cited_study_page_renders(seed_client: TestClient) -> None:
    studies = api(seed_client, "/api/v1/studies", limit=100, cited=True)["items"]
    assert studies
    for study in studies:
        path = urlsplit(study["page"]).path  # the API gives it absolute
        doc = fetch(seed_client, path)
        check_page(doc, path)
        assert doc.xpath("//ul[@class='study-claims']/li")


def test_studies_list_pages_and_filters(seed_client: TestClient) -> None:
    everything = api(seed_client, "/api/v1/studies", limit=100)
    doc = fetch(seed_client, "/studies")
    rows = doc.xpath("//table[contains(@class, 'studies')]/tbody/tr")
    assert len(rows) == min(everything["total"], web.STUDIES_PER_PAGE)
    assert [one(r, "th/a").get("href") for r in rows] == [
        urlsplit(s["page"]).path for s in everything["items"][: web.STUDIES_PER_PAGE]
    ]
    if everything["total"] > web.STUDIES_PER_PAGE:
        nxt = one(doc, "//nav[@class='pagination']//a[@rel='next']").get("href")
        rest = fetch(seed_client, nxt).xpath("//table[contains(@class, 'studies')]/tbody/tr")
        assert len(rest) == min(everything["total"] - web.STUDIES_PER_PAGE, web.STUDIES_PER_PAGE)
    design = everything["items"][0]["design"]
    filtered = api(seed_client, "/api/v1/studies", design=design, limit=100)
    doc = fetch(seed_client, "/studies", design=design)
    assert f"{filtered['total']} stud" in text(one(doc, "//p[contains(@class, 'results-count')]"))
    assert one(doc, "//select[@name='design']/option[@selected]").get("value") == design
    none = fetch(seed_client, "/studies", q="xyzzyq")
    assert "No studies found" in text(one(none, "//p[contains(@class, 'results-count')]"))
    fetch(seed_client, "/studies", status=400, design="astrology")


# --- methodology ---------------------------------------------------------------------------------


def test_methodology_is_generated_from_the_grading_rules(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/methodology")
    page = text(one(doc, "//main"))
    for rule in certainty.RULES:
        assert rule.text in page and rule.effect in page
        for source in rule.sources:
            assert certainty.SOURCES[source].citation in page
    question = web.methodology_context()["wording"]
    for level in grading.CERTAINTIES:
        assert grading.LEVEL_MEANINGS[level] in page
        assert next(w["sentence"] for w in question if w["level"] == level) in page
    assert (
        "In people with knee osteoarthritis, backward walking added to physiotherapy may reduce knee pain"
        in page
    )
    for design in grading.DESIGNS:
        assert grading.DESIGN_LABELS[design] in page
    rows = one(doc, "//section[@aria-labelledby='verdicts']//table").xpath("tbody/tr")
    assert [tuple(text(c) for c in r.xpath("th|td")) for r in rows] == [
        (f"Verdict: {grading.VERDICT_LABELS[v]}", grading.VERDICT_MEANINGS[v],
         f"{grading.VERDICT_RATING[v]} of {grading.BEST_RATING}")
        for v in grading.VERDICTS
    ]  # fmt: skip
    for reason in grading.UNPROVEN_REASONS:
        assert grading.UNPROVEN_LABELS[reason] in page
    for explanation in grading.INDIRECTNESS_KINDS.values():
        assert explanation in page


# --- fact-check ----------------------------------------------------------------------------------

POST = "Walking backwards on the treadmill for 10 minutes a day totally cured my knee pain! #retrowalking"


def test_factcheck_form(seed_client: TestClient) -> None:
    doc = fetch(seed_client, "/factcheck")
    form = one(doc, "//form[@action='/factcheck']")
    assert form.get("method") == "post"
    assert one(form, ".//textarea[@name='text']").get("id") in doc.xpath("//label/@for")
    assert not doc.xpath("//section[@class='factcheck-result']")


def test_factcheck_post_shows_the_result(seed_client: TestClient) -> None:
    expected = seed_client.post("/api/v1/factcheck", json={"text": POST}).json()
    assert expected["matches"], "the post should match a claim"
    response = seed_client.post("/factcheck", data={"text": POST}, headers=HTML)
    assert response.status_code == 200
    doc = lxml.html.fromstring(response.text)
    check_page(doc, "/factcheck (POST)")
    assert one(doc, "//textarea").text == POST  # kept for editing
    matches = doc.xpath("//article[@class='match']")
    assert [one(m, ".//h3/a").get("href") for m in matches] == [
        f"/claims/{m['claim']['id']}" for m in expected["matches"]
    ]
    assert expected["language"]["name"] in text(one(doc, "//p[@id='result-language']"))
    for node, match in zip(matches, expected["matches"], strict=True):
        assert match["claim"]["calibrated"] in text(node)
        assert match["matched_text"]["text"] in text(node)  # the span that makes the match
        assert "stance-" + match["stance"] in one(node, ".//span[starts-with(@class, 'stance')]").get("class")
        for flag in match["flags"]:
            assert flag["message"] in text(node)
        assert [a.get("href") for a in node.xpath(".//p[@class='cite']/a")] == [
            f"/studies/{c['key']}" for c in match["citations"]
        ]


TWO_SENTENCES = (
    "Walking backwards on a treadmill for 10 minutes relieves knee pain. "
    "Studies show retro walking burns 40% more calories."
)


def test_factcheck_page_quotes_the_words_matched_with_their_place_in_small_print(
    seed_client: TestClient,
) -> None:
    """A trial user's report: "In the post (characters 0–44): ..." put the programmer's offsets
    first, counted from 0. The words come first; where they are follows in small print, counted
    as a reader counts (from 1, the last one included), or "the whole post"; the API keeps its
    offsets (from 0, end excluded)."""
    expected = seed_client.post("/api/v1/factcheck", json={"text": TWO_SENTENCES}).json()["matches"]
    spans = {(m["matched_text"]["start"], m["matched_text"]["end"]) for m in expected}
    assert (68, 119) in spans and (0, 67) in spans  # the API unchanged
    doc = lxml.html.fromstring(
        seed_client.post("/factcheck", data={"text": TWO_SENTENCES}, headers=HTML).text
    )
    for node, match in zip(doc.xpath("//article[@class='match']"), expected, strict=True):
        span = match["matched_text"]
        line = one(node, ".//p[@class='matched-text']")
        assert text(line).startswith(f"In the post: “{span['text']}”"), text(line)
        where = one(line, "./small")
        assert text(where) == f"(characters {span['start'] + 1}–{span['end']} of {len(TWO_SENTENCES)})"
        assert "characters 0" not in text(node)
    whole = "Walking backwards doesn't burn twice the calories"
    doc = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": whole}, headers=HTML).text)
    line = doc.xpath("//p[@class='matched-text']")[0]
    assert text(line) == f"In the post: “{whole}” (the whole post)"


def test_a_denied_figure_is_said_once(seed_client: TestClient) -> None:
    """A trial user's report: 'The post denies the figure “twice”, not the claim: The post denies
    this figure, and the evidence does not support it either: ...' said the denial twice."""
    post = "Walking backwards doesn't burn twice the calories"
    doc = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": post}, headers=HTML).text)
    lines = [text(li) for li in doc.xpath("//ul[@class='denied-figures']/li")]
    assert lines
    for line in lines:
        assert line.startswith(
            "The post denies the figure “twice”, not the claim. The evidence does not support it either: it shows "
        )
        assert line.count("denies") == 1 and line.count("the evidence") + line.count("The evidence") == 1, (
            line
        )


def test_factcheck_result_is_a_shareable_link(seed_client: TestClient) -> None:
    """GET /factcheck?text=... renders the same result as the form's POST (no JavaScript), and
    every result page links to itself that way."""
    expected = seed_client.post("/api/v1/factcheck", json={"text": POST}).json()
    posted = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": POST}, headers=HTML).text)
    link = one(posted, "//a[@id='share-link']").get("href")
    assert urlsplit(link).path == "/factcheck" and parse_qs(urlsplit(link).query) == {"text": [POST]}
    doc = fetch(seed_client, link)
    check_page(doc, "/factcheck?text=")
    assert one(doc, "//textarea").text == POST
    assert [one(m, ".//h3/a").get("href") for m in doc.xpath("//article[@class='match']")] == [
        f"/claims/{m['claim']['id']}" for m in expected["matches"]
    ]
    assert doc.xpath("//meta[@name='robots' and @content='noindex']")
    # Bounded: a link carries at most web.MAX_LINK_TEXT characters; the form takes more.
    long_text = "walking backwards eases knee pain " * (web.MAX_LINK_TEXT // 30)
    assert web.MAX_LINK_TEXT < len(long_text) < 10_000
    response = seed_client.get("/factcheck", params={"text": long_text}, headers=HTML)
    assert response.status_code == 422
    assert "Paste it in the form" in text(one(lxml.html.fromstring(response.text), "//p[@role='alert']"))
    posted = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": long_text}, headers=HTML).text)
    assert posted.xpath("//article[@class='match']") and not posted.xpath("//a[@id='share-link']")
    assert seed_client.get("/factcheck", params={"text": "  "}, headers=HTML).status_code == 400
    assert not fetch(seed_client, "/factcheck").xpath("//section[@class='factcheck-result']")


def test_factcheck_page_names_a_language_it_does_not_handle(seed_client: TestClient) -> None:
    doc = lxml.html.fromstring(
        seed_client.post(
            "/factcheck", data={"text": "Caminar hacia atrás en la cinta alivia el dolor de rodilla"}
        ).text
    )
    assert "Spanish" in text(one(doc, "//p[@id='result-language']"))
    assert "does not mean the post is accurate" in text(doc)
    assert "No claim in the knowledge base matched" not in text(doc)  # not a silent all-clear


def test_factcheck_without_a_match(seed_client: TestClient) -> None:
    doc = lxml.html.fromstring(
        seed_client.post("/factcheck", data={"text": "Lovely weather for a picnic today."}).text
    )
    assert "No known claim" in text(one(doc, "//h2[@id='result-title']"))
    assert not doc.xpath("//article[@class='match']")


@pytest.mark.parametrize(("value", "status"), [("", 400), ("   \n ", 400), ("knee " * 3000, 422)])
def test_factcheck_bad_input(seed_client: TestClient, value: str, status: int) -> None:
    response = seed_client.post("/factcheck", data={"text": value}, headers=HTML)
    assert response.status_code == status
    doc = lxml.html.fromstring(response.text)
    assert one(doc, "//p[@role='alert']") is not None
    assert one(doc, "//textarea").get("aria-invalid") == "true"


@pytest.mark.parametrize("field", ["text", "context"])
def test_factcheck_form_field_sent_twice_is_refused(seed_client: TestClient, field: str) -> None:
    """Two values of one field (a hand-made form, a script) are not resolved by taking the last
    without a word: the error page names the field (as a repeated query parameter; the JSON API
    refuses a repeated key the same way, tests/test_budgets.py)."""
    body = {"text": POST, field: [POST, "Lovely weather for a picnic today."]}
    response = seed_client.post("/factcheck", data=body, headers=HTML)
    assert response.status_code == 400
    message = text(one(lxml.html.fromstring(response.text), "//main"))
    assert f"The field {field} appears twice in the form" in message and "send it once" in message
    assert "article" not in response.text or 'class="match"' not in response.text  # nothing checked


def test_factcheck_hostile_text_is_escaped(seed_client: TestClient) -> None:
    response = seed_client.post(
        "/factcheck",
        data={"text": f"{XSS} walking backward cured my knee pain </textarea><script>alert(3)</script>"},
    )
    assert response.status_code == 200
    assert "<script>alert" not in response.text and "<img src=x" not in response.text
    doc = lxml.html.fromstring(response.text)
    assert len(doc.xpath("//textarea")) == 1 and "</textarea><script>" in one(doc, "//textarea").text


# --- errors --------------------------------------------------------------------------------------


def test_500_page_leaks_nothing(seed_settings: Settings) -> None:
    app = create_app(seed_settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret-token-123 in /etc/passwd")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers=HTML)
    assert response.status_code == 500
    assert (
        "secret-token-123" not in response.text
        and "Traceback" not in response.text
        and "passwd" not in response.text
    )
    doc = lxml.html.fromstring(response.text)
    check_page(doc, "500")
    assert one(doc, "//h1").text == "Something went wrong"
    assert response.headers["content-security-policy"]


def test_503_page_when_the_database_is_down(seed_settings: Settings) -> None:
    app = create_app(seed_settings)

    @app.get("/down")
    def down() -> None:
        raise OperationalError("SELECT secret_column", {}, Exception("connection refused to db-host-42"))

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/down", headers=HTML)
    assert response.status_code == 503 and response.headers["retry-after"]
    assert "db-host-42" not in response.text and "secret_column" not in response.text
    assert one(lxml.html.fromstring(response.text), "//h1").text == "Temporarily unavailable"


def test_error_page_survives_a_broken_template(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> str:
        raise RuntimeError("template exploded")

    monkeypatch.setattr(web, "render", broken)
    app = create_app(seed_settings)
    with TestClient(app) as client:
        response = client.get("/claims/nope", headers=HTML)
    assert response.status_code == 404 and "Something went wrong" in response.text
    assert "exploded" not in response.text


# --- hostile data --------------------------------------------------------------------------------


@pytest.fixture
def hostile_client(database_url: str, mini_data: Path) -> Iterator[TestClient]:
    """The mini data set with markup in a claim statement, a caveat, an appearance and a title."""
    claims_path = mini_data / "claims.yaml"
    claims = yaml.safe_load(claims_path.read_text())
    claim = claims[0]
    claim["statement"] = "Backward running </script><script>alert('ld')</script> spares <b>knees</b>."
    claim["caveats"][0] = "<img src=x onerror=alert('caveat')>"
    claim["appearances"] = [
        {
            "url": "https://example.org/x?a=1&b=2",
            "title": "</script><!-- break",
            "date": "2024-01-02",
            "kind": "article",
        }
    ]
    claims_path.write_text(yaml.safe_dump(claims, allow_unicode=True, sort_keys=False))
    bib = mini_data / "studies.bib"
    bib.write_text(bib.read_text().replace(
        "title      = {Patellofemoral joint compression forces in backward and forward running}",
        "title      = {Patellofemoral forces <script>alert('title')</script> \"quoted\"}",
    ))  # fmt: skip
    settings = make_settings(database_url, mini_data)
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as client:
        yield client


def test_hostile_data_is_escaped_everywhere(hostile_client: TestClient) -> None:
    claim_id = "backward-running-reduces-patellofemoral-force"
    pages = [f"/claims/{claim_id}", "/studies/roos2012patellofemoral", "/", "/claims?q=backward", "/studies"]
    for path in pages:
        response = hostile_client.get(path, headers=HTML)
        assert response.status_code == 200, path
        body = response.text
        assert "<script>alert" not in body and "<img src=x" not in body and "<b>knees" not in body, path
        check_page(lxml.html.fromstring(body), path)
    body = hostile_client.get(f"/claims/{claim_id}", headers=HTML).text
    # The JSON-LD block is the page's only inline script and its data cannot end it early.
    start = body.index('<script type="application/ld+json">')
    end = body.index("</script>", start)
    data = json.loads(body[start + len('<script type="application/ld+json">') : end])
    assert data["claimReviewed"].startswith("Backward running </script><script>")
    assert data["itemReviewed"]["appearance"][0]["name"] == "</script><!-- break"
    doc = lxml.html.fromstring(body)
    assert text(one(doc, "//h1")).startswith("Backward running </script><script>alert('ld')</script>")
    study = lxml.html.fromstring(hostile_client.get("/studies/roos2012patellofemoral", headers=HTML).text)
    assert (
        one(study, "//meta[@name='citation_title']").get("content")
        == "Patellofemoral forces <script>alert('title')</script> \"quoted\""
    )
    assert "<script>alert('title')</script>" in text(one(study, "//p[@id='ref-apa']"))


# --- units ---------------------------------------------------------------------------------------


def test_search_state_round_trips_through_its_url() -> None:
    state = web.SearchState(
        q="knee pain & more", topic=("knee-pain", "balance"), verdict=("supported",), sort="grade", page=3
    )
    params = parse_qs(urlsplit(state.url()).query)
    assert params == {
        "q": ["knee pain & more"],
        "topic": ["knee-pain", "balance"],
        "verdict": ["supported"],
        "sort": ["grade"],
        "page": ["3"],
    }
    toggled = parse_qs(urlsplit(state.toggle("topic", "balance")).query)
    assert toggled["topic"] == ["knee-pain"] and "page" not in toggled
    added = parse_qs(urlsplit(state.toggle("grade", "high")).query)
    assert added["grade"] == ["high"]
    assert web.SearchState().url() == "/claims"


@pytest.mark.parametrize(
    ("page", "pages", "numbers"),
    [
        (1, 1, [1]),
        (1, 5, [1, 2, None, 5]),
        (3, 5, [1, 2, 3, 4, 5]),
        (5, 9, [1, None, 4, 5, 6, None, 9]),
        (9, 9, [1, None, 8, 9]),
    ],
)
def test_pager(page: int, pages: int, numbers: list[int | None]) -> None:
    pager = web.Pager.of(page, pages * 10, 10)
    assert pager.pages == pages and pager.numbers == numbers


def test_figure_and_sample_texts() -> None:
    assert (
        render.figure_text(
            {
                "measure": "predicted VO2 max",
                "value": 5.2,
                "unit": "percent",
                "comparison": "change after 6 weeks",
            }
        )
        == "predicted VO2 max: 5.2% (change after 6 weeks)"
    )
    assert (
        render.figure_text({"measure": "force", "value": [3.0, 4.5], "unit": "body-weights"})
        == "force: 3–4.5 body weights"
    )
    assert (
        render.sample_text({"design": "meta-analysis", "studies_included": 4, "sample_size": 12345})
        == "4 studies, 12,345 participants"
    )
    assert render.sample_text({"design": "cohort", "sample_size": None, "enrolled": 40}) == "40 enrolled"
    assert render.sample_text({"design": "cohort", "sample_size": None, "enrolled": None}) == "Not reported"
    assert (
        render.sample_text({"design": "web-page", "sample_size": None, "enrolled": None})
        == "No participants of its own"
    )


def test_participants_text() -> None:
    assert (
        render.participants_text({"study_count": 9, "participants": 818, "participants_unknown": 0})
        == "9 studies, 818 participants"
    )
    assert render.participants_text({"study_count": 1, "participants": 20, "participants_unknown": 1}) == (
        "1 study, 20 participants (1 study did not report a sample size)"
    )
    assert (
        render.participants_text({"study_count": 2, "participants": 0, "participants_unknown": 0})
        == "2 sources, no participants studied"
    )


def test_highwire_tags_for_a_thesis_without_pages() -> None:
    tags = web.highwire_meta({
        "title": "T", "authors": ["Doe, Jane"], "year": 1998, "journal": "Old Dominion University",
        "entry_type": "mastersthesis", "volume": None, "number": None, "pages": None, "doi": None,
        "pmid": None, "url": None,
    })  # fmt: skip
    assert ("citation_dissertation_institution", "Old Dominion University") in tags
    assert not [
        name for name, _ in tags if name in ("citation_journal_title", "citation_firstpage", "citation_doi")
    ]


def test_chart_marks_follow_the_evidence() -> None:
    from app import charts

    evidence = [
        {
            "stance": "supports",
            "study": {
                "key": "a",
                "short": "A 2020",
                "design": "randomized-controlled-trial",
                "design_label": "RCT",
                "sample_size": 400,
            },
        },
        {
            "stance": "contradicts",
            "study": {
                "key": "b",
                "short": "B <x> 2021",
                "design": "laboratory",
                "design_label": "Lab",
                "sample_size": None,
            },
        },
        {
            "stance": "no-effect",
            "study": {
                "key": "c",
                "short": "C 2022",
                "design": "cohort",
                "design_label": "Cohort",
                "sample_size": 10,
                "retracted": True,
            },
        },
    ]
    found = charts.marks(evidence)
    assert [m.level for m in found] == ["high", "very-low", "low"]
    assert found[0].radius > found[2].radius > 0 and found[1].radius == charts.UNKNOWN_RADIUS
    svg = str(charts.evidence_chart(evidence))
    assert svg.count("<polygon") == 2 and svg.count("<circle") == 1
    assert "B &lt;x&gt; 2021" in svg and "<x>" not in svg
    assert "stroke-dasharray" in svg  # the retracted study is drawn hollow and dashed
    assert (
        charts.summary_sentence(found)
        == "3 studies: 1 found the effect they measured, 1 found no effect, 1 found the opposite."
    )


@pytest.mark.parametrize(
    ("path", "claim_id"),
    [
        ("/claims?q=knee+pain", "quadriceps-strengthening-reduces-knee-pain"),
        (
            "/claims/backward-walking-improves-walking-in-cerebral-palsy",
            "backward-walking-improves-walking-in-cerebral-palsy",
        ),
    ],
)
def test_unreported_sample_sizes_are_never_shown_as_zero(
    seed_client: TestClient, path: str, claim_id: str
) -> None:
    """A claim resting on reviews with no recorded total says 'participants not reported' (header,
    search card, meta description), never '0 participants' or 'no participants studied'."""
    claim = seed_client.get(f"/api/v1/claims/{claim_id}").json()
    assert claim["participants"] is None and claim["participants_unknown"] > 0
    listed = seed_client.get("/api/v1/claims", params={"q": "knee pain"}).json()["items"]
    assert all("participants_unknown" in item for item in listed)
    html = seed_client.get(path).text
    # a review's whole total is said as that, not as the outcome's (tests/test_trial_pages2.py)
    said = (
        "participants in all, not the number for this outcome"
        if path.startswith("/claims/")
        else ("participants not reported")
    )
    assert said in html
    assert (
        " 0 participants" not in html
        and "no participants studied" not in html.split(claim["statement"], 1)[1][:2000]
    )
    if path.startswith("/claims/"):
        description = html.split('name="description" content="', 1)[1].split('"', 1)[0]
        assert said in description and "0 participants" not in description


def test_study_page_names_outcomes_as_claim_pages_do(seed_client: TestClient) -> None:
    """The study page shows each link's outcome by its name (as the claim page does), not its id."""
    study = seed_client.get("/api/v1/studies/roos2012patellofemoral").json()
    html = seed_client.get("/studies/roos2012patellofemoral").text
    assert study["claims"]
    for link in study["claims"]:
        claim = seed_client.get(f"/api/v1/claims/{link['id']}").json()
        name = next(o["name"] for o in claim["outcomes"] if o["id"] == link["outcome"])
        assert link["outcome_name"] == name != link["outcome"]
        assert f'<span class="outcome">{name[:1].upper() + name[1:]}.</span>' in html
        assert f'<span class="outcome">{link["outcome"].capitalize()}.</span>' not in html


def test_chart_rows_use_the_certainty_start_levels(seed_client: TestClient) -> None:
    """A direct laboratory study behind a factual claim starts at high in the grade explanation,
    so the chart puts it in the 'High' row too (one start-level function); indirect ones lower."""
    claim_id = "backward-walking-costs-more-energy-than-forward"
    html = seed_client.get(f"/claims/{claim_id}").text
    assert "Starts at high: the strongest design is laboratory study" in html
    chart = html.split('<svg class="evidence-chart"', 1)[1].split("</svg>", 1)[0]
    high = chart.split(">Starts at: High<", 1)[1].split(">Starts at: Low<", 1)[0]  # row labels
    for short in ("Hooper et al. 2004", "Chaloupka et al. 1997", "Flynn et al. 1994"):
        assert short in high
    assert "Gait &amp; Posture 2018" not in high  # indirect: starts lower


def test_chart_caption_counts_findings_and_distinct_studies(seed_client: TestClient) -> None:
    """Marks are links (one per study and outcome); the caption names the distinct studies."""
    claim = seed_client.get("/api/v1/claims/backward-walking-eases-knee-osteoarthritis").json()
    links = len(claim["evidence"])
    studies = len({link["study"]["key"] for link in claim["evidence"]})
    assert links > studies
    html = seed_client.get("/claims/backward-walking-eases-knee-osteoarthritis").text
    assert f"{links} findings from {studies} studies:" in html
    assert f"{links} studies:" not in html


def test_misreading_box_has_no_double_punctuation(seed_client: TestClient) -> None:
    """'Often misread: “…on pain.”. Actually:' loses the second full stop; one is added when the
    quoted text has none."""
    seen = 0
    for item in seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]:
        html = seed_client.get(item["url"]).text
        for box in re.findall(r'<p class="misreading">(.*?)</p>', html, re.S):
            seen += 1
            assert not re.search(r"[.!?]”\.", box), box
            assert re.search(r"[.!?]” Actually:", box), box
    assert seen > 0


def test_counts_on_a_claim_page_agree(seed_client: TestClient) -> None:
    """One counting (``evidence_units.count``): the header shows the main outcome's body of evidence
    (labelled when there are several outcomes), equal to the API's study_count/participants and the
    summary-of-findings row; the imprecision footnote counts the studies the grade rests on and
    names them; no 'study(ies)'."""
    items = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    checked = 0
    for item in items:
        claim = seed_client.get(f"/api/v1/claims/{item['id']}").json()
        main = next(o for o in claim["outcomes"] if o["main"])
        assert (claim["study_count"], claim["participants"], claim["participants_unknown"]) == (
            main["study_count"],
            main["participants"],
            main["participants_unknown"],
        )
        assert main["study_count"] == len(set(main["studies"]))
        html = seed_client.get(f"/claims/{claim['id']}").text
        assert "study(ies)" not in html
        header = render.participants_text(claim)
        if len(claim["outcomes"]) > 1:
            header = f"Main outcome, {main['name']}: {header}"
        assert header in html
        for outcome in claim["outcomes"]:
            for reason in outcome["certainty"]["reasons"]:
                found = re.search(
                    r"in the (\d+) stud(?:y|ies) the grade rests on, counted once \((\d+)\)",
                    reason["explanation"],
                )
                if found:
                    checked += 1
                    assert int(found[1]) == len(set(outcome["carrying"])) == len(set(reason["studies"]))
                    assert int(found[2]) <= outcome["participants"]
    assert checked > 0
    energy = seed_client.get("/claims/backward-walking-costs-more-energy-than-forward").text
    assert "Main outcome, heart rate and oxygen uptake: 4 studies, 61 participants" in energy
    assert (
        "in the 3 studies the grade rests on, counted once (44); 1 of them did not report theirs." in energy
    )


def test_a_study_with_several_findings_is_described_once(seed_client: TestClient) -> None:
    """A study's title, population and risk-of-bias reasons are said on its first row only; its
    further findings (rows right below, from the same study) say "As above" and keep the overall
    judgement. Over every seed claim, so a claim whose studies report several outcomes is seen."""
    seen_repeat = False
    for claim in seed_claims():
        doc = api(seed_client, f"/api/v1/claims/{claim.claim.id}")
        page = fetch(seed_client, f"/claims/{claim.claim.id}")
        rows = page.xpath("//table[contains(@class, 'evidence')]/tbody/tr")
        assert len(rows) == len(doc["evidence"])
        previous = None
        for row, e in zip(rows, doc["evidence"], strict=True):
            repeat = previous == e["study"]["key"]
            seen_repeat |= repeat
            assert ("same-study" in row.get("class")) == repeat
            assert bool(row.xpath(".//span[@class='study-title']")) == (not repeat)
            population = text(one(row, "./td[@data-label='Population']"))
            assert (population == "As above") == repeat
            assert bool(row.xpath(".//ul[@class='rob-domains']")) == (
                not repeat and bool(e["study"]["rob"] and e["study"]["rob"].get("domains"))
            )
            previous = e["study"]["key"]
    assert seen_repeat  # the seed data has studies with several findings for one claim


def test_an_indirect_study_is_not_said_to_have_found_the_effect(seed_client: TestClient) -> None:
    """Hooper 2004 measured one bout, not a training effect on VO2 max (an indirect link): its
    study page must not say it "found the effect on VO2 max after training" (new-user trial)."""
    api = seed_client.get("/api/v1/studies/hooper2004effects").json()
    claims = {c["id"]: c for c in api["claims"]}
    indirect = [c for c in claims.values() if c["directness"] == "indirect"]
    direct = [c for c in claims.values() if c["directness"] == "direct"]
    assert indirect and direct
    page = lxml.html.fromstring(seed_client.get("/studies/hooper2004effects").text)
    for item in page.xpath("//ul[@class='study-claims']/li"):
        href = item.xpath(".//p[@class='study-claim-head']/a/@href")[0]
        label = text(item.xpath(".//span[contains(@class, 'stance ')]")[0])
        claim = claims[href.rstrip("/").rsplit("/", 1)[-1]]
        if claim["directness"] == "indirect":
            assert "Indirect: " in label and "bearing on" in label, label
            assert "Found the effect" not in label
        else:
            assert vocab.STANCE_LABELS[claim["stance"]] in label and "bearing on" not in label, label


def test_no_direct_evidence_is_not_called_a_certainty(seed_client: TestClient) -> None:
    """The grade "No direct evidence certainty" read as nonsense (new-user trial); the four GRADE levels keep
    their "… certainty"."""
    rated = {c["id"]: c["grade"]["level"] for c in api(seed_client, "/api/v1/claims", limit=100)["items"]}
    none = next(cid for cid, level in rated.items() if level == "no-direct-evidence")
    some = next(cid for cid, level in rated.items() if level == "low")
    assert "No direct evidence certainty" not in seed_client.get(f"/claims/{none}").text
    assert "Low certainty" in seed_client.get(f"/claims/{some}").text


def test_an_untitled_source_says_so_on_its_page(seed_client: TestClient) -> None:
    """The UC Davis Health page the reference could not find has no title: its page named it
    "UC Davis Health (n.d.):" with an empty heading and no word of warning (new-user trial)."""
    untitled = [s["key"] for s in api(seed_client, "/api/v1/studies", limit=100)["items"] if not s["title"]]
    assert untitled
    for key in untitled:
        page = fetch(seed_client, f"/studies/{key}")
        assert text(one(page, "//h1")) and ": ·" not in text(one(page, "//title"))
        assert "No title recorded" in text(one(page, "//p[@class='flag-box']"))


def test_factcheck_form_never_cuts_a_paste_and_says_why_a_result_has_no_link(seed_client: TestClient) -> None:
    """A ``maxlength`` made the browser cut a 12,000-character paste to 10,000 without a word, and
    a result over the link's length lost its "Link to this result" silently (new-user trial): the
    fields have no ``maxlength`` (the server names the length: see the form's own tests) and the
    missing link is explained."""
    doc = fetch(seed_client, "/factcheck")
    assert not doc.xpath("//form[@action='/factcheck']//*[@maxlength]")
    long_post = (POST + " ") * (web.MAX_LINK_TEXT // len(POST) + 1)
    page = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": long_post}, headers=HTML).text)
    assert not page.xpath("//a[@id='share-link']")
    assert f"over {web.MAX_LINK_TEXT:,} characters" in text(one(page, "//p[@id='no-share-link']"))
    short = lxml.html.fromstring(seed_client.post("/factcheck", data={"text": POST}, headers=HTML).text)
    assert short.xpath("//a[@id='share-link']") and not short.xpath("//p[@id='no-share-link']")
