"""schema.org ClaimReview for a claim: one builder for the claim page and the fact-check API.

https://schema.org/ClaimReview: ``claimReviewed`` (the claim, no verdict in it),
``reviewRating`` (a Rating with ``alternateName`` = the verdict in words and the numeric value
on the published scale, see ``grading.VERDICT_RATING``), ``itemReviewed`` (a Claim with where it
appeared, its ``author`` and ``datePublished`` from the first appearance), ``author``,
``datePublished`` and ``url``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup


def claim_review(claim: dict[str, Any], *, base_url: str, publisher: str) -> dict[str, Any]:
    """Build the ClaimReview object from a claim document (``Store.claim`` or a summary)."""
    base = base_url.rstrip("/")
    rating = claim["rating"]
    appearances = [
        {
            "@type": "CreativeWork",
            "url": a["url"],
            "name": a.get("title"),
            **({"datePublished": a["date"]} if a.get("date") else {}),
        }
        for a in claim.get("appearances", [])
    ]
    dated = sorted((a for a in appearances if a.get("datePublished")), key=lambda a: a["datePublished"])
    item: dict[str, Any] = {"@type": "Claim", "name": claim["statement"]}
    if appearances:
        first = dated[0] if dated else appearances[0]
        source = claim["appearances"][appearances.index(first)]
        item["appearance"] = appearances
        item["firstAppearance"] = first
        item["author"] = appearance_author(source)
        if first.get("datePublished"):
            item["datePublished"] = first["datePublished"]
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{base}/claims/{claim['id']}",
        "claimReviewed": claim["statement"],
        "datePublished": claim["reviewed"],
        "author": {"@type": "Organization", "name": publisher, "url": base + "/"},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating["value"],
            "bestRating": rating["best"],
            "worstRating": rating["worst"],
            "alternateName": rating["alternate_name"],
            "ratingExplanation": claim.get("calibrated") or claim.get("summary", ""),
        },
        "itemReviewed": item,
    }
    return review


def appearance_author(appearance: dict[str, Any]) -> dict[str, Any]:
    """Who made the claim where it appeared: the curated ``author`` (a Person), else the website
    it appeared on as an Organization named by its host ('www.' dropped)."""
    parts = urlsplit(appearance["url"])
    site = f"{parts.scheme}://{parts.netloc}"
    if appearance.get("author"):
        return {"@type": "Person", "name": appearance["author"], "url": site}
    host = (parts.hostname or parts.netloc).removeprefix("www.")
    return {"@type": "Organization", "name": host, "url": site}


def json_ld_script_body(data: dict[str, Any]) -> Markup:
    """JSON safe to embed in ``<script type="application/ld+json">``: ``</script>``, ``<!--`` and
    ``&`` in the data cannot end the block or start markup, because <, > and & are escaped."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
