"""The Jinja2 environment of the website and the filters that format data for readers.

Plain functions over the store's documents (no request, no HTTP): ``render(name, settings,
**context)`` returns a page's HTML. Autoescaping is on for everything; the only ``Markup`` that
reaches a template comes from functions that escape first (``search.highlight_html``,
``charts.evidence_chart``, ``claimreview.json_ld_script_body``). Routes are in ``app/web.py``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from app import charts, grading, search, sof, vocab
from app.settings import Settings
from app.store import SORTS

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"


@cache
def static_url(name: str) -> str:
    """``/static/name?v=<content hash>``: browsers may cache it, and a new file busts the cache."""
    digest = hashlib.sha256((STATIC_DIR / name).read_bytes()).hexdigest()[:10]
    return f"/static/{name}?v={digest}"


def topic_label(slug: str) -> str:
    """'knee-osteoarthritis' -> 'Knee osteoarthritis'."""
    words = slug.replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def date_text(value: str | date | None) -> str:
    """'2026-11-24' -> '24 November 2026' (unambiguous everywhere)."""
    if not value:
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{day.day} {day:%B %Y}"


def number(value: int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else str(value)


def filesize(size: int) -> str:
    """Bytes for people: '812 bytes', '14.2 kB', '3.1 MB' (SI units)."""
    if size < 1000:
        return f"{size} bytes"
    value = float(size)
    for unit in ("kB", "MB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} GB"


UNIT_WORDS = {"percent": "%", "body-weights": "body weights", "participants": "participants"}


def figure_text(figure: dict[str, Any]) -> str:
    """A structured figure as a phrase: 'predicted VO2 max: 5.2% (change after 6 weeks)'."""
    value = figure.get("value")
    shown = "–".join(number(v) for v in value) if isinstance(value, list) else number(value)
    unit = str(figure.get("unit") or "")
    unit = UNIT_WORDS.get(unit, unit.replace("-", " "))
    amount = f"{shown}{unit}" if unit == "%" else f"{shown} {unit}".strip()
    text = f"{figure.get('measure', '')}: {amount}".strip(": ")
    if figure.get("comparison"):
        text += f" ({figure['comparison']})"
    return text


def sample_text(study: dict[str, Any]) -> str:
    """Sample size as a reader needs it: pooled participants for reviews, enrolled as fallback
    (``grading.sample_text``)."""
    return grading.sample_text(study)


def study_sample_text(study: dict[str, Any]) -> str:
    """The study page's sample size: ``sample_text`` and the number enrolled when it differs ('27
    participants (29 enrolled)'), the same text the fact-check's sample-size figures give."""
    return grading.sample_text(study, enrolled=True)


def participants_text(claim: dict[str, Any]) -> str:
    """'9 studies, 818 participants' (plus how many studies did not report their size). A claim
    without direct evidence (no grade) counts the related studies shown as context: '8 related
    studies (indirect evidence), 183 participants', so the count never reads as studies of the
    claim itself beside 'No study has measured this directly'."""
    count = claim.get("study_count", 0)
    if count and (claim.get("grade") or {}).get("level") in grading.NO_DIRECT_LEVELS:
        participants = claim.get("participants") or 0
        text = f"{count} related {'study' if count == 1 else 'studies'} (indirect evidence)"
        return f"{text}, {number(participants)} participants" if participants else text
    unknown = claim.get("participants_unknown") or 0
    participants = claim.get("participants") or 0
    if participants == 0 and unknown == 0:
        # Only sources without participants of their own (web pages, expert opinion, ...).
        return f"{count} {'source' if count == 1 else 'sources'}, no participants studied"
    if participants == 0:  # sizes exist but none was recorded: never shown as 0
        main = next((o for o in claim.get("outcomes") or [] if o.get("main")), None)
        totals = whole_review_totals(main, claim.get("evidence") or []) if main else ""
        if totals and count == (main or {}).get("participants_unknown"):
            return f"{count} {'review' if count == 1 else 'reviews'}; {totals}"
        return f"{count} {'study' if count == 1 else 'studies'}, participants not reported"
    text = f"{count} {'study' if count == 1 else 'studies'}, {number(participants)} participants"
    if unknown:
        text += f" ({unknown} {'study' if unknown == 1 else 'studies'} did not report a sample size)"
    main = next((o for o in claim.get("outcomes") or [] if o.get("main")), None)
    basis = participants_basis(main, claim.get("evidence") or []) if main else ""
    return f"{text} ({basis})" if basis else text


def whole_review_totals(outcome: dict[str, Any], evidence: list[dict[str, Any]]) -> str:
    """Why an outcome resting on reviews has no participant count while the reviews show one:
    '156 participants in all, not the number for this outcome' (a review's
    sample size is its whole total, over all its studies and outcomes, never counted for one
    outcome: ``app.evidence_units``). '' unless every study the outcome rests on is such a review
    without the number it pooled (``estimate.analysed``)."""
    if outcome.get("participants"):
        return ""
    links = [evidence[i] for i in outcome.get("links") or [] if i < len(evidence)]
    carrying = set(outcome.get("carrying") or outcome.get("studies") or [])
    studies: dict[str, dict[str, Any]] = {}
    for link in links:
        study = link["study"]
        if study["key"] not in carrying:
            continue
        if study.get("design") not in grading.REVIEW_DESIGNS or not study.get("sample_size"):
            return ""
        if (link.get("estimate") or {}).get("analysed"):
            return ""
        studies[study["key"]] = study
    if not studies:
        return ""
    sizes = [number(s["sample_size"]) for s in studies.values()]
    if len(sizes) == 1:
        return f"{sizes[0]} participants in all, not the number for this outcome"
    return f"{', '.join(sizes[:-1])} and {sizes[-1]} participants in all, not the numbers for this outcome"


def participants_basis(outcome: dict[str, Any], evidence: list[dict[str, Any]]) -> str:
    """Who an outcome's participant count is, when it rests on one study and counts fewer people
    than the study's sample size: 'the trained group of 26: 13 trained, 13 controls; a change
    within that group' (its estimate names the ``group`` it analysed), else 'analysed for this
    outcome, of 26 in the study'. '' otherwise (the count is the
    sample size, or several studies add up). ``evidence``: the claim's evidence links."""
    links = [evidence[i] for i in outcome.get("links") or [] if i < len(evidence)]
    if outcome.get("study_count") != 1 or not links:
        return ""
    study = links[0]["study"]
    analysed, sample = outcome.get("participants"), study.get("sample_size")
    if not analysed or not sample or analysed == sample:
        return ""
    groups = grading.groups_text(study)
    of = f"{number(sample)}" + (f": {groups}" if groups else " in the study")
    estimates = [link["estimate"] for link in links if link.get("estimate")]
    named = {e["group"] for e in estimates if e.get("group") and e.get("analysed") == analysed}
    if len(named) == 1:
        within = any(e.get("comparison") == "within-group" for e in estimates)
        return grading.counted_of(of, named.pop(), within)
    return grading.counted_of(of)


def first_upper(text: str) -> str:
    """Capitalise the first letter only (Jinja's ``capitalize`` lower-cases 'NRS' to 'nrs')."""
    return text[:1].upper() + text[1:]


def directness_text(link: dict[str, Any]) -> str:
    """'Direct' or 'Indirect: different population; predicted, not measured'."""
    if link.get("directness") != "indirect":
        return "Direct"
    kinds = [vocab.INDIRECT_SHORT.get(k, k.replace("-", " ")) for k in link.get("indirect_because") or []]
    return "Indirect: " + "; ".join(kinds) if kinds else "Indirect"


def snippet_html(marked: str) -> Markup:
    # A snippet may span lines of the indexed text (one phrasing per line): show one line.
    lines = [" ".join(line.split()) for line in marked.splitlines()]
    return search.highlight_html(" · ".join(line for line in lines if line))


def card_snippet(item: dict[str, Any]) -> Markup | None:
    """Where a search matched a claim's text, for its card: the API's ``snippet`` (statement, then
    summary) marked, without the statement (or its end) when it starts there (the card's title shows it);
    None when no query word is marked in what is left (a match only in the title, the
    phrasings, which the card shows as what people say, or the caveats)."""
    marked = item.get("snippet_marked")
    if not marked:
        return None
    head, sep, rest = marked.partition(" … ")
    if sep and str(item.get("statement", "")).endswith(search.plain_snippet(head).lstrip("…")):
        marked = rest
    if search.MARK_START not in marked:
        return None
    return snippet_html(marked)


_STUDY_KEY = re.compile(r"\b[a-z][a-z0-9-]*\d{4}[a-z0-9]+\b")


def study_refs(text: str, studies: dict[str, Any]) -> Markup:
    """Prose from studies.bib (a risk-of-bias reason) with each study key of ``studies`` (key ->
    study document) shown as its short citation, linked to its page: "Same design and group as
    abdelraouf2019backwarda" names a study as a reader knows it, and a key is one long word that
    would widen a table's column beyond the page."""
    out, last = [], 0
    for m in _STUDY_KEY.finditer(text):
        study = studies.get(m[0])
        if study is None:
            continue
        out += [
            escape(text[last : m.start()]),
            Markup('<a href="{}">{}</a>').format(study["page"], study["short"]),
        ]
        last = m.end()
    return Markup("").join([*out, escape(text[last:])])


def estimate_text(estimate: dict[str, Any]) -> str:
    """An evidence link's estimate in words: 'SMD −0.87 (95% CI ...), pain NRS 0-10, 6 weeks'."""
    parts = [sof.effect_text(estimate)]
    parts += [estimate[k] for k in ("scale", "timepoint") if estimate.get(k)]
    if estimate.get("analysed"):
        group = f" ({estimate['group']} group)" if estimate.get("group") else ""
        parts.append(f"{estimate['analysed']} analysed{group}")
    return "; ".join(parts) + "."


def effect_text(effect: int) -> str:
    if effect == 0:
        return "no change"
    levels = abs(effect)
    return f"{'down' if effect < 0 else 'up'} {levels} level{'s' if levels > 1 else ''}"


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,  # a typo in a template fails the tests instead of printing ""
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        # The verdict legend (claim and methodology pages): every verdict's meaning from vocab.
        verdict_legend_items=[
            {"verdict": v, "label": vocab.VERDICT_LABELS[v], "meaning": vocab.VERDICT_MEANINGS[v]}
            for v in vocab.Verdict
        ],
        static_url=static_url,
        topic_label=topic_label,
        level_index=lambda level: max(grading.CERTAINTY_RANK.get(level, -1), -1),
        levels=grading.LEVELS,
        level_labels=grading.LEVEL_LABELS,
        level_meanings=grading.LEVEL_MEANINGS,
        no_direct_levels=grading.NO_DIRECT_LEVELS,
        verdict_labels=grading.VERDICT_LABELS,
        design_labels=grading.DESIGN_LABELS,
        stance_labels=charts.STANCE_LABELS,
        indirect_stance_labels=vocab.INDIRECT_STANCE_LABELS,
        stance_glyphs=charts.STANCE_GLYPHS,
        post_stance_labels=vocab.POST_STANCE_LABELS,
        indirectness=grading.INDIRECTNESS_KINDS,
        sorts=SORTS,
        rob_labels=grading.RISK_OF_BIAS_LABELS,
        rob_tools=grading.ROB_TOOLS,
        rob_domains=grading.ROB_DOMAINS,
        unproven_labels=grading.UNPROVEN_LABELS,
        note_labels=grading.NOTE_LABELS,
        claim_kind_labels=grading.CLAIM_KIND_LABELS,
    )
    env.filters.update(
        date_text=date_text,
        number=number,
        figure_text=figure_text,
        sample_text=sample_text,
        study_sample_text=study_sample_text,
        participants_text=participants_text,
        participants_basis=participants_basis,
        whole_review_totals=whole_review_totals,
        snippet_html=snippet_html,
        card_snippet=card_snippet,
        study_refs=study_refs,
        first_upper=first_upper,
        directness_text=directness_text,
        effect_text=effect_text,
        estimate_text=estimate_text,
        filesize=filesize,
    )
    return env


ENV = _environment()


def render(name: str, settings: Settings, **context: Any) -> str:
    return ENV.get_template(name).render(
        site_name=settings.publisher_name, base_url=settings.base_url.rstrip("/"), **context
    )
