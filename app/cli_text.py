"""What ``evidence-kb factcheck`` and ``factcheck-eval`` print for people (``--json`` prints the
documents as they are): plain functions from a result or a report to lines of text."""

from __future__ import annotations

import re
from typing import Any

from app.vocab import POST_STANCE_LABELS


def counted(n: int, one: str, many: str) -> str:
    """``n`` with its noun in the right number: ``counted(1, "study", "studies")`` -> "1 study"."""
    return f"{n} {one if n == 1 else many}"


def factcheck_text(result: dict[str, Any], ambiguous: dict[str, dict[str, str]] | None = None) -> str:
    """A fact-check result (``factcheck.factcheck``) as lines for a terminal. ``ambiguous``: the
    claims its matches are ambiguous with (``factcheck.ambiguous_claims``), named by statement."""
    named = ambiguous or {}
    lang = result["language"]
    lines = [f"! {w}" for w in result["warnings"]]
    if not result["matches"]:
        lines.append(
            "No curated claim matches this post." if lang["handled"] else "No match (language not handled)."
        )
    for i, m in enumerate(result["matches"], 1):
        c = m["claim"]
        span = m["matched_text"]
        lines.append(f"{i}. {c['statement']}  [{c['id']}]")
        lines.append(f"   verdict: {c['verdict_label']}; evidence: {c['grade']['label']}; "
                     f"score {m['score']:.2f}; the post {_stance_words(m['stance'])}")  # fmt: skip
        if m["ambiguous_with"]:
            lines.append("   ambiguous: the post may as well claim")
            for cid in m["ambiguous_with"]:
                other = named.get(cid)
                lines.append(f"     - {other['statement']}  [{cid}]" if other else f"     - [{cid}]")
        lines.append(f'   post says ({span["start"]}-{span["end"]}): "{span["text"]}"')
        if c.get("calibrated"):
            lines.append(f"   {c['calibrated']}")
        lines += [f"   ! {f['code']}: {f['message']}" for f in m["flags"]]
        lines += [f"   ? unverified figure: {u['post_says']} ({u['quantity']}): {u['note']}"
                  for u in m["unverified_figures"]]  # fmt: skip
        lines += [f"   x denied figure: {d['post_says']} ({d['quantity']}): {d['note']}"
                  + (f" The post gives {d['corrected_to']['post_says']} instead (checked above)." if d.get("corrected_to") else "")
                  for d in m.get("denied_figures", ())]  # fmt: skip
        lines.append(f"   sources: {'; '.join(s['short'] for s in m['citations'])}")
        lines.append(f"   {c['url']}")
    also = "".join(f", also {part['code']}" for part in lang.get("also", []))
    lines.append(f"(language: {lang['code']}{also}; {result['took_ms']:.1f} ms)")
    return "\n".join(lines)


EVALUATION_ROWS = [
    ("right claim first, single-claim passages", "single_first_right", "single"),
    ("all expected in top 3, multi-claim passages", "multi_all_in_top3", "multi"),
    ("nothing returned, no-claim passages", "no_claim_silent", "no_claim"),
    ("figure flag, contradicting passages", "figure_flagged_contradicting", "contradicting"),
    (
        "figure flag, other passages (lower is better)",
        "figure_flagged_not_contradicting",
        "not_contradicting",
    ),
    ("stance right, denials and questions", "stance_right_denials_questions", "denials_questions"),
    (
        "  the same, of those whose claim is returned",
        "stance_right_when_returned",
        "denials_questions_returned",
    ),
    ("p99 ms per passage", "ms_p99", None),
]


def evaluation_text(report: dict[str, Any]) -> str:
    """An evaluation report (``factcheck.evaluate.evaluate``) as lines for a terminal: the system
    beside BM25 and embedding-only, the reliability table, languages and the system's misses."""

    def pct(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1%}"

    names = ("system", "bm25", "embedding")
    lines = [f"{'metric':48} " + " ".join(f"{n:>16}" for n in names)]
    for label, key, count in EVALUATION_ROWS:
        cells = []
        for n in names:
            value = report[n][key]
            shown = (f"{value:.1f}" if value is not None else "n/a") if count is None else pct(value)
            cells.append(f"{shown + (f' of {report[n][count]}' if count else ''):>16}")
        lines.append(f"{label:48} " + " ".join(cells))
    rel = report["reliability"]
    lines.append("\nreliability (system, every scored candidate): band, count, mean score, share right")
    for row in rel["bands"]:
        mark = "" if row["held_to_target"] else "  (fewer than 20: not held to the target)"
        lines.append(
            f"  {row['band']}  {row['count']:5d}  {row['mean_score']:.3f}  {row['share_right']:.3f}{mark}"
        )
    lines.append(f"expected calibration error: {rel['ece_all']} (all candidates), {rel['ece_returned']} (returned); "
                 f"worst gap in bands of 20+: {rel['worst_gap_in_bands_of_20']}")  # fmt: skip
    lines.append("per language: passages, detected right, read by, right first (single), all in top 3 "
                 "(multi), nothing returned (no claim)")  # fmt: skip
    for code, row in sorted(report["languages"].items(), key=lambda kv: -kv[1]["passages"]):
        figures = "  ".join(
            f"{pct(row[share])} of {row[n]}" if row[n] else "-"
            for share, n in (("single_first_right", "single"), ("multi_all_in_top3", "multi"),
                             ("no_claim_silent", "no_claim"))
        )  # fmt: skip
        lines.append(f"  {code}: {row['passages']}, {row['detected']} detected, read by "
                     f"{'/'.join(row['matched_by'])}  {figures}")  # fmt: skip
    for failure in report["system"]["failures"]:
        lines.append(
            f"  miss {failure['id']}: expected {failure['expected']}, got {failure['got']}: {failure['text']}"
        )
    return "\n".join(lines)


def _stance_words(stance: str) -> str:
    """ "asks about it", "asserts it", "names it as its topic, stating nothing": the page's wording
    (``POST_STANCE_LABELS``, "asks about this") with "it", since the line follows the claim it is
    about."""
    label = POST_STANCE_LABELS.get(stance, f"{stance} this")
    return re.sub(r"\bthis\b", "it", label, count=1)
