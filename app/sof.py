"""Summary of findings: one row per outcome of a claim, as the build stores it and the pages and
the API show it (Cochrane Handbook chapter 14's table, in plain functions).

``outcome_docs(record)`` -> a list of JSON-ready dicts, one per outcome::

    {"id", "name", "population", "intervention", "comparator", "main", "timeframe",
     "certainty": {"level", "label", "direction", "reasons": [{factor, effect, explanation, studies}]},
     "answer",                       # the one-line answer (grading.outcome_answer)
     "study_count", "participants", "participants_unknown",   # participants counted once
     "studies": [keys], "carrying": [keys], "links": [positions in the claim's evidence list],
     "estimate": {"study", "measure", "measure_label", "value", "ci", "interval", "comparison",
                  "scale", "better", "timepoint", "analysed", "studies", "i2", "swc",
                  "text", "vs_swc"} | None}

``effect_text`` and ``versus_swc`` word one estimate; ``forest_groups`` picks the estimates of an
outcome that share a measure (the forest plot's rows).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app import grading
from app.evidence_units import shown_participants
from app.grading import number, reported_number
from app.loader import ClaimRecord, OutcomeRecord
from app.vocab import IntervalKind


def estimate_numbers(estimate: Mapping[str, Any]) -> tuple[str, tuple[str, str] | None]:
    """The estimate's value and interval bounds for readers: as the data file writes them
    (``reported``) where known, so that "−0.997 (−1.373 to −0.620)" keeps the source's third
    decimal; else the numbers (``number``: the estimate came from code, not a file)."""
    reported = estimate.get("reported") or {}
    value = reported_number(reported["value"]) if reported.get("value") else number(estimate["value"])
    ci = estimate.get("ci")
    if not ci:
        return value, None
    bounds = reported.get("ci") or [None, None]
    low, high = (reported_number(b) if b else number(n) for b, n in zip(bounds, ci, strict=True))
    return value, (low, high)


def effect_text(estimate: Mapping[str, Any]) -> str:
    """'SMD −0.87 (95% CI −1.2 to −0.5)'; 'MD −0.8 points, pain NRS 0-10 (95% CrI ...)';
    a within-group change says so. Digits as the source reports them (``estimate_numbers``)."""
    short = grading.MEASURE_SHORT.get(estimate["measure"], estimate["measure"])
    value, ci = estimate_numbers(estimate)
    text = f"{short} {value}"
    if estimate.get("measure") == "percent-change":
        text = f"{value}%"
    if ci:
        name = "CrI" if estimate.get("interval") == IntervalKind.CREDIBLE else "CI"
        text += f" (95% {name} {ci[0]} to {ci[1]})"
    if estimate.get("comparison") == "within-group":
        text += ", change within one group (no comparison with control)"
    return text


def versus_swc(estimate: Mapping[str, Any]) -> str | None:
    """Where the interval lies against the smallest worthwhile change (None when it is unknown).

    'larger than the smallest worthwhile change' (the whole interval beyond it), 'smaller than the
    smallest worthwhile change' (the whole interval within it), else 'may or may not be worthwhile'.
    """
    swc, ci = estimate.get("swc"), estimate.get("ci")
    if swc is None or not ci:
        return None
    null = grading.NULL_VALUE[estimate["measure"]]
    if estimate["measure"] in grading.RATIO_MEASURES:
        low_edge, high_edge = 1 / swc, swc
    else:
        low_edge, high_edge = null - swc, null + swc
    low, high = ci
    if high <= low_edge or low >= high_edge:
        return "larger than the smallest worthwhile change"
    if low_edge <= low and high <= high_edge:
        return "smaller than the smallest worthwhile change"
    return "may or may not be worthwhile (the interval includes the smallest worthwhile change)"


def estimate_doc(key: str, estimate: Mapping[str, Any]) -> dict[str, Any]:
    doc = {"study": key, **estimate}
    doc["measure_label"] = grading.MEASURE_LABELS.get(estimate["measure"], estimate["measure"])
    doc["text"] = effect_text(estimate)
    doc["vs_swc"] = versus_swc(estimate)
    return doc


def _outcome_doc(record: ClaimRecord, outcome: OutcomeRecord) -> dict[str, Any]:
    o, g = outcome.outcome, outcome.grade
    links = [record.claim.evidence[j] for j in outcome.links]
    best = next((link for link in links if link.study == g.best and link.estimate), None)
    return {
        "id": o.id, "name": o.name, "population": o.population, "intervention": o.intervention,
        "comparator": o.comparator, "main": o.main or len(record.outcomes) == 1, "timeframe": o.timeframe,
        "certainty": {
            "level": g.level, "label": grading.LEVEL_LABELS[g.level], "direction": g.direction,
            "reasons": [r.as_dict() for r in g.reasons],
        },
        "answer": outcome.answer,
        "study_count": g.study_count, "participants": shown_participants(g.participants, g.participants_unknown),
        "participants_unknown": g.participants_unknown,
        "studies": [link.study for link in links], "carrying": list(g.carrying), "links": list(outcome.links),
        "estimate": estimate_doc(best.study, best.estimate.model_dump(mode="json", exclude_none=True))
        if best and best.estimate else None,
    }  # fmt: skip


def outcome_docs(record: ClaimRecord) -> list[dict[str, Any]]:
    """The summary-of-findings rows of one claim, its main outcome first."""
    docs = [_outcome_doc(record, o) for o in record.outcomes]
    return sorted(docs, key=lambda d: not d["main"])


def measure_family(estimate: Mapping[str, Any]) -> str:
    """Estimates in one family share an axis: standardised differences together; a mean difference
    or percent change only on the same scale; each ratio measure on its own."""
    measure = str(estimate["measure"])
    if measure in grading.STANDARDISED_MEASURES:
        return "standardised"
    if measure in ("md", "percent-change"):
        return f"{measure}:{(estimate.get('scale') or '').strip().lower()}"
    return measure


def forest_groups(
    evidence: Sequence[Mapping[str, Any]], positions: Sequence[int]
) -> list[list[Mapping[str, Any]]]:
    """The outcome's comparative estimates with an interval (``positions``: the outcome's links in
    the claim's evidence list), grouped by measure family; only the groups of two or more (a
    forest plot needs something to compare). Each item is an evidence link (``study``, ``estimate``)."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for link in (evidence[i] for i in positions if i < len(evidence)):
        estimate = link.get("estimate")
        if not estimate or not estimate.get("ci") or estimate.get("comparison") not in grading.COMPARATIVE:
            continue
        groups.setdefault(measure_family(estimate), []).append(link)
    return [group for group in groups.values() if len(group) >= 2]
