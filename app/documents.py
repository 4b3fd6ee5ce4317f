"""The documents the read side serves: claims, studies and evidence links as JSON-ready dicts.

Built from database rows (``app.models``) by plain functions; ``Store`` caches them per build,
the pages render them and the API passes them through their shapes in ``app/schemas.py``
(``tests/test_openapi.py`` checks that no key is lost on the way).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from app import grading
from app.bibfields import doi_url
from app.bibtex import OTHERS, Person
from app.evidence_units import shown_participants
from app.models import Claim, Evidence, Study


def rating(verdict: str) -> dict[str, Any]:
    return {
        "value": grading.VERDICT_RATING[verdict],
        "best": grading.BEST_RATING,
        "worst": grading.WORST_RATING,
        "alternate_name": grading.VERDICT_LABELS[verdict],
    }


def claim_summary(claim: Claim) -> dict[str, Any]:
    """A claim as the claims list, the API home and a fact-check match show it (the API's
    ``schemas.ClaimSummary``)."""
    return {
        "id": claim.id,
        "statement": claim.statement,
        "verdict": claim.verdict,
        "verdict_label": grading.VERDICT_LABELS[claim.verdict],
        "rating": rating(claim.verdict),
        "grade": {
            "level": claim.grade_level,
            "label": grading.LEVEL_LABELS[claim.grade_level],
            "reasons": claim.grade_reasons,
        },
        "calibrated": claim.calibrated,
        "summary": claim.summary,
        "population": claim.population,
        "topics": claim.topics,
        "reviewed": claim.reviewed.isoformat(),
        "study_count": claim.study_count,
        "participants": shown_participants(claim.participants, claim.participants_unknown),
        "participants_unknown": claim.participants_unknown,
        "url": f"/claims/{claim.id}",
    }


def with_absolute_urls(doc: dict[str, Any], base: str) -> dict[str, Any]:
    """A claim or study document (or claim or study summary) as the API serves it: the site's own
    paths made absolute from the public base URL (``Settings.base_url``), as the fact-check and
    ClaimReview give them: ``url`` of a claim, ``claims[].url`` of a study, ``page`` of a study
    and of each study of a claim's ``evidence``. A copy, the cached document is left as it is
    (the pages link with the paths)."""
    base = base.rstrip("/")
    out = dict(doc)
    if isinstance(out.get("url"), str) and out["url"].startswith("/claims/"):
        out["url"] = base + out["url"]
    if isinstance(out.get("page"), str) and out["page"].startswith("/studies/"):
        out["page"] = base + out["page"]
    if isinstance(out.get("claims"), list):
        out["claims"] = [
            c | {"url": base + c["url"]} if isinstance(c.get("url"), str) and c["url"].startswith("/") else c
            for c in out["claims"]
        ]
    if isinstance(out.get("evidence"), list):
        out["evidence"] = [
            e | {"study": with_absolute_urls(e["study"], base)} if isinstance(e.get("study"), dict) else e
            for e in out["evidence"]
        ]
    return out


#: The keys of ``claim_summary``.
SUMMARY_FIELDS = (
    "id", "statement", "verdict", "verdict_label", "rating", "grade", "calibrated", "summary",
    "population", "topics", "reviewed", "study_count", "participants",
    "participants_unknown", "url",
)  # fmt: skip


def author_strings(authors: list[dict[str, str]]) -> tuple[list[str], bool]:
    people = [Person.from_dict(a) for a in authors]
    et_al = OTHERS in people
    return [p.sort_name() for p in people if p != OTHERS], et_al


_INNER_QUOTES = re.compile(r'"([^"]*)"')


def year_suffixes(studies: Iterable[Any]) -> dict[str, str]:
    """APA 9.47: works by the same authors in the same year get 2019a, 2019b, ... in title order
    (a leading 'A', 'An', 'The' aside): study key -> its letter, for the studies that share
    authors and year with another. ``studies``: rows with ``key``, ``authors``, ``year``,
    ``title`` and ``fields`` (a study without an ``author`` field is named otherwise). One rule
    for the short labels (``short_citation``: pages, API, fact-check, CLI) and the APA references
    (a study's page, its "Copy reference", every export: ``Store.year_letters``), over the whole
    bibliography: a study is 2015a wherever it is named, in a list that holds no 2015b too."""
    from app.citations_citeproc import collation_key

    groups: dict[tuple[Any, ...], list[Any]] = {}
    for study in studies:
        people = [Person.from_dict(a) for a in study.authors] if "author" in (study.fields or {}) else []
        if not people:
            continue
        who = tuple(
            (p.literal or f"{p.particle} {p.family}").casefold() + " " + _initials(p.given) for p in people
        )
        groups.setdefault((who, study.year), []).append(study)
    found: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        members.sort(
            key=lambda m: (collation_key(re.sub(r"^(a|an|the)\s+", "", m.title or "", flags=re.I)), m.key)
        )
        for n, member in enumerate(members):
            found[member.key] = chr(ord("a") + n) if n < 26 else f"a{chr(ord('a') + n - 26)}"
    return found


def _initials(given: str) -> str:
    return "".join(part[0] for part in re.split(r"[\s.\-]+", given or "") if part).upper()


def short_citation(study: Any, suffix: str = "") -> str:
    """'Roos et al. 2012' — the label used in tables and fact-check citations; ``suffix``: the
    study's APA year letter ('Abdelraouf et al. 2019a', ``year_suffixes``)."""
    people = [Person.from_dict(a) for a in study.authors]
    named = [p for p in people if p != OTHERS]
    if not named:
        words = study.title.split()
        title = " ".join(words[:5]) + ("…" if len(words) > 5 else "")
        # quotes inside the quoted title become single ones (“The ‘Mnemonic Time-Travel Effect’”)
        title = _INNER_QUOTES.sub(r"‘\1’", title.replace("“", '"').replace("”", '"'))
        who = study.container or (f"“{title}”" if title else study.key)
    else:
        first = named[0].literal or f"{named[0].particle} {named[0].family}".strip()
        first = first[:1].upper() + first[1:] if named[0].particle else first
        if len(named) == 1 and OTHERS not in people:
            who = first
        elif len(named) == 2 and OTHERS not in people:
            second = named[1].literal or f"{named[1].particle} {named[1].family}".strip()
            who = f"{first} & {second}"
        else:
            who = f"{first} et al."
    # undated as dated, the year's place taken by APA's n.d. (letters: n.d.-a): one format
    return f"{who} {study.year}{suffix}" if study.year else f"{who} n.d.{'-' + suffix if suffix else ''}"


def study_doc(study: Study, *, full: bool = False, suffix: str = "") -> dict[str, Any]:
    authors, et_al = author_strings(study.authors)
    doc: dict[str, Any] = {
        "key": study.key,
        "title": study.title,
        "authors": authors,
        "authors_et_al": et_al,
        "year": study.year,
        "journal": study.container,
        "volume": study.volume,
        "number": study.number,
        "pages": study.pages,
        "doi": study.doi,
        "doi_url": doi_url(study.doi) or None,
        "pmid": study.pmid,
        "pmcid": study.pmcid,
        "url": study.url,
        "design": study.design,
        "design_label": grading.DESIGN_LABELS.get(study.design or "", None),
        "sample_size": study.sample_size,
        "enrolled": study.enrolled,
        "groups": study.groups,
        "studies_included": study.studies_included,
        "population": study.population,
        "short": short_citation(study, suffix),
        "retracted": study.retracted,
        "page": f"/studies/{study.key}",
    }
    if full:
        doc.update(
            entry_type=study.entry_type,
            intervention=study.intervention,
            comparator=study.comparator,
            duration=study.duration,
            outcomes=study.outcomes,
            limitations=study.limitations,
            risk_of_bias=study.risk_of_bias,
            funding=study.funding,
            review_of=study.review_of,
            note=study.note,
            author_names=study.authors,
            rob=study.rob,
            includes=study.includes,
            duplicate_of=study.duplicate_of,
            search_date=study.search_date,
            arms=study.arms,
        )
    return doc


def evidence_doc(link: Evidence, study: Study, suffix: str = "") -> dict[str, Any]:
    return {
        "study": study_doc(study, full=True, suffix=suffix),
        "stance": link.stance,
        "finding": link.finding,
        "outcome": link.outcome,
        "directness": link.directness,
        "indirect_because": link.indirect_because,
        "inconsistent": link.inconsistent,
        "caveats": link.caveats,
        "figures": link.figures,
        "misreading": link.misreading,
        "estimate": link.estimate,
        "dose_response": link.dose_response,
    }


def claim_detail(
    claim: Claim, links: list[tuple[Evidence, Study]], suffixes: dict[str, str] | None = None
) -> dict[str, Any]:
    """A claim with everything its page and ``/api/v1/claims/{id}`` show (``schemas.ClaimDetail``);
    ``links``: its evidence links with their studies, in curated order; ``suffixes``: the studies'
    year letters (``year_suffixes`` over the bibliography)."""
    suffixes = suffixes or {}
    doc = claim_summary(claim)
    doc.update(
        subject=claim.subject,
        predicate=claim.predicate,
        caveats=claim.caveats,
        phrasings=claim.phrasings,
        tested_in=claim.tested_in,
        appearances=claim.appearances,
        history=claim.history,
        kind=claim.kind,
        unproven_because=claim.unproven_because,
        notes=claim.notes,
        outcomes=claim.outcomes,
        search=claim.search,
        evidence=[evidence_doc(link, study, suffixes.get(study.key, "")) for link, study in links],
    )
    return doc


def study_detail(study: Study, links: list[tuple[Evidence, Claim]], suffix: str = "") -> dict[str, Any]:
    """A study with its appraisal and the claims it bears on (``schemas.StudyDetail``)."""
    doc = study_doc(study, full=True, suffix=suffix)
    doc["claims"] = [
        {
            "id": claim.id, "statement": claim.statement, "verdict": claim.verdict,
            "grade": claim.grade_level, "stance": link.stance, "finding": link.finding,
            "outcome": link.outcome,
            "outcome_name": next((o["name"] for o in claim.outcomes if o["id"] == link.outcome), link.outcome),
            "directness": link.directness,
            "indirect_because": link.indirect_because, "url": f"/claims/{claim.id}",
        }
        for link, claim in links
    ]  # fmt: skip
    doc["cited"] = bool(links)  # as the study list has it (app.listing: a claim links to it)
    return doc
