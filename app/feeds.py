"""Feeds and discovery files: the Atom feed of claim changes, the ClaimReview feed, the sitemap
and robots.txt. Plain functions over the ``Store``; ``web.py`` serves them (cached per build).

- Atom 1.0 (RFC 4287): one entry when a claim is added and one for every change-log entry that
  changed its verdict (a history entry with a ``verdict`` different from the one before).
- ClaimReview feed: a schema.org ``DataFeed`` whose ``dataFeedElement`` lists the ClaimReview of
  every claim, the same objects the claim pages embed.
- Sitemap protocol 0.9 (https://www.sitemaps.org/protocol.html) and a robots.txt pointing to it.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any
from xml.etree import ElementTree as ET

from app import grading
from app.claimreview import claim_review
from app.opendata import claim_docs
from app.settings import Settings
from app.store import Store

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ATOM_PATH = "/feeds/claims.atom"
CLAIMREVIEW_PATH = "/feeds/claimreview.json"
MAX_ATOM_ENTRIES = 200


def _timestamp(day: str | date) -> str:
    """A change-log date as an RFC 3339 timestamp (midnight UTC): '2026-11-24T00:00:00Z'."""
    value = day if isinstance(day, date) else date.fromisoformat(str(day)[:10])
    return f"{value.isoformat()}T00:00:00Z"


def claim_events(claim: dict[str, Any]) -> list[dict[str, Any]]:
    """The feed-worthy events of one claim, oldest first: 'added', then each verdict change.

    A change-log entry's ``verdict`` is the verdict after it; the first entry without one is the
    claim's current verdict when no later entry names another.
    """
    history = sorted(claim.get("history") or [], key=lambda h: str(h.get("date", "")))
    if not history:
        return []
    named = [h["verdict"] for h in history if h.get("verdict")]
    verdict = history[0].get("verdict") or (claim["verdict"] if not named else None)
    events = [{"kind": "added", "date": history[0]["date"], "verdict": verdict,
               "text": history[0].get("change", ""), "index": 0}]  # fmt: skip
    for index, entry in enumerate(history[1:], start=1):
        new = entry.get("verdict")
        if new and new != verdict:
            events.append({"kind": "verdict", "date": entry["date"], "verdict": new, "previous": verdict,
                           "text": entry.get("change", ""), "index": index})  # fmt: skip
        verdict = new or verdict
    return events


def _event_title(claim: dict[str, Any], event: dict[str, Any]) -> str:
    label = grading.VERDICT_LABELS.get(event.get("verdict") or "", "")
    if event["kind"] == "added":
        return f"New claim: {claim['statement']}" + (f" ({label})" if label else "")
    previous = grading.VERDICT_LABELS.get(event.get("previous") or "", "")
    change = f"{previous} → {label}" if previous else label
    return f"Verdict changed ({change}): {claim['statement']}"


def atom_feed(store: Store, settings: Settings, built_at: str | None) -> bytes:
    """The Atom document: newest events first, at most ``MAX_ATOM_ENTRIES``."""
    base = settings.base_url.rstrip("/")
    ET.register_namespace("", ATOM_NS)

    def el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        node = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            node.text = text
        return node

    events = [(claim, event) for claim in claim_docs(store) for event in claim_events(claim)]
    events.sort(key=lambda ce: (str(ce[1]["date"]), ce[0]["id"], ce[1]["index"]), reverse=True)
    events = events[:MAX_ATOM_ENTRIES]
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    el(feed, "id", base + ATOM_PATH)
    el(feed, "title", f"{settings.publisher_name}: new claims and verdict changes")
    updated = _timestamp(events[0][1]["date"]) if events else _build_time(built_at)
    el(feed, "updated", updated)
    el(el(feed, "author"), "name", settings.publisher_name)
    el(feed, "link", rel="self", type="application/atom+xml", href=base + ATOM_PATH)
    el(feed, "link", rel="alternate", type="text/html", href=base + "/")
    el(feed, "rights", f"{settings.data_licence} ({settings.data_licence_url})")
    for claim, event in events:
        entry = el(feed, "entry")
        url = f"{base}/claims/{claim['id']}"
        el(entry, "id", f"{url}#change-{event['index']}")
        el(entry, "title", _event_title(claim, event))
        el(entry, "updated", _timestamp(event["date"]))
        el(entry, "published", _timestamp(event["date"]))
        el(entry, "link", rel="alternate", type="text/html", href=url)
        for topic in claim.get("topics") or []:
            el(entry, "category", term=topic)
        summary = event["text"] or claim["calibrated"]
        el(entry, "summary", f"{summary} Today: {claim['verdict_label']}. {claim['calibrated']}", type="text")
    return _xml(feed)


def _xml(root: ET.Element) -> bytes:
    """The document as UTF-8 with its XML declaration."""
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _build_time(built_at: str | None) -> str:
    if not built_at:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    moment = datetime.fromisoformat(built_at)
    moment = moment.replace(tzinfo=moment.tzinfo or UTC).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def claimreview_feed(store: Store, settings: Settings, built_at: str | None) -> bytes:
    """A schema.org DataFeed of every ClaimReview (JSON-LD), as fact-check aggregators ingest."""
    base = settings.base_url.rstrip("/")
    reviews = []
    for claim in claim_docs(store):
        review = claim_review(claim, base_url=base, publisher=settings.publisher_name)
        review.pop("@context", None)
        reviews.append(review)
    doc = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "name": f"{settings.publisher_name}: ClaimReview feed",
        "url": base + CLAIMREVIEW_PATH,
        "dateModified": _build_time(built_at),
        "license": settings.data_licence_url,
        "dataFeedElement": reviews,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1).encode()


#: Pages whose content is the same for everyone, listed in the sitemap beside claims and studies.
STATIC_PAGES = ["/", "/claims", "/studies", "/methodology", "/factcheck", "/about", "/downloads"]


def sitemap(store: Store, settings: Settings, built_at: str | None) -> bytes:
    base = settings.base_url.rstrip("/")
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")

    def add(path: str, lastmod: str | None) -> None:
        node = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(node, f"{{{SITEMAP_NS}}}loc").text = base + path
        if lastmod:
            ET.SubElement(node, f"{{{SITEMAP_NS}}}lastmod").text = lastmod

    built = built_at[:10] if built_at else None
    for path in STATIC_PAGES:
        add(path, built)
    for row in store.claim_rows().values():
        add(f"/claims/{row.id}", row.reviewed.isoformat())
    for study in store.studies_raw():
        add(f"/studies/{study.key}", built)
    return _xml(root)


def robots_txt(settings: Settings) -> bytes:
    base = settings.base_url.rstrip("/")
    lines = [
        "User-agent: *",
        "Allow: /",
        # Search result pages carry noindex; the API and exports are for programs.
        "Disallow: /api/",
        f"Sitemap: {base}/sitemap.xml",
    ]
    return ("\n".join(lines) + "\n").encode()
