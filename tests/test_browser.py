"""End to end in a real browser: Debian's chromium driven by Playwright, against uvicorn.

A reader searches for a claim, opens it, reads the verdict and the evidence table, follows a
study, and submits the fact-check form; on a desktop and on a 390-pixel phone. Screenshots go to
test-artifacts/latest/ (ignored by git, kept by CI as artifacts; the reviewed screenshots committed in
test-artifacts/ are never overwritten). Playwright's own browsers are never downloaded: the
tests use /usr/bin/chromium and are skipped, with the reason, when it or Playwright is missing.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from helpers import ROOT, free_port

from app.main import create_app
from app.settings import Settings

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
# Screenshots each run writes (ignored by git); the reviewed ones committed in test-artifacts/ stay.
ARTIFACTS = ROOT / "test-artifacts" / "latest"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
POST = "Walking backwards on the treadmill for 10 minutes a day totally cured my knee pain! #retrowalking"

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
)
if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip(f"chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def site(seed_sqlite: Settings) -> Iterator[str]:
    """The app over the shipped data (SQLite, the session's build), served by a real uvicorn in a thread."""
    settings = seed_sqlite
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Any, site: str) -> Iterator[Any]:
    """A fresh page at one viewport; fails the test on any console error (CSP violations are)."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], base_url=site)
    tab = context.new_page()
    tab.viewport_name = request.param
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        yield tab
        if getattr(tab, "expect_404", False):  # the browser reports a 404 page as an error
            errors = [e for e in errors if "status of 404" not in e]
        assert not errors, errors
    finally:
        context.close()


def shoot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{page.viewport_name}.png"), full_page=True)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], (name, width)


def api(site: str, path: str, **params: Any) -> Any:
    return httpx.get(site + path, params=params, timeout=10).json()


def test_search_open_a_claim_and_follow_a_study(page: Any, site: str) -> None:
    page.goto("/")
    shoot(page, "home")
    page.get_by_label("Search claims").first.fill("knee")
    page.get_by_role("button", name="Search").first.click()
    page.wait_for_url("**/claims?q=knee")
    expected = api(site, "/api/v1/claims", q="knee")["items"]
    results = page.locator("article.claim-card h3 a")
    assert results.count() == min(len(expected), 10)
    assert page.locator("p.people-say mark").first.is_visible()
    shoot(page, "search")

    claim = expected[0]
    results.first.click()
    page.wait_for_url(f"**/claims/{claim['id']}")
    assert page.locator("h1").inner_text() == claim["statement"]
    verdict = page.locator("section.answer .verdict-line .verdict").inner_text()
    assert verdict.split() == f"Verdict: {claim['verdict_label']}".split()  # the prefix is for screen readers
    assert page.locator("section.answer .calibrated-big").inner_text() == claim["calibrated"]
    meter = page.locator("section.answer .grade-large")
    assert claim["grade"]["label"] in meter.inner_text() and f"{claim['study_count']} " in meter.inner_text()
    doc = api(site, f"/api/v1/claims/{claim['id']}")
    rows = page.locator("table.evidence tbody tr")
    assert rows.count() == len(doc["evidence"])
    assert page.locator("svg.evidence-chart").is_visible()
    shoot(page, "claim")

    study = doc["evidence"][0]["study"]
    rows.first.locator("th a").click()
    page.wait_for_url(f"**/studies/{study['key']}")
    assert page.locator("h1").inner_text() == study["title"]
    # The copy button is progressive enhancement: hidden without JavaScript, shown with it.
    assert page.locator("button.copy-button").is_visible()
    shoot(page, "study")


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_copy_button_only_where_the_script_runs(browser: Any, site: str, viewport: str) -> None:
    """A trial user's report: without JavaScript the study page showed a "Copy reference" button
    that did nothing (``button { display: inline-block }`` beat its ``hidden`` attribute). It is
    shown only once site.js has revealed it; the reference text is there either way."""
    path = "/studies/terblanche2005effect"
    for javascript in (False, True):
        context = browser.new_context(
            viewport=VIEWPORTS[viewport], base_url=site, java_script_enabled=javascript
        )
        try:
            tab = context.new_page()
            tab.viewport_name = viewport
            tab.goto(path)
            assert tab.locator("#ref-apa").is_visible()
            button = tab.locator("button.copy-button")
            assert button.count() == 1
            assert button.is_visible() is javascript, f"JavaScript {'on' if javascript else 'off'}"
            shoot(tab, "study-with-js" if javascript else "study-without-js")
        finally:
            context.close()


def test_factcheck_form(page: Any, site: str) -> None:
    page.goto("/factcheck")
    page.get_by_label("Text of the post").fill(POST)
    page.get_by_role("button", name="Check this post").click()
    page.wait_for_selector("section.factcheck-result")
    expected = httpx.post(site + "/api/v1/factcheck", json={"text": POST}, timeout=10).json()["matches"]
    links = page.locator("article.match h3 a")
    assert links.count() == len(expected) > 0
    assert links.first.get_attribute("href") == f"/claims/{expected[0]['claim']['id']}"
    assert page.get_by_label("Text of the post").input_value() == POST
    shoot(page, "factcheck")


def test_factcheck_quotes_the_words_matched(page: Any) -> None:
    """The words first, where they are in small print (with the API's offsets in its tooltip)."""
    post = (
        "Walking backwards on a treadmill for 10 minutes relieves knee pain. "
        "Studies show retro walking burns 40% more calories."
    )
    page.goto("/factcheck")
    page.get_by_label("Text of the post").fill(post)
    page.get_by_role("button", name="Check this post").click()
    page.wait_for_selector("section.factcheck-result")
    line = page.locator("p.matched-text").last
    assert line.inner_text().startswith("In the post: “Studies show retro walking burns 40% more calories.”")
    small = line.locator("small")
    assert small.inner_text() == f"(characters 69–119 of {len(post)})"
    assert "start 68, end 119" in (small.get_attribute("title") or "")
    # small print: smaller than the quoted words, and muted
    sizes = page.evaluate(
        "([q, s]) => [parseFloat(getComputedStyle(q).fontSize), parseFloat(getComputedStyle(s).fontSize)]",
        [line.locator(".quoted").element_handle(), small.element_handle()],
    )
    assert sizes[1] < sizes[0]
    shoot(page, "factcheck-spans")


def test_factcheck_says_a_denied_figure_once(page: Any) -> None:
    page.goto("/factcheck")
    page.get_by_label("Text of the post").fill("Walking backwards doesn't burn twice the calories")
    page.get_by_role("button", name="Check this post").click()
    page.wait_for_selector("section.factcheck-result")
    line = page.locator("ul.denied-figures li").first.inner_text()
    assert line.startswith("The post denies the figure “twice”, not the claim. The evidence does not support")
    assert line.count("denies") == 1
    shoot(page, "factcheck-denied-figure")


def test_keyboard_and_error_pages(page: Any) -> None:
    page.expect_404 = True
    page.goto("/claims/no-such-claim")
    assert page.locator("h1").inner_text() == "Page not found"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # a visible focus indicator
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    shoot(page, "not-found")
    page.goto("/methodology")
    shoot(page, "methodology")


def test_a_reasons_effect_label_stays_with_its_factor(page: Any) -> None:
    """A trial user's report: on a phone the label of what a reason did to the grade ("note",
    "▼ down 1 level") stood alone between the factor and its text, where it read as a heading of
    the text; on wider screens it sank to the studies' row, below a long text. It is now beside
    the factor on a phone and right under it on wider screens."""
    page.goto("/claims/backward-walking-eases-knee-osteoarthritis")
    reasons = page.locator("ol.reasons li.reason")
    assert reasons.count() >= 3
    for i in range(reasons.count()):
        reason = reasons.nth(i)
        factor = reason.locator(".reason-factor").bounding_box()
        effect = reason.locator(".reason-effect").bounding_box()
        text = reason.locator(".reason-text").bounding_box()
        if page.viewport_name == "phone":  # one line: the label after the factor, then the text
            assert (
                effect["x"] > factor["x"] + factor["width"] and effect["y"] < factor["y"] + factor["height"]
            )
            assert text["y"] >= factor["y"] + factor["height"] - 1
        else:  # under the factor, beside the top of the text
            assert 0 <= effect["y"] - (factor["y"] + factor["height"]) < 8, (factor, effect)
            assert text["x"] > effect["x"] + effect["width"] and text["y"] <= factor["y"] + 2
    shoot(page, "claim-reasons")
