"""Findings of a new user's trial of main (2026-12-01, 16:09-16:47 UTC) outside the fact-check
matcher, each through the public surface: claim pages, the API, the CLI."""

from __future__ import annotations

import re

import lxml.html
from fastapi.testclient import TestClient

KNEE_OA = "backward-walking-eases-knee-osteoarthritis"
CP = "backward-walking-improves-walking-in-cerebral-palsy"


def _page(client: TestClient, claim_id: str) -> lxml.html.HtmlElement:
    response = client.get(f"/claims/{claim_id}")
    assert response.status_code == 200
    return lxml.html.fromstring(response.text)


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


# --- 6: the evidence table counts findings and studies as the chart does ---------------------------


def test_the_evidence_caption_counts_studies_not_findings(seed_client: TestClient) -> None:
    """The caption said '14 studies' for 14 findings from 7 studies (the chart and header said 7)."""
    for claim_id in (KNEE_OA, CP):
        doc = seed_client.get(f"/api/v1/claims/{claim_id}").json()
        findings = len(doc["evidence"])
        studies = len({e["study"]["key"] for e in doc["evidence"]})
        assert findings > studies, claim_id  # the case the finding was about
        page = _page(seed_client, claim_id)
        caption = _text(page.xpath("//caption[@id='evidence-caption']")[0])
        assert caption.endswith(f": {findings} findings from {studies} studies"), caption
        chart = _text(page.xpath("//figure[@class='chart']/figcaption/p")[0])
        assert chart.startswith(f"{findings} findings from {studies} studies"), chart


# --- 12: an empty parameter name is said plainly ----------------------------------------------------


def test_an_empty_parameter_name_is_said_plainly(seed_client: TestClient) -> None:
    """GET /api/v1/claims?=x said "The parameter  is not known here" (an empty name, two spaces)."""
    for query, said in (
        ("=x", "A parameter with an empty name (nothing before its '=') is not known here"),
        ("%20=x", "A parameter whose name is only spaces (' ') is not known here"),
    ):
        response = seed_client.get(f"/api/v1/claims?{query}")
        assert response.status_code == 422
        message = response.json()["error"]["message"]
        assert message.startswith(said) and "(accepted: grade, limit" in message, message
        assert "The parameter  " not in message
        page = seed_client.get(f"/claims?{query}")
        assert page.status_code == 400 and "The parameter  " not in page.text
        assert said.replace("'", "&#39;") in page.text
    # a named parameter is still named
    message = seed_client.get("/api/v1/claims?colour=x").json()["error"]["message"]
    assert message.startswith("The parameter colour is not known here")


# --- 7: a review's whole total is said as that, not as "participants not reported" -------------------


def test_a_claim_resting_on_reviews_says_their_totals_are_not_the_outcomes(seed_client: TestClient) -> None:
    """The cerebral-palsy claim's header said "1 study, participants not reported" and its
    imprecision footnote "The number of participants carrying the grade is not reported.", while
    the summary and the evidence table show Menezes 2023 with 156 participants and Elnahhas 2019
    with 172. Both are reviews: 156 and 172 are their whole totals, over all their trials, not the
    number pooled for an outcome, which the grade does not count (app.evidence_units). The page
    now says so wherever it gives the count."""
    claim = seed_client.get(f"/api/v1/claims/{CP}").json()
    assert claim["participants"] is None  # the grade's count stays unknown: no total is invented
    sizes = {e["study"]["key"]: e["study"]["sample_size"] for e in claim["evidence"]}
    assert sizes == {"menezes2023addition": 156, "elnahhas2019effects": 172}
    page = _page(seed_client, CP)
    header = _text(page.xpath("//div[@class='answer-grade']")[0])
    assert (
        "Main outcome, walking speed: 1 review; 156 participants in all, not the number for this outcome"
        in header
    )
    assert "participants not reported" not in header
    cells = [_text(c) for c in page.xpath("//td[@data-label='Participants (counted once)']")]
    assert cells == [
        "Not reported (156 participants in all, not the number for this outcome)",
        "Not reported (156 and 172 participants in all, not the numbers for this outcome)",
    ]
    notes = [_text(li) for li in page.xpath("//ol[@class='sof-footnotes']/li") if "imprecision" in _text(li)]
    assert len(notes) == 2
    assert (
        "The review it rests on reports 156 participants over all its studies, not the number for this outcome."
        in notes[0]
    )
    assert "The reviews it rests on report 156 and 172 participants over all their studies" in notes[1]
    grade = next(r for r in claim["grade"]["reasons"] if r["factor"] == "imprecision")
    assert "reports 156 participants over all its studies" in grade["explanation"]


# --- 8: one short label per study, with APA's year letter ------------------------------------------

ABDELRAOUF = ("abdelraouf2019backwarda", "abdelraouf2019backwardb")
QUADS = "Walking backwards strengthens your quads"


def test_same_authors_same_year_get_apas_year_letter_everywhere(seed_client: TestClient) -> None:
    """Two papers by the same authors in 2019 were both 'Abdelraouf et al. 2019' on claim pages,
    the chart, the /factcheck page and citations[].short in the API (and the CLI:
    tests/test_trial_cli2.py), while the APA export said 2019a and 2019b."""
    studies = {key: seed_client.get(f"/api/v1/studies/{key}").json() for key in ABDELRAOUF}
    apa = seed_client.get("/api/v1/citations", params={"format": "apa", "study": list(ABDELRAOUF)}).text
    labels = {}
    for key, study in studies.items():
        line = next(line for line in apa.splitlines() if study["title"].split(":")[0] in line)
        letter = line.split("(2019", 1)[1][0]
        assert letter in "ab", line
        labels[key] = f"Abdelraouf et al. 2019{letter}"
        assert study["short"] == labels[key]
    assert len(set(labels.values())) == 2
    listed = seed_client.get("/api/v1/studies", params={"q": "backward walking", "limit": 100}).json()[
        "items"
    ]
    assert {s["key"]: s["short"] for s in listed if s["key"] in labels} == labels
    # a claim citing both: its API document, its page (tables, chart) and the fact-check's citations
    claim_id = next(
        c["id"]
        for c in seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
        if set(ABDELRAOUF)
        <= {e["study"]["key"] for e in seed_client.get(f"/api/v1/claims/{c['id']}").json()["evidence"]}
    )
    doc = seed_client.get(f"/api/v1/claims/{claim_id}").json()
    assert {
        e["study"]["key"]: e["study"]["short"] for e in doc["evidence"] if e["study"]["key"] in labels
    } == labels
    page = seed_client.get(f"/claims/{claim_id}").text
    chart = lxml.html.fromstring(page).xpath("//figure[@class='chart']")[0]
    for label in labels.values():
        assert label in page and label in _text(chart)
    assert "Abdelraouf et al. 2019<" not in page and "Abdelraouf et al. 2019 " not in page
    found = seed_client.post("/api/v1/factcheck", json={"text": QUADS}).json()
    cited = {c["key"]: c["short"] for m in found["matches"] for c in m["citations"] if c["key"] in labels}
    assert cited == labels
    shown = seed_client.get("/factcheck", params={"text": QUADS}).text
    assert all(label in shown for label in labels.values()) and "Abdelraouf et al. 2019<" not in shown


# --- one year letter for a study wherever it is named (new-user check 2026-12-01) ------------------


def _letters(text: str, year: str) -> set[str]:
    return set(re.findall(rf"\({year}([a-z]?)\)", text))


def test_a_studys_page_reference_has_its_labels_letter(seed_client: TestClient) -> None:
    """/studies/abdelraouf2019backwardb was titled 'Abdelraouf et al. 2019b' while its Reference
    (and Copy reference) said '(2019)': the reference of one study was lettered among itself."""
    for key in ABDELRAOUF:
        study = seed_client.get(f"/api/v1/studies/{key}").json()
        letter = study["short"].removeprefix("Abdelraouf et al. 2019")
        assert letter in ("a", "b")
        page = lxml.html.fromstring(seed_client.get(f"/studies/{key}").text)
        assert study["short"] in page.findtext(".//title")
        assert _letters(_text(page), "2019") == {letter}, key


def test_a_claims_apa_export_letters_as_its_labels(seed_client: TestClient) -> None:
    """quadriceps-strengthening-reduces-knee-pain shows 'Fransen et al. 2015a' (the 2015b,
    fransen2015exercisebjsm, is cited by no claim), while the claim's APA export printed '(2015)':
    one rule, letters over the whole bibliography, on labels and exports alike."""
    claim_id = "quadriceps-strengthening-reduces-knee-pain"
    shorts = {e["study"]["short"] for e in seed_client.get(f"/api/v1/claims/{claim_id}").json()["evidence"]}
    fransen = {s for s in shorts if s.startswith("Fransen et al. 2015")}
    assert fransen == {"Fransen et al. 2015a"}
    apa = seed_client.get("/api/v1/citations", params={"format": "apa", "claim": claim_id}).text
    line = next(line for line in apa.splitlines() if line.startswith("Fransen"))
    assert "(2015a)" in line, line
    alone = seed_client.get("/api/v1/citations", params={"format": "apa", "study": "fransen2015exercisebjsm"})
    assert "(2015b)" in alone.text


def test_a_review_without_a_count_is_not_said_to_have_no_participants(seed_client: TestClient) -> None:
    """The chart as text said 'Fransen et al. 2015a: meta-analysis, no participants of its own'
    (reviews need no sample size, as web pages do); a review's participants are its studies'."""
    page = seed_client.get("/claims/quadriceps-strengthening-reduces-knee-pain").text
    assert "meta-analysis, no participants of its own" not in page
    assert (
        "Fransen et al. 2015a: meta-analysis, a review: participants of its studies not counted here" in page
    )
