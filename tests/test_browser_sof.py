"""The summary of findings and the forest plot in a real browser (Debian's chromium, Playwright),
on a desktop and on a 390-pixel phone: nothing wider than the screen, the plot's text at a
readable size, screenshots in test-artifacts/latest/ (claim-sof-*.png). One page from the shipped data,
one from the synthetic fixture with estimates (tests/fixtures/appraisal)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from helpers import DATA_DIR, FIXTURES, free_port, make_settings
from test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, VIEWPORTS, sync_api

from app.build import build_database
from app.main import create_app

pytestmark = pytest.mark.browser

PAGES = {
    "shipped": (DATA_DIR, "/claims/backward-walking-eases-knee-osteoarthritis"),
    "shipped-forest": (DATA_DIR, "/claims/sudden-training-increases-cause-knee-pain"),
    "synthetic": (FIXTURES / "appraisal", "/claims/synthetic-walking-eases-knee-pain"),
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    servers, found = [], {}
    for name, (data_dir, _) in PAGES.items():
        settings = make_settings(f"sqlite:///{tmp_path_factory.mktemp(name) / 'kb.db'}", Path(data_dir))
        build_database(settings, force=True)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        threading.Thread(target=server.run, daemon=True).start()
        deadline = time.monotonic() + 15
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        servers.append(server)
        found[name] = f"http://127.0.0.1:{port}"
    try:
        yield found
    finally:
        for server in servers:
            server.should_exit = True


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("which", list(PAGES))
def test_summary_of_findings_and_forest_plot(
    browser: Any, sites: dict[str, str], viewport: str, which: str
) -> None:
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        tab.goto(sites[which] + PAGES[which][1])
        assert tab.locator("table.sof-table tbody tr").count() >= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"claim-sof-{which}-{viewport}.png"), full_page=True)
        assert tab.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
        tab.locator("section.sof").screenshot(path=str(ARTIFACTS / f"claim-sof-table-{which}-{viewport}.png"))
        plots = tab.locator("svg.forest-plot")
        for i in range(plots.count()):
            plot = plots.nth(i)
            plot.scroll_into_view_if_needed()
            plot.screenshot(path=str(ARTIFACTS / f"forest-{which}-{i}-{viewport}.png"))
            # Study names stay readable: rendered at 11 px or more on any screen.
            height = plot.locator("text.forest-label").first.evaluate("e => e.getBoundingClientRect().height")
            assert height >= 11, height
            # The study name links to the study page.
            href = plot.locator("a").first.get_attribute("href")
            assert href and href.startswith("/studies/")
        if which in ("synthetic", "shipped-forest"):
            assert plots.count() >= 1
        assert not errors, errors
    finally:
        context.close()
