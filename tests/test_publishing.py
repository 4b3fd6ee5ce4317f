"""Publishing: downloads, feeds, sitemap, social tags, CORS, HEAD, health checks, unknown query
parameters and `evidence-kb serve`, through HTTP and the CLI, on both backends."""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import feedparser
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from helpers import free_port, make_settings

from app.build import build_database
from app.cli import main
from app.feeds import claim_events
from app.main import create_app
from app.serving import base_url_warning
from app.settings import Settings

BASE = "http://127.0.0.1:8000"


def all_claims(client: TestClient) -> list[dict[str, Any]]:
    listing = client.get("/api/v1/claims", params={"limit": 100}).json()
    assert listing["total"] <= 100
    return [client.get(f"/api/v1/claims/{c['id']}").json() for c in listing["items"]]


def all_study_keys(client: TestClient) -> list[str]:
    listing = client.get("/api/v1/studies", params={"limit": 100}).json()
    assert listing["total"] <= 100
    return [s["key"] for s in listing["items"]]


class Tags(HTMLParser):
    """The <meta> and <link> tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in values or "name" in values):
            self.meta[values.get("property") or values["name"]] = values.get("content", "")
        if tag == "link":
            self.links.append(values)


def tags(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    return parser


# --- open data ----------------------------------------------------------------------------------


def test_downloads_are_listed_with_licence_and_build_date(seed_client: TestClient) -> None:
    home = seed_client.get("/api/v1").json()
    assert home["links"]["downloads"].endswith("/api/v1/downloads")
    listing = seed_client.get("/api/v1/downloads").json()
    names = [f["name"] for f in listing["files"]]
    for expected in ["evidence-kb.json", "claims.csv", "studies.csv", "evidence.csv", "outcomes.csv",
                     "evidence-kb.sqlite", "studies.bib", "claims.yaml", "concepts.yaml"]:  # fmt: skip
        assert expected in names
    built_at = seed_client.get("/api/v1").json()["built_at"]
    for item in listing["files"]:
        assert item["licence"] == "CC BY 4.0" and item["built_at"][:19] == built_at[:19].replace(" ", "T")
        assert item["url"] == f"/downloads/{item['name']}" and len(item["sha256"]) == 64
    page = seed_client.get("/downloads").text
    assert all(f'href="/downloads/{name}"' in page for name in names)
    assert 'href="/downloads"' in seed_client.get("/about").text


def test_download_etag_and_files_match_the_manifest(seed_client: TestClient) -> None:
    import hashlib

    listing = seed_client.get("/api/v1/downloads").json()
    for item in listing["files"]:
        response = seed_client.get(item["url"])
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == item["sha256"]
        etag = response.headers["etag"]
        assert seed_client.get(item["url"], headers={"If-None-Match": etag}).status_code == 304
        assert 'rel="license"' in response.headers["link"]
    missing = seed_client.get("/downloads/nothing.csv")
    assert missing.status_code == 404


def test_json_dump_round_trips_against_the_api(seed_client: TestClient) -> None:
    dump = seed_client.get("/downloads/evidence-kb.json").json()
    claims = all_claims(seed_client)
    assert dump["licence"]["name"] == "CC BY 4.0" and dump["built_at"]
    dumped = {c["id"]: c for c in dump["claims"]}
    assert len(dumped) == len(dump["claims"]) and set(dumped) == {c["id"] for c in claims}
    for served in claims:
        assert dumped[served["id"]] == served
    keys = all_study_keys(seed_client)
    assert sorted(s["key"] for s in dump["studies"]) == sorted(keys)
    for study in dump["studies"][:5]:
        assert study == seed_client.get(f"/api/v1/studies/{study['key']}").json()


def test_csv_dumps_hold_every_claim_study_and_link(seed_client: TestClient) -> None:
    def rows(name: str) -> list[dict[str, str]]:
        response = seed_client.get(f"/downloads/{name}")
        assert response.headers["content-type"].startswith("text/csv")
        return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))

    claims = all_claims(seed_client)
    claim_rows = {r["id"]: r for r in rows("claims.csv")}
    assert set(claim_rows) == {c["id"] for c in claims}
    for claim in claims:
        row = claim_rows[claim["id"]]
        assert row["statement"] == claim["statement"] and row["verdict"] == claim["verdict"]
        assert row["grade"] == claim["grade"]["level"]
        assert row["participants"] == ("" if claim["participants"] is None else str(claim["participants"]))
    assert {r["key"] for r in rows("studies.csv")} == set(all_study_keys(seed_client))
    links = rows("evidence.csv")
    assert len(links) == sum(len(c["evidence"]) for c in claims)
    expected = {(c["id"], e["study"]["key"], e["stance"]) for c in claims for e in c["evidence"]}
    assert {(r["claim_id"], r["study_key"], r["stance"]) for r in links} == expected
    figures = rows("outcomes.csv")
    assert len(figures) == sum(len(e["figures"]) for c in claims for e in c["evidence"])


@pytest.mark.parametrize(
    "claim_id",
    ["quadriceps-strengthening-reduces-knee-pain", "backward-walking-improves-walking-in-cerebral-palsy"],
)
def test_participants_not_reported_are_unknown_never_0(seed_client: TestClient, claim_id: str) -> None:
    # A trial user's report: the page said "participants not reported", claims.csv and the API 0.
    page = seed_client.get(f"/claims/{claim_id}").text
    assert (
        "participants not reported" in page or "participants in all, not the number for this outcome" in page
    )
    claim = seed_client.get(f"/api/v1/claims/{claim_id}").json()
    assert claim["participants"] is None and claim["participants_unknown"] > 0
    assert all(o["participants"] is None for o in claim["outcomes"] if not o["participants"])
    listed = seed_client.get("/api/v1/claims", params={"limit": 100}).json()["items"]
    assert next(c for c in listed if c["id"] == claim_id)["participants"] is None
    rows = csv.DictReader(io.StringIO(seed_client.get("/downloads/claims.csv").content.decode("utf-8")))
    assert next(r for r in rows if r["id"] == claim_id)["participants"] == ""
    dumped = seed_client.get("/downloads/evidence-kb.json").json()["claims"]
    assert next(c for c in dumped if c["id"] == claim_id)["participants"] is None


def test_sqlite_dump_is_a_database_with_every_claim(seed_client: TestClient, tmp_path: Path) -> None:
    target = tmp_path / "dump.sqlite"
    target.write_bytes(seed_client.get("/downloads/evidence-kb.sqlite").content)
    with sqlite3.connect(target) as conn:
        ids = {row[0] for row in conn.execute("SELECT id FROM claim")}
    assert ids == {c["id"] for c in all_claims(seed_client)}


def test_data_files_are_served_as_they_are(seed_client: TestClient) -> None:
    from helpers import DATA_DIR

    for name in ["claims.yaml", "studies.bib", "concepts.yaml"]:
        assert seed_client.get(f"/downloads/{name}").content == (DATA_DIR / name).read_bytes()


def test_cli_dump_writes_the_same_files(database_url: str, tmp_path: Path, monkeypatch) -> None:
    settings = make_settings(database_url, downloads_dir=str(tmp_path / "served"))
    build_database(settings, force=True)
    monkeypatch.setenv("EVIDENCE_KB_DATABASE_URL", database_url)
    monkeypatch.setenv("EVIDENCE_KB_DATA_DIR", str(settings.data_dir))
    assert main(["dump", str(tmp_path / "out")]) == 0
    with TestClient(create_app(settings)) as client:
        served = {f["name"]: f for f in client.get("/api/v1/downloads").json()["files"]}
        written = {p.name for p in (tmp_path / "out").iterdir()} - {"manifest.json"}
        assert written == set(served)
        for name in ["evidence-kb.json", "claims.csv", "evidence.csv", "claims.yaml"]:
            assert (tmp_path / "out" / name).read_bytes() == client.get(f"/downloads/{name}").content


def test_cli_dump_into_a_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    assert main(["dump", str(tmp_path / "a-file")]) == 1
    assert "a-file is not a folder" in capsys.readouterr().err


# --- feeds -------------------------------------------------------------------------------------


def test_atom_feed_parses_and_announces_every_claim(seed_client: TestClient) -> None:
    response = seed_client.get("/feeds/claims.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.id == f"{BASE}/feeds/claims.atom" and feed.feed.updated
    claims = all_claims(seed_client)
    added = [e for e in feed.entries if e.title.startswith("New claim: ")]
    assert {e.link for e in added} == {f"{BASE}/claims/{c['id']}" for c in claims}
    assert len({e.id for e in feed.entries}) == len(feed.entries)
    dates = [e.updated for e in feed.entries]
    assert dates == sorted(dates, reverse=True)
    for entry in added:
        claim = next(c for c in claims if entry.link.endswith("/" + c["id"]))
        assert claim["statement"] in entry.title and claim["calibrated"] in entry.summary
    assert 'type="application/atom+xml"' in seed_client.get("/").text


def test_verdict_changes_come_from_the_change_log() -> None:
    claim = {
        "verdict": "misleading",
        "history": [
            {"date": "2026-12-05", "change": "New trial", "verdict": "misleading"},
            {"date": "2026-11-24", "change": "Added", "verdict": "partly-supported"},
            {"date": "2026-11-30", "change": "Typo fixed"},
        ],
    }
    events = claim_events(claim)
    assert [(e["kind"], e["date"], e["verdict"]) for e in events] == [
        ("added", "2026-11-24", "partly-supported"),
        ("verdict", "2026-12-05", "misleading"),
    ]
    assert events[1]["previous"] == "partly-supported"
    # Without any verdict in the log, the first entry has the current verdict.
    plain = claim_events({"verdict": "supported", "history": [{"date": "2026-11-24", "change": "Added"}]})
    assert plain == [
        {"kind": "added", "date": "2026-11-24", "verdict": "supported", "text": "Added", "index": 0}
    ]


def test_atom_feed_announces_the_shipped_verdict_changes(seed_client: TestClient) -> None:
    """The change log records three real verdict changes of the November 2026 re-appraisal."""
    feed = feedparser.parse(seed_client.get("/feeds/claims.atom").content)
    changed = {
        e.link.rsplit("/", 1)[1]: e.title for e in feed.entries if e.title.startswith("Verdict changed")
    }
    assert changed["backward-walking-eases-knee-osteoarthritis"].startswith(
        "Verdict changed (Supported → Partly supported)"
    )
    assert changed["backward-walking-costs-more-energy-than-forward"].startswith(
        "Verdict changed (Partly supported → Supported)"
    )
    assert "higher-vo2max-means-longer-exercise" in changed


def test_claimreview_feed_has_every_review_with_the_first_appearance(seed_client: TestClient) -> None:
    response = seed_client.get("/feeds/claimreview.json")
    assert response.headers["content-type"].startswith("application/ld+json")
    feed = response.json()
    assert feed["@context"] == "https://schema.org" and feed["@type"] == "DataFeed"
    reviews = {r["url"]: r for r in feed["dataFeedElement"]}
    claims = all_claims(seed_client)
    assert set(reviews) == {f"{BASE}/claims/{c['id']}" for c in claims}
    for claim in claims:
        review = reviews[f"{BASE}/claims/{claim['id']}"]
        assert review["@type"] == "ClaimReview" and review["claimReviewed"] == claim["statement"]
        assert review["reviewRating"]["alternateName"] == claim["verdict_label"]
        dated = sorted((a for a in claim["appearances"] if a.get("date")), key=lambda a: a["date"])
        item = review["itemReviewed"]
        if dated:
            assert item["datePublished"] == dated[0]["date"]
            host = dated[0]["url"].split("/")[2].removeprefix("www.")
            assert item["author"]["name"] == host and item["author"]["@type"] == "Organization"
        elif not claim["appearances"]:
            assert "author" not in item


def test_sitemap_lists_every_claim_and_study(seed_client: TestClient) -> None:
    root = ET.fromstring(seed_client.get("/sitemap.xml").content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert len(locs) == len(set(locs))
    for claim in all_claims(seed_client):
        assert f"{BASE}/claims/{claim['id']}" in locs
    for key in all_study_keys(seed_client):
        assert f"{BASE}/studies/{key}" in locs
    assert f"{BASE}/about" in locs
    robots = seed_client.get("/robots.txt").text
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()


# --- pages ---------------------------------------------------------------------------------------


def test_open_graph_and_twitter_tags_on_claim_and_study_pages(seed_client: TestClient) -> None:
    claim = all_claims(seed_client)[0]
    meta = tags(seed_client.get(f"/claims/{claim['id']}").text).meta
    assert meta["og:title"] == f"{claim['verdict_label']}: {claim['statement']}"
    assert meta["og:description"] == claim["calibrated"] == meta["twitter:description"]
    assert meta["og:url"] == f"{BASE}/claims/{claim['id']}" and meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary"
    study = claim["evidence"][0]["study"]
    meta = tags(seed_client.get(f"/studies/{study['key']}").text).meta
    assert meta["og:title"] == study["title"] and meta["og:url"] == f"{BASE}/studies/{study['key']}"
    assert study["design_label"] in meta["og:description"]


@pytest.mark.parametrize(
    "path",
    ["/", "/claims", "/claims?q=knee", "/studies", "/methodology", "/factcheck", "/about", "/downloads",
     "/claims/backward-walking-eases-knee-osteoarthritis", "/studies/roos2012patellofemoral", "/nowhere"],
)  # fmt: skip
def test_every_page_has_one_canonical_link_and_the_footer_links(seed_client: TestClient, path: str) -> None:
    html = seed_client.get(path).text
    canonical = [link["href"] for link in tags(html).links if link.get("rel") == "canonical"]
    assert canonical == [BASE + path.split("?")[0]]
    for href in ["/about", "/downloads", "/feeds/claims.atom"]:
        assert f'href="{href}"' in html


def test_about_page_shows_the_configured_contact_and_funding(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'kb.db'}", contact="corrections@example.org", funding="Funded by nobody."
    )
    with TestClient(create_app(settings)) as client:
        html = client.get("/about").text
    assert 'href="mailto:corrections@example.org"' in html and "Funded by nobody." in html
    assert "Corrections policy" in html and 'rel="license"' in html


# --- API for browsers and monitors -------------------------------------------------------------


def test_cors_for_reads_and_the_factcheck(seed_client: TestClient) -> None:
    origin = {"Origin": "https://newsroom.example"}
    response = seed_client.get("/api/v1/claims", headers=origin)
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = seed_client.options(
        "/api/v1/factcheck",
        headers=origin
        | {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "access-control-allow-credentials" not in preflight.headers
    # The optional API key (README "Limits") can be sent from a browser too.
    for key_header in ("x-api-key", "authorization", "content-type, x-api-key"):
        keyed = seed_client.options(
            "/api/v1/claims",
            headers=origin
            | {"Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": key_header},
        )
        assert keyed.status_code == 200, key_header
        assert "x-api-key" in keyed.headers["access-control-allow-headers"].lower()
    posted = seed_client.post(
        "/api/v1/factcheck", json={"text": "backward walking knee pain"}, headers=origin
    )
    assert posted.status_code == 200 and posted.headers["access-control-allow-origin"] == "*"


def test_cors_origins_can_be_restricted(tmp_path: Path) -> None:
    settings = make_settings(
        f"sqlite:///{tmp_path / 'kb.db'}", cors_origins="https://a.example, https://b.example"
    )
    with TestClient(create_app(settings)) as client:
        allowed = client.get("/healthz", headers={"Origin": "https://b.example"})
        assert allowed.headers["access-control-allow-origin"] == "https://b.example"
        other = client.get("/healthz", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = client.options(
            "/api/v1/factcheck",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
        )
        assert preflight.status_code == 400


def get_routes(routes: list[Any], prefix: str = "") -> list[str]:
    """Every GET route's path, through included routers (FastAPI keeps them unflattened)."""
    found = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += get_routes(route.original_router.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute) and "GET" in route.methods:
            found.append(prefix + route.path)
    return found


def _example_path(path: str, claim_id: str, study_key: str) -> str:
    return path.replace("{claim_id}", claim_id).replace("{key}", study_key).replace("{name}", "claims.csv")


def test_head_answers_every_get_route_like_get(seed_client: TestClient) -> None:
    claim = all_claims(seed_client)[0]
    study_key = claim["evidence"][0]["study"]["key"]
    required = {"/api/v1/citations": "?format=bibtex"}
    routes = get_routes(seed_client.app.routes)
    assert len(routes) > 15 and "/api/v1/claims/{claim_id}" in routes and "/readyz" in routes
    for route in routes:
        path = _example_path(route, claim["id"], study_key) + required.get(route, "")
        get = seed_client.get(path)
        head = seed_client.head(path)
        assert head.status_code == get.status_code == 200, path
        assert head.content == b"", path
        assert head.headers["content-type"] == get.headers["content-type"], path
    assert seed_client.head("/static/site.css").status_code == 200


def _readyz_when(client: TestClient, reached: Callable[[Any], bool], seconds: float = 60) -> Any:
    """/readyz's answer once ``reached(answer)`` holds, or the last one after ``seconds`` (the
    warm-up thread builds the index, then loads the models)."""
    deadline = time.monotonic() + seconds
    while not reached(answer := client.get("/readyz")) and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer


def _ready(answer: Any) -> bool:
    return bool(answer.status_code == 200)


def test_health_checks(seed_client: TestClient) -> None:
    assert seed_client.get("/healthz").json() == {"status": "ok"}
    ready = _readyz_when(seed_client, _ready, 30)
    checks = {"database": "ok", "factcheck_index": "ok", "factcheck_models": "ok"}
    assert ready.json() == {"status": "ready", "checks": checks}


def test_not_ready_until_the_fact_check_is_loaded(
    seed_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A trial user's first fact-check after start took 11-17 s (the models load inside it) and
    failed at the 10 s deadline while /readyz said ready: now /readyz waits for the warm-up."""
    from app import workpool

    release, loaded = threading.Event(), threading.Event()

    def held_warm_up(_store: object) -> None:
        release.wait(30)
        loaded.set()

    monkeypatch.setattr(workpool, "_warm_fact_check", held_warm_up)
    settings = seed_settings.model_copy(update={"factcheck_warm_up": True, "expensive_isolation": "thread"})
    with TestClient(create_app(settings)) as client:
        answer = _readyz_when(client, lambda a: a.json()["checks"].get("factcheck_index") == "ok")
        status, checks = answer.status_code, answer.json()["checks"]
        assert status == 503 and checks["factcheck_models"] == "loading" and not loaded.is_set()
        release.set()
        assert _ready(_readyz_when(client, _ready, 30)), "never ready"
    assert loaded.is_set()


def test_the_warm_up_starts_the_fact_check_processes(seed_settings: Settings) -> None:
    """With expensive work in processes, each is started and has fact-checked once when /readyz
    says ready (the pool existed only from the first request before)."""
    from app.workpool import WARM_UP_POST

    settings = seed_settings.model_copy(
        update={"factcheck_warm_up": True, "expensive_isolation": "process", "expensive_workers": 1}
    )
    with TestClient(create_app(settings)) as client:
        assert _ready(_readyz_when(client, _ready, 120)), "never ready"
        pool = client.app.state.workpool  # type: ignore[attr-defined]
        assert pool.processes and pool._executor is not None and pool.warmed.is_set()
        assert client.post("/api/v1/factcheck", json={"text": WARM_UP_POST}).status_code == 200


def test_not_ready_without_a_build(tmp_path: Path) -> None:
    settings = make_settings(f"sqlite:///{tmp_path / 'missing.db'}")
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200
        response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["status"] == "not-ready"


def test_unknown_query_parameter_is_named_with_a_suggestion(seed_client: TestClient) -> None:
    claim_id = all_claims(seed_client)[0]["id"]
    response = seed_client.get("/api/v1/citations", params={"format": "apa", "claims": claim_id})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["details"][0]["field"] == "claims"
    assert "did you mean 'claim'?" in error["message"]
    for path, wrong, right in [
        ("/api/v1/claims", "verdicts", "verdict"),
        ("/api/v1/studies", "desing", "design"),
    ]:
        error = seed_client.get(path, params={wrong: "x"}).json()["error"]
        assert f"did you mean '{right}'?" in error["message"] and wrong in error["message"]
    page = seed_client.get("/claims", params={"q": "knee", "topics": "knee-pain"})
    assert page.status_code == 400 and "did you mean &#39;topic&#39;?" in page.text
    # Sharing adds tracking parameters to page links: they are not errors on pages.
    assert (
        seed_client.get(f"/claims/{claim_id}", params={"utm_source": "x", "fbclid": "y"}).status_code == 200
    )
    assert seed_client.get("/api/v1/claims", params={"utm_source": "x"}).status_code == 422


@pytest.mark.parametrize(
    "name",
    ["igshid", "ttclid", "twclid", "si", "ref", "_ga", "dclid", "yclid", "gbraid", "mtm_source", "_hsenc"],
)
def test_pages_ignore_common_tracking_parameters(seed_client: TestClient, name: str) -> None:
    # A trial user's report: an Instagram share link (?igshid=...) gave the error page.
    claim = "backward-walking-burns-more-calories"
    assert seed_client.get(f"/claims/{claim}", params={name: "x"}).status_code == 200
    assert seed_client.get("/claims", params={"q": "knee", name: "x"}).status_code == 200
    assert (
        seed_client.get(f"/api/v1/claims/{claim}", params={name: "x"}).status_code == 422
    )  # the API is strict


# --- serve ---------------------------------------------------------------------------------------


def test_base_url_warning() -> None:
    assert base_url_warning("http://127.0.0.1:8000", "127.0.0.1", 8000) is None
    assert base_url_warning("http://localhost:8000", "127.0.0.1", 8000) is None
    assert base_url_warning("https://kb.example.org", "127.0.0.1", 8000) is None  # behind a proxy
    assert "8001" in (base_url_warning("http://127.0.0.1:8000", "127.0.0.1", 8001) or "")
    assert "every interface" in (base_url_warning("http://127.0.0.1:8000", "0.0.0.0", 8000) or "")
    assert base_url_warning("http://10.0.0.5:8000", "0.0.0.0", 8000) is None


def test_serve_says_serving_only_once_bound(tmp_path: Path, seed_sqlite: Settings) -> None:
    from helpers import DATA_DIR

    db = seed_sqlite.database_url  # the session's build (--no-build: served, never changed)
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "--data-dir", str(DATA_DIR), "--database-url", db, "serve",
               "--port", str(port), "--no-build"]  # fmt: skip
    # No warm-up: the fact-check's start-up load (a child process) is not what this test is about.
    env = {"PATH": "/usr/bin:/bin", "EVIDENCE_KB_BASE_URL": "http://127.0.0.1:8000",
           "EVIDENCE_KB_FACTCHECK_WARM_UP": "false"}  # fmt: skip
    with socket.socket() as taken:  # the port is in use: an error, and no "serving on"
        taken.bind(("127.0.0.1", port))
        taken.listen(1)
        busy = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)
    assert busy.returncode == 1 and "serving on" not in busy.stderr and f"{port}" in busy.stderr
    server = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    try:
        assert server.stderr is not None
        lines = []
        while not (line := server.stderr.readline()).startswith("serving on"):
            assert line, lines
            lines.append(line)
        assert line.startswith(f"serving on http://127.0.0.1:{port}")
        assert any("EVIDENCE_KB_BASE_URL" in w and w.startswith("warning:") for w in lines)
        with socket.create_connection(("127.0.0.1", port), timeout=5):  # bound and listening
            pass
        import httpx

        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30).json() == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_head_of_the_json_documents_keeps_etag(seed_client: TestClient) -> None:
    claim_id = all_claims(seed_client)[0]["id"]
    head = seed_client.head(f"/api/v1/claims/{claim_id}")
    assert head.headers["etag"] and head.content == b""
    assert json.loads(seed_client.get(f"/api/v1/claims/{claim_id}").content)["id"] == claim_id


# --- search cards -----------------------------------------------------------------------------


def test_a_statement_match_ranks_above_a_phrasing_match(seed_client: TestClient) -> None:
    items = seed_client.get("/api/v1/claims", params={"q": "knee pain", "limit": 100}).json()["items"]
    in_statement = [{"knee", "pain"} <= set(re.findall(r"\w+", item["statement"].lower())) for item in items]
    assert any(in_statement) and not all(in_statement)
    assert in_statement == sorted(in_statement, reverse=True), [i["statement"] for i in items]
    assert any("relieves everyday knee pain" in i["statement"] for i in items if in_statement[items.index(i)])


def test_search_cards_keep_the_answer_and_label_what_people_say(seed_client: TestClient) -> None:
    import lxml.html

    items = seed_client.get("/api/v1/claims", params={"q": "knee pain", "limit": 10}).json()["items"]
    doc = lxml.html.fromstring(seed_client.get("/claims", params={"q": "knee pain"}).text)
    cards = doc.xpath("//article[@class='claim-card']")
    assert len(cards) == len(items)
    said = 0
    for card, item in zip(cards, items, strict=True):
        assert card.xpath(".//p[@class='calibrated']")[0].text_content() == item["calibrated"]
        people = card.xpath(".//p[@class='people-say']")
        if item["matched_phrasing"]:
            said += 1
            line = " ".join(people[0].text_content().split())
            assert line.startswith("What people say: “") and item["matched_phrasing"] in line
            assert people[0].xpath(".//mark")
        else:
            assert not people
    assert said >= 1


def test_verdict_legend_reads_every_meaning_from_one_place(seed_client: TestClient) -> None:
    import lxml.html

    from app import grading

    verdicts = seed_client.get("/api/v1/methodology").json()["verdicts"]
    assert [v["verdict"] for v in verdicts] == list(grading.VERDICTS)
    assert [v["meaning"] for v in verdicts] == [grading.VERDICT_MEANINGS[v] for v in grading.VERDICTS]
    claim = all_claims(seed_client)[0]
    for path in [f"/claims/{claim['id']}", "/methodology"]:
        doc = lxml.html.fromstring(seed_client.get(path).text)
        legend = doc.xpath("//*[contains(@class, 'verdict-legend')]")[0]
        pairs = [(" ".join(dt.text_content().split()), " ".join(dd.text_content().split()))
                 for dt, dd in zip(legend.xpath(".//dt"), legend.xpath(".//dd"), strict=True)]  # fmt: skip
        assert pairs == [(v["label"], v["meaning"]) for v in verdicts], path
    doc = lxml.html.fromstring(seed_client.get(f"/claims/{claim['id']}").text)
    current = doc.xpath("//*[contains(@class, 'verdict-legend')]//dt[@aria-current='true']")
    assert [" ".join(c.text_content().split()) for c in current] == [claim["verdict_label"]]
