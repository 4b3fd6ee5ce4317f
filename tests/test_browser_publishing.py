"""Publishing in a real browser (Playwright on Debian's chromium, as in test_browser.py).

- Tables: at 390, 800, 1280 and 1440 px no cell breaks a word between its letters and nothing
  scrolls sideways (and the check is shown to catch a squeezed table).
- The evidence chart: text at least 12 px at every width, each mark under its column and a link to
  its study.
- The verdict legend, the search cards (answer kept, phrasing labelled), /docs with every request
  outside the site blocked.
- axe-core (vendored, tests/fixtures/axe-core) on every page type at 390 and 1280 px: WCAG 2.1 A
  and AA rules and best practices; any violation fails.
Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from helpers import FIXTURES
from test_browser import ARTIFACTS, browser, site  # noqa: F401 (fixtures)

from app import charts

pytestmark = pytest.mark.browser

WIDTHS = [390, 800, 1280, 1440]
AXE = FIXTURES / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

#: Words a table cell breaks between letters: a word whose letters sit on more than one line.
BROKEN_WORDS_JS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('table th, table td')) {
    const hidden = cell.closest('thead, .visually-hidden');  // headers hidden when rows are cards
    if (hidden && hidden.getBoundingClientRect().width <= 2) continue;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const words = /[^\\s\\-\\u2010-\\u2015\\/]+/g;
      let m;
      while ((m = words.exec(node.data))) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
        if (lines.size > 1) broken.push(m[0]);
      }
    }
  }
  return broken;
}"""

SIDEWAYS_JS = """() => {
  const wide = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) wide.push(['page', root.scrollWidth, root.clientWidth]);
  for (const el of document.querySelectorAll('.table-wrap, table')) {
    if (el.scrollWidth > el.clientWidth + 1) wide.push([el.className, el.scrollWidth, el.clientWidth]);
  }
  return wide;
}"""


def api(base: str, path: str, **params: Any) -> Any:
    return httpx.get(base + path, params=params, timeout=30).json()


@pytest.fixture
def tab(browser: Any, site: str) -> Iterator[Any]:  # noqa: F811
    """A page in a fresh context; console errors (CSP violations among them) fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield page
        assert not [e for e in errors if "status of 404" not in e], errors
    finally:
        context.close()


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def claim_ids(base: str) -> list[str]:
    return [c["id"] for c in api(base, "/api/v1/claims", limit=100)["items"]]


# --- tables ----------------------------------------------------------------------------------


@pytest.mark.parametrize("width", WIDTHS)
def test_tables_keep_words_whole_and_never_scroll_sideways(tab: Any, site: str, width: int) -> None:  # noqa: F811
    tab.set_viewport_size({"width": width, "height": 900})
    paths = [f"/claims/{cid}" for cid in claim_ids(site)] + ["/studies"]
    for path in paths:
        tab.goto(path)
        assert tab.evaluate(BROKEN_WORDS_JS) == [], (path, width)
        assert tab.evaluate(SIDEWAYS_JS) == [], (path, width)
    tab.goto(paths[0])
    shoot(tab, f"table-{width}")


def test_the_table_check_catches_a_squeezed_table(browser: Any, site: str) -> None:  # noqa: F811
    """The check above is not vacuous: the old squeezed layout (letters broken) fails it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=site, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(f"/claims/{claim_ids(site)[0]}")
        page.add_style_tag(
            content="""
            table.stack, table.stack thead, table.stack tbody { display: revert !important; }
            table.stack tr { display: table-row !important; }
            table.stack th, table.stack td { display: table-cell !important; width: auto !important;
              overflow-wrap: anywhere !important; }
            .evidence .finding { min-width: 30rem; }
            table.stack { table-layout: fixed; }"""
        )
        assert page.evaluate(BROKEN_WORDS_JS)
        page.add_style_tag(content=".evidence { width: 2400px !important; }")
        assert page.evaluate(SIDEWAYS_JS)
    finally:
        context.close()


IN_COLUMN_JS = """() => {
  const out = [];
  for (const table of document.querySelectorAll('table')) {
    const column = table.closest('.wrap');
    if (!column) continue;
    const style = getComputedStyle(column);
    const box = column.getBoundingClientRect();
    const left = box.left + parseFloat(style.paddingLeft), right = box.right - parseFloat(style.paddingRight);
    for (const el of [table.closest('.table-wrap') || table, table]) {
      const r = el.getBoundingClientRect();
      if (r.left < left - 1 || r.right > right + 1) out.push([table.className, Math.round(r.left), Math.round(r.right), Math.round(left), Math.round(right)]);
    }
  }
  return out;
}"""


@pytest.mark.parametrize("width", [1280, 1440, 1920])
def test_tables_stay_inside_the_page_column(tab: Any, site: str, width: int) -> None:  # noqa: F811
    """The evidence table took the whole window's width from 80rem up and overflowed the page's
    column, out of line with the headings and the summary table above it (a new user's check at
    1280px): every table stays inside the column, and still never scrolls sideways."""
    tab.set_viewport_size({"width": width, "height": 900})
    for cid in claim_ids(site):
        tab.goto(f"/claims/{cid}")
        assert tab.evaluate(IN_COLUMN_JS) == [], (cid, width)
        assert tab.evaluate(SIDEWAYS_JS) == [], (cid, width)
        assert tab.evaluate(BROKEN_WORDS_JS) == [], (cid, width)


# --- the evidence chart ------------------------------------------------------------------------

CHART_JS = """columnUnits => {
  const svg = document.querySelector('svg.evidence-chart');
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const heads = {};
  const box = svg.getBoundingClientRect();
  const outside = [];
  for (const t of svg.querySelectorAll('text')) {
    const r = t.getBoundingClientRect();
    if (r.left < box.left - 0.5 || r.right > box.right + 0.5) outside.push(t.textContent);
  }
  for (const t of svg.querySelectorAll('text.chart-head:not([aria-hidden])')) {
    const r = t.getBoundingClientRect();
    heads[t.textContent] = r.left + r.width / 2;
  }
  const marks = [...svg.querySelectorAll('a.chart-mark')].map(a => {
    const r = a.getBoundingClientRect();
    return {href: a.getAttribute('href'), stance: a.dataset.stance, x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width,
            left: r.left, right: r.right};
  });
  return {scale, sizes, heads, marks, outside, columnWidth: columnUnits * scale};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_text_is_readable_and_marks_sit_under_their_column(tab: Any, site: str, width: int) -> None:  # noqa: F811
    tab.set_viewport_size({"width": width, "height": 900})
    # A heading's two lines (tspans) read as one text without the space between them.
    labels = {stance: label.replace(" ", "", 1) for stance, label in charts.STANCE_LABELS.items()}
    for claim_id in claim_ids(site):
        doc = api(site, f"/api/v1/claims/{claim_id}")
        if not doc["evidence"]:
            continue
        tab.goto(f"/claims/{claim_id}")
        chart = tab.evaluate(CHART_JS, charts.COLUMN_WIDTH)
        assert min(chart["sizes"]) >= 12, (claim_id, width, min(chart["sizes"]))
        assert chart["outside"] == [], (claim_id, width)  # no label cut at the chart's edge
        assert sorted((m["href"], m["stance"]) for m in chart["marks"]) == sorted(
            (urlsplit(e["study"]["page"]).path, e["stance"]) for e in doc["evidence"]
        )
        for mark in chart["marks"]:
            centre = chart["heads"][labels[mark["stance"]]]
            assert abs(mark["x"] - centre) <= chart["columnWidth"] / 2 - mark["w"] / 2 + 1, (claim_id, mark)
        # Each line of marks in a cell is centred under its column's heading.
        lines: list[list[dict[str, Any]]] = []
        for mark in sorted(chart["marks"], key=lambda m: m["y"]):
            line = next(
                (
                    ln
                    for ln in lines
                    if ln[0]["stance"] == mark["stance"] and abs(ln[0]["y"] - mark["y"]) < 12
                ),
                None,
            )
            if line is None:
                lines.append([mark])
            else:
                line.append(mark)
        for line in lines:
            middle = (min(m["left"] for m in line) + max(m["right"] for m in line)) / 2
            assert abs(middle - chart["heads"][labels[line[0]["stance"]]]) < 2, (claim_id, line)
    if width == 390:
        tab.locator("figure.chart").screenshot(path=str(ARTIFACTS / "chart-390.png"))


def test_chart_marks_link_to_their_studies(tab: Any, site: str) -> None:  # noqa: F811
    tab.set_viewport_size({"width": 390, "height": 844})
    claim_id = claim_ids(site)[0]
    tab.goto(f"/claims/{claim_id}")
    mark = tab.locator("svg.evidence-chart a.chart-mark").first
    href = mark.get_attribute("href")
    mark.click()
    tab.wait_for_url(f"**{href}")
    assert tab.locator("h1").inner_text() == api(site, "/api/v1" + href)["title"]


# --- legend, search cards, docs ---------------------------------------------------------------


def test_verdict_legend_on_claim_and_methodology_pages(tab: Any, site: str) -> None:  # noqa: F811
    verdicts = api(site, "/api/v1/methodology")["verdicts"]
    assert all(v["meaning"] for v in verdicts)
    claim = api(site, f"/api/v1/claims/{claim_ids(site)[0]}")
    for path in [f"/claims/{claim['id']}", "/methodology"]:
        tab.goto(path)
        legend = tab.locator(".verdict-legend")
        legend.locator("summary").first.click() if legend.locator("summary").count() else None
        terms = legend.locator("dt")
        assert [terms.nth(i).inner_text().strip() for i in range(terms.count())] == [
            v["label"] for v in verdicts
        ]
        meanings = legend.locator("dd")
        assert [meanings.nth(i).inner_text().strip() for i in range(meanings.count())] == [
            v["meaning"] for v in verdicts
        ]
        if path.startswith("/claims/"):
            current = legend.locator("[aria-current='true']")
            assert current.inner_text().strip() == claim["verdict_label"]
            shoot(tab, "legend-claim")


def test_search_cards_keep_the_answer_and_label_what_people_say(tab: Any, site: str) -> None:  # noqa: F811
    tab.set_viewport_size({"width": 390, "height": 844})
    tab.goto("/claims?q=knee+pain")
    expected = api(site, "/api/v1/claims", q="knee pain", limit=10)["items"]
    cards = tab.locator("article.claim-card")
    assert cards.count() == len(expected) > 2
    for i, item in enumerate(expected):
        card = cards.nth(i)
        assert card.locator(".calibrated").inner_text() == item["calibrated"]
        said = card.locator(".people-say")
        if said.count():
            assert said.inner_text().startswith("What people say:")
    assert tab.locator(".people-say").count() >= 1
    # A match in the statement ranks above a match only in the phrasings.
    in_statement = [
        {"knee", "pain"} <= set(re.findall(r"\w+", item["statement"].lower())) for item in expected
    ]
    assert in_statement[0] and in_statement == sorted(in_statement, reverse=True), in_statement
    shoot(tab, "search-cards-390")


def test_docs_render_with_the_network_blocked(tab: Any, site: str) -> None:  # noqa: F811
    origin = site.rstrip("/")
    blocked: list[str] = []

    def only_the_site(route: Any) -> None:
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    tab.context.route("**/*", only_the_site)
    tab.goto("/docs")
    tab.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "evidence-kb" in tab.locator(".swagger-ui .info .title").inner_text()
    assert tab.locator(".opblock").count() >= 10  # every API operation
    assert blocked == []
    shoot(tab, "docs-offline")


# --- axe-core -----------------------------------------------------------------------------------


def page_types(base: str) -> list[str]:
    claim = api(base, f"/api/v1/claims/{claim_ids(base)[0]}")
    study = claim["evidence"][0]["study"]["key"]
    return [
        "/", "/claims", "/claims?q=knee+pain", f"/claims/{claim['id']}", "/studies", f"/studies/{study}",
        "/methodology", "/factcheck", "/about", "/downloads", "/no-such-page",
    ]  # fmt: skip


@pytest.mark.parametrize("width", [390, 1280])
def test_axe_finds_no_violation_on_any_page_type(browser: Any, site: str, width: int) -> None:  # noqa: F811
    # bypass_csp lets the test inject axe; the pages' own CSP is tested elsewhere.
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=site, bypass_csp=True)
    found: dict[str, Any] = {}
    try:
        page = context.new_page()
        paths = page_types(site)
        for path in paths:
            page.goto(path)
            found[path] = run_axe(page)
        # The fact-check result (a form POST).
        page.goto("/factcheck")
        page.get_by_label("Text of the post").fill("Walking backwards cured my knee pain #retrowalking")
        page.get_by_role("button", name="Check this post").click()
        page.wait_for_selector("section.factcheck-result")
        found["/factcheck (result)"] = run_axe(page)
    finally:
        context.close()
    violations = {path: v for path, v in found.items() if v}
    assert not violations, json.dumps(violations, indent=1)[:6000]


def run_axe(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def test_axe_runs_the_rules_it_should(browser: Any, site: str) -> None:  # noqa: F811
    """The axe run is not vacuous: a page with a known problem (an image without alt text, a
    duplicated landmark) is reported."""
    context = browser.new_context(base_url=site, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/about")
        page.evaluate(
            "() => { const i = document.createElement('img'); i.src = '/static/favicon.svg';"
            " document.querySelector('main').append(i);"
            " const n = document.createElement('nav'); n.setAttribute('aria-label', 'Main');"
            " document.body.append(n); }"
        )
        ids = {v["id"] for v in run_axe(page)}
    finally:
        context.close()
    assert {"image-alt", "landmark-unique"} <= ids
