"""Summary of findings, forest plots and risk of bias: on a synthetic fixture with estimates
(tests/fixtures/appraisal) and on every claim of the shipped data, through the pages and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from fastapi.testclient import TestClient
from helpers import DATA_DIR, FIXTURES, make_settings
from lxml.html import HtmlElement

from app import charts, grading, sof
from app.build import build_database
from app.citations_data import csl_item
from app.loader import load_data
from app.main import create_app

APPRAISAL = FIXTURES / "appraisal"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = make_settings(f"sqlite:///{tmp_path_factory.mktemp('sof') / 'kb.db'}", APPRAISAL)
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def page(client: TestClient, path: str) -> HtmlElement:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def text(node: HtmlElement) -> str:
    return " ".join(node.text_content().split())


CLAIM = "synthetic-walking-eases-knee-pain"


# --- the summary of findings table --------------------------------------------------------------


def test_sof_table_has_one_row_per_outcome_main_first(client: TestClient) -> None:
    doc = client.get(f"/api/v1/claims/{CLAIM}").json()
    rows = page(client, f"/claims/{CLAIM}").xpath("//table[contains(@class, 'sof-table')]/tbody/tr")
    assert [r.get("id") for r in rows] == ["outcome-pain", "outcome-function", "outcome-injury"]
    assert [o["id"] for o in doc["outcomes"]] == ["pain", "function", "injury"]
    pain = {td.get("data-label"): text(td) for td in rows[0].xpath("td")}
    assert "main outcome" in text(rows[0].xpath("th")[0])
    assert pain["Studies"] == "3"
    assert pain["Participants (counted once)"] == "220"  # review 180 (includes trial A) + trial B 40
    assert pain["Best or pooled estimate (95% CI)"].startswith(
        "SMD \u22120.6 (95% CI \u22120.9 to \u22120.3)"
    )
    assert pain["Certainty"].startswith("Evidence grade: Very low (1 of 4) 1.1 1.2 1.3")
    assert pain["What it means"] == doc["outcomes"][0]["answer"]


def test_every_rating_down_is_a_footnote_naming_its_studies(client: TestClient) -> None:
    doc = client.get(f"/api/v1/claims/{CLAIM}").json()
    html = page(client, f"/claims/{CLAIM}")
    for n, outcome in enumerate(doc["outcomes"], start=1):
        moved = [r for r in outcome["certainty"]["reasons"] if r["effect"] != 0]
        for k, reason in enumerate(moved, start=1):
            note = html.xpath(f"//li[@id='fn-{outcome['id']}-{k}']")[0]
            assert reason["explanation"] in text(note) and f"{n}.{k}" in text(note)
            assert html.xpath(f"//a[@href='#fn-{outcome['id']}-{k}']")
    (inconsistency,) = [
        r for r in doc["outcomes"][0]["certainty"]["reasons"] if r["factor"] == "inconsistency"
    ]
    assert set(inconsistency["studies"]) == {"synthetic2020review", "synthetic2019b"}


def test_effect_against_the_smallest_worthwhile_change(client: TestClient) -> None:
    function = client.get(f"/api/v1/claims/{CLAIM}").json()["outcomes"][1]
    assert function["estimate"]["vs_swc"] == "smaller than the smallest worthwhile change"
    row = page(client, f"/claims/{CLAIM}").xpath("//tr[@id='outcome-function']")[0]
    assert (
        "Against the smallest worthwhile change (10): smaller than the smallest worthwhile change."
        in text(row)
    )


@pytest.mark.parametrize(("ci", "words"), [
    ((-14, -11), "larger than"), ((-4, 3), "smaller than"), ((-12, -2), "may or may not"),
])  # fmt: skip
def test_versus_swc(ci: tuple[float, float], words: str) -> None:
    estimate = {"measure": "md", "value": (ci[0] + ci[1]) / 2, "ci": list(ci), "swc": 10}
    assert (sof.versus_swc(estimate) or "").startswith(words)


def test_a_within_group_change_is_never_shown_as_a_difference() -> None:
    words = sof.effect_text({"measure": "percent-change", "value": 5.2, "comparison": "within-group"})
    assert words == "5.2%, change within one group (no comparison with control)"


def test_untested_advice_and_a_note_that_is_not_a_verdict(client: TestClient) -> None:
    html = page(client, "/claims/synthetic-advice")
    row = html.xpath("//tr[@id='outcome-safety']")[0]
    assert "No evidence" in text(row)
    assert "Expert advice, untested: in beginners, no study has tested whether" in text(row)
    assert "Untested: no study has tested the claim as stated." in text(html)
    assert "Source not found: The synthetic page that made the claim could not be found." in text(html)


def test_search_methods_are_shown(client: TestClient) -> None:
    section = page(client, f"/claims/{CLAIM}").xpath("//section[@aria-labelledby='search-title']")[0]
    words = text(section)
    assert "Synthetic Index" in words and "Synthetic ongoing trial E (SYN-0001)" in words
    assert "no control group" in words and "2019-06" in words  # the review's own search date


# --- forest plots ----------------------------------------------------------------------------------


def test_forest_plot_for_an_outcome_with_two_or_more_estimates(client: TestClient) -> None:
    html = page(client, f"/claims/{CLAIM}")
    plots = html.xpath("//svg[contains(@class, 'forest-plot')]")
    assert len(plots) == 1  # pain: 3 SMDs; function: one MD; injury: one HR and a within-group change
    svg = plots[0]
    assert svg.get("role") == "img" and svg.get("aria-labelledby")
    assert [a.get("href") for a in svg.xpath(".//a")] == [
        "/studies/synthetic2020review", "/studies/synthetic2018a", "/studies/synthetic2019b",
    ]  # fmt: skip
    words = text(svg)
    assert "Standardised mean differencepain" in words  # two lines: the measure, then the scale
    assert "Favours synthetic walking added to usual care" not in words  # too long: generic words
    assert "\u2190 Favours intervention" in words and "Favours usual care \u2192" in words
    assert svg.xpath(".//line[@stroke-dasharray]")  # the line of no effect
    assert svg.xpath(".//polygon")  # the pooled estimate is a diamond
    table = html.xpath("//figure[@class='forest']//table")[0]
    assert len(table.xpath("tbody/tr")) == 3
    assert "SMD \u22120.7 (95% CI \u22121.2 to \u22120.2)" in text(table)


def test_forest_plot_geometry_puts_each_estimate_inside_its_interval() -> None:
    group = [
        {"study": {"key": "a", "short": "A 2020", "page": "/studies/a"},
         "estimate": {"measure": "rr", "value": 0.5, "ci": [0.25, 1.0], "better": "lower"}},
        {"study": {"key": "b", "short": "B 2021", "page": "/studies/b"},
         "estimate": {"measure": "rr", "value": 2.0, "ci": [1.0, 4.0], "better": "lower"}},
    ]  # fmt: skip
    svg = lxml.html.fromstring(
        str(charts.forest_plot(group, {"name": "falls", "intervention": "x", "comparator": "y"}, plot_id="p"))
    )
    null = svg.xpath(".//line[@stroke-dasharray]")[0]
    lines = svg.xpath(".//line[@stroke='#0060a8']")
    marks = svg.xpath(".//rect")
    for line, mark in zip(lines, marks, strict=True):
        centre = float(mark.get("x")) + float(mark.get("width")) / 2
        assert float(line.get("x1")) <= centre <= float(line.get("x2"))
    # log axis: 0.5 and 2.0 sit at the same distance either side of the line of no effect (1)
    centres = [float(m.get("x")) + float(m.get("width")) / 2 for m in marks]
    assert abs((float(null.get("x1")) - centres[0]) - (centres[1] - float(null.get("x1")))) < 0.5
    assert "Favours x" in text(svg) and "Favours y" in text(svg)


# --- risk of bias ---------------------------------------------------------------------------------


def test_study_page_shows_risk_of_bias_domain_by_domain(client: TestClient) -> None:
    facts = text(
        page(client, "/studies/synthetic2019b").xpath("//section[@aria-labelledby='appraisal-title']")[0]
    )
    assert "High (RoB 2 (randomised trials))" in facts
    assert "Randomisation process: high" in facts and "Allocation not concealed" in facts
    cohort = text(page(client, "/studies/synthetic2021c"))
    assert "ROBINS-I" in cohort and "Confounding: moderate" in cohort


def test_api_carries_outcomes_estimates_and_risk_of_bias(client: TestClient) -> None:
    doc = client.get(f"/api/v1/claims/{CLAIM}").json()
    pain = doc["outcomes"][0]
    assert pain["certainty"]["level"] == "very-low" and pain["participants"] == 220
    assert pain["estimate"]["study"] == "synthetic2020review" and pain["estimate"]["i2"] == 20
    link = doc["evidence"][1]
    assert link["estimate"]["comparison"] == "between-group" and link["estimate"]["ci"] == [-1.2, -0.2]
    assert link["study"]["rob"]["domains"]["measurement"] == "some-concerns"
    assert doc["search"]["ongoing"][0]["registration"] == "SYN-0001"
    review = client.get("/api/v1/studies/synthetic2020review").json()
    assert review["includes"] == ["synthetic2018a"] and review["search_date"] == "2019-06"


def test_exports_carry_the_appraisal(client: TestClient) -> None:
    bib = client.get(
        "/api/v1/citations", params={"format": "bibtex", "study": "synthetic2019b", "appraisal": "true"}
    ).text
    assert "robdomains" in bib and "randomisation: high" in bib
    plain = client.get("/api/v1/citations", params={"format": "bibtex", "study": "synthetic2019b"}).text
    assert "robdomains" not in plain
    csl = json.loads(
        client.get("/api/v1/citations", params={"format": "csl-json", "study": "synthetic2019b"}).text
    )
    # in CSL-JSON's custom object, never its note: Zotero imports note into Extra and many styles
    # print it in the reference (app/citations_data.appraisal_custom)
    ours = csl[0]["custom"]["evidence-kb"]
    assert "risk of bias high (RoB 2 (randomised trials)): Allocation not concealed" in ours["appraisal"]
    assert (ours["riskofbias"], ours["robtool"]) == ("high", "rob2")
    assert "Appraisal" not in csl[0].get("note", "") and "risk of bias" not in csl[0].get("note", "")
    record = next(s for s in load_data(APPRAISAL).studies if s.key == "synthetic2021c")
    assert "ROBINS-I" in csl_item(record)["custom"]["evidence-kb"]["appraisal"]
    assert "ROBINS-I" not in csl_item(record).get("note", "")


# --- every claim of the shipped data --------------------------------------------------------------


def test_every_shipped_claim_renders_its_summary_of_findings_and_forest_plots(
    seed_client: TestClient,
) -> None:
    for item in seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]:
        doc: dict[str, Any] = seed_client.get(f"/api/v1/claims/{item['id']}").json()
        html = page(seed_client, f"/claims/{item['id']}")
        rows = html.xpath("//table[contains(@class, 'sof-table')]/tbody/tr")
        assert len(rows) == len(doc["outcomes"]) >= 1, item["id"]
        for row, outcome in zip(rows, doc["outcomes"], strict=True):
            assert outcome["certainty"]["label"] in text(row) and outcome["answer"] in text(row)
        expected = sum(len(sof.forest_groups(doc["evidence"], o["links"])) for o in doc["outcomes"])
        assert len(html.xpath("//svg[contains(@class, 'forest-plot')]")) == expected, item["id"]
        assert len(html.xpath("//figure[@class='forest']//table")) == expected


def test_every_answer_names_the_population_of_its_outcome() -> None:
    """No one-line answer asserts a claim for a population it was not studied in: each names its
    outcome's population, and an outcome without direct evidence never gets a positive verb."""
    for record in load_data(DATA_DIR).claims:
        for outcome in record.outcomes:
            population = outcome.outcome.population
            assert f"in {population.lower()}," in outcome.answer.lower(), record.claim.id
            if outcome.grade.level in ("no-direct-evidence", "no-evidence"):
                assert "no direct evidence" in outcome.answer or "no study has tested" in outcome.answer


def test_the_methodology_lists_the_verdicts_with_their_meaning_and_rating(seed_client: TestClient) -> None:
    doc = seed_client.get("/api/v1/methodology").json()
    assert [(v["verdict"], v["rating"]) for v in doc["verdicts"]] == [
        ("supported", 5), ("partly-supported", 4), ("unproven", 3), ("misleading", 2), ("contradicted", 1),
    ]  # fmt: skip
    assert all(v["meaning"] == grading.VERDICT_MEANINGS[v["verdict"]] for v in doc["verdicts"])


def test_fixture_is_synthetic() -> None:
    assert all(s.key.startswith("synthetic") for s in load_data(APPRAISAL).studies)
    assert "not real" in (Path(APPRAISAL) / "README.md").read_text()


def test_the_evidence_chart_places_studies_by_the_same_start_rule() -> None:
    """A laboratory study of a factual claim sits in the 'High' row of the chart, as in the grade."""
    link = {"study": {"key": "lab", "design": "laboratory"}, "stance": "supports", "directness": "direct"}
    assert charts.marks([link], "factual")[0].level == "high"
    assert charts.marks([link], "effect")[0].level == "very-low"


def test_estimates_keep_the_digits_the_source_reports(seed_client: TestClient) -> None:
    """A trial user's report: "g −0.997 (95% CI −1.373 to −0.62)" beside values of three decimals
    (Lin 2025 reports −0.620), and "OR 13" for the 13.0 Winters 2021 reports. Numbers are shown as
    the data file writes them, never with a digit added ("MD 2 (95% CI 1.5 to 2.2)" stays so)."""
    expected = {
        "backward-walking-eases-knee-osteoarthritis": ["g −0.997 (95% CI −1.373 to −0.620)"],
        "quadriceps-strengthening-reduces-knee-pain": ["OR 13.0 (95% CrI 2.4 to 83.5)"],
        "backward-walking-improves-balance": ["MD 4.38 (95% CI 2.60 to 6.15)", "MD 2 (95% CI 1.5 to 2.2)"],
        "backward-walking-improves-walking-in-cerebral-palsy": ["MD 0.10 (95% CI 0.05 to 0.16)"],
    }
    for claim_id, texts in expected.items():
        page = seed_client.get(f"/claims/{claim_id}").text
        for text in texts:
            assert text in page, (claim_id, text)
    lin = next(
        e["estimate"]
        for e in seed_client.get("/api/v1/claims/backward-walking-eases-knee-osteoarthritis").json()[
            "evidence"
        ]
        if e["study"]["key"] == "lin2025effectiveness"
    )
    assert lin["reported"] == {"value": "-0.997", "ci": ["-1.373", "-0.620"]} and lin["ci"] == [-1.373, -0.62]
    # the forest plot's labels come from the same numbers
    assert ">1.64 [1.31, 2.05]<" in seed_client.get("/claims/sudden-training-increases-cause-knee-pain").text


def test_a_count_says_whom_it_counts(seed_client: TestClient) -> None:
    """A trial user's report: the VO2 max claim (Terblanche 2005) said "13 participants" in its
    grade while its evidence table said 26. Both are true: 26 women, 13 trained and 13 controls,
    and the outcome is a change within the 13 trained. The page now says which, from the data
    (studies.bib ``groups``, the estimate's ``group``), wherever the count appears; and the
    population it names is the one studied ("About: Healthy adults" stood beside "In young women")."""
    claim_id = "backward-training-raises-predicted-vo2max"
    page = seed_client.get(f"/claims/{claim_id}").text
    basis = "13 participants (the trained group of 26: 13 trained, 13 controls; a change within that group)"
    meter = page[page.index('class="answer-grade"') :][:3000]
    assert basis in meter
    sof_cell = page[page.index('data-label="Participants (counted once)"') :][:400]
    assert "(the trained group of 26: 13 trained, 13 controls; a change within that group)" in sof_cell
    table = page[page.index('<table class="evidence') :]
    assert '<td data-label="Sample size">26 participants (13 trained, 13 controls)</td>' in table
    assert "13 analysed (trained group)" in table
    assert (
        "Terblanche et al. 2005: controlled trial (not randomised), 26 participants (13 trained, 13 controls)"
        in page
    )
    study = seed_client.get("/api/v1/studies/terblanche2005effect").json()
    assert study["groups"] == [{"label": "trained", "n": 13}, {"label": "controls", "n": 13}]
    assert (
        "26 participants (13 trained, 13 controls)" in seed_client.get("/studies/terblanche2005effect").text
    )
    # one population: what "About" names is what the answer and the study name
    doc = seed_client.get(f"/api/v1/claims/{claim_id}").json()
    assert "young women" in doc["population"].lower() and "aged 18-23" in doc["population"]
    assert doc["outcomes"][0]["answer"].startswith("In healthy young women aged 18-23,")


def test_certainty_reasons_keep_the_digits_the_source_reports(tmp_path: Path) -> None:
    """The reasons quoted an estimate through Python's ':g' (I² 75.0 as '75', −0.80 as '-0.8', and
    1e+02-style for large numbers) beside estimates shown as the data file writes them; they now
    show the same digits, with a real minus sign."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(APPRAISAL, data)
    claims = data / "claims.yaml"
    pooled = "value: -0.6, ci: [-0.9, -0.3], comparison: between-group, better: lower, analysed: 180, studies: 3, i2: 20"
    assert pooled in claims.read_text()
    claims.write_text(claims.read_text().replace(pooled, pooled.replace("value: -0.6, ci: [-0.9, -0.3]",
                      "value: -0.80, ci: [-1.10, -0.50]").replace("i2: 20", "i2: 75.0")))  # fmt: skip
    settings = make_settings(f"sqlite:///{tmp_path / 'kb.db'}", data)
    build_database(settings, force=True)
    with TestClient(create_app(settings)) as client:
        claim = client.get("/api/v1/claims/synthetic-walking-eases-knee-pain").json()
        reasons = [r["explanation"] for o in claim["outcomes"] for r in o["certainty"]["reasons"]]
        html = client.get("/claims/synthetic-walking-eases-knee-pain").text
    expected = [
        "Substantial heterogeneity in the pooled estimate (I² = 75.0%).",
        "A large standardised effect (\u22120.80) pooled from small trials",
    ]
    for text in expected:
        assert any(r.startswith(text) for r in reasons), (text, reasons)
        assert text in html


def test_a_single_studys_count_says_whom_it_counts_in_its_certainty_reason(seed_client: TestClient) -> None:
    """The VO2 max claim's imprecision footnote said 'A single study of 13 participants.' of a study
    of 26 (13 trained, 13 controls), the outcome a change within the 13 trained: it names the group,
    as the summary of findings does (Grobbelaar 2017's 15 of 29: the backward group)."""
    expected = {
        "backward-training-raises-predicted-vo2max": "A single study of 13 participants (the trained group of 26 "
        "in the study; a change within that group).",
        "backward-walking-improves-gait-in-parkinsons": "A single study of 15 participants (the backward group "
        "of 29 in the study; a change within that group).",
    }
    for claim_id, reason in expected.items():
        assert reason in seed_client.get(f"/claims/{claim_id}").text, claim_id
        claim = seed_client.get(f"/api/v1/claims/{claim_id}").json()
        assert any(
            r["explanation"].startswith(reason) for o in claim["outcomes"] for r in o["certainty"]["reasons"]
        )
