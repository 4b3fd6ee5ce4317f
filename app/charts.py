"""The evidence chart on a claim page: inline SVG rendered on the server, with a text equivalent.

Each study linked to the claim is one mark. Columns are what the study says about the claim
(its stance), rows are where its design starts on the evidence scale (``certainty.start_level``),
and the mark's area grows with the number of participants. Stance is shown by colour *and* shape
(and by the column), so the chart reads in greyscale too. No script, no style attributes: the
colours are SVG presentation attributes, which the Content-Security-Policy allows.

Plain functions: they take the evidence list of ``Store.claim`` and know nothing of HTTP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

from markupsafe import Markup

from app import certainty, grading, vocab
from app.vocab import Stance

#: Columns, left to right: support first, then the weaker and the opposing stances.
STANCE_ORDER = [Stance.SUPPORTS, Stance.MIXED, Stance.NO_EFFECT, Stance.CONTRADICTS]
STANCE_LABELS = vocab.STANCE_LABELS
#: The same shapes as text, for tables and legends (hidden from screen readers: the label is read).
STANCE_GLYPHS = {Stance.SUPPORTS: "▲", Stance.MIXED: "◆", Stance.NO_EFFECT: "●", Stance.CONTRADICTS: "▼"}
# Colour-blind-safe hues (Okabe–Ito family), dark enough for 3:1 against white.
STANCE_COLOURS = {
    Stance.SUPPORTS: "#0060a8",
    Stance.MIXED: "#8a3f8f",
    Stance.NO_EFFECT: "#5f5f5f",
    Stance.CONTRADICTS: "#b8430a",
}

WIDTH = 500
LABEL_WIDTH = 66
HEADER_HEIGHT = 30
COLUMN_WIDTH = (WIDTH - LABEL_WIDTH) / len(STANCE_ORDER)
CELL_PADDING = 8
GAP = 6
MIN_ROW_HEIGHT = 40
UNKNOWN_RADIUS = 4.5
MAX_RADIUS = 21.0


@dataclass(frozen=True)
class Mark:
    key: str
    short: str
    design_label: str
    stance: str
    level: str  # where the design starts: grading.LEVELS
    participants: int | None
    retracted: bool
    needs_sample: bool = True  # False for designs without participants of their own (web page, ...)

    @property
    def radius(self) -> float:
        # Area proportional to participants (radius ~ sqrt(n)), with a floor so that a
        # five-person study is still visible and a cap so that a large pooled review fits.
        if self.participants is None:
            return UNKNOWN_RADIUS
        return min(MAX_RADIUS, 3.5 + 0.6 * math.sqrt(self.participants))

    def describe(self) -> str:
        if self.participants is not None:
            size = f"{self.participants:,} participants"
        else:
            size = "sample size not reported" if self.needs_sample else "no participants of its own"
        retracted = ", retracted (left out of the grade)" if self.retracted else ""
        return f"{self.short}: {self.design_label.lower()}, {size}{retracted}"


def marks(evidence: list[dict[str, Any]]) -> list[Mark]:
    """One mark per evidence link, in the order of the claim's evidence list."""
    found = []
    for link in evidence:
        study = link["study"]
        graded = grading.GradedStudy(
            key=study["key"],
            design=study.get("design"),
            stance=link["stance"],
            review_of=study.get("review_of"),
        )
        participants = study.get("sample_size")
        if participants is None:
            participants = study.get("enrolled")
        found.append(
            Mark(
                key=study["key"],
                short=study.get("short") or study["key"],
                design_label=study.get("design_label") or "Unknown design",
                stance=link["stance"],
                level=certainty.start_level(graded),
                participants=participants,
                retracted=bool(study.get("retracted")),
                needs_sample=study.get("design") not in grading.NO_SAMPLE_DESIGNS,
            )
        )
    return found


def summary_sentence(found: list[Mark]) -> str:
    """'9 studies: 7 support the claim, 1 finds no effect, 1 contradicts it.'"""
    if not found:
        return "No studies are linked to this claim."
    verbs = {
        Stance.SUPPORTS: ("supports the claim", "support the claim"),
        Stance.MIXED: ("has mixed results", "have mixed results"),
        Stance.NO_EFFECT: ("finds no effect", "find no effect"),
        Stance.CONTRADICTS: ("contradicts it", "contradict it"),
    }
    parts = []
    for stance in STANCE_ORDER:
        count = sum(1 for m in found if m.stance == stance)
        if count:
            parts.append(f"{count} {verbs[stance][0 if count == 1 else 1]}")
    noun = "study" if len(found) == 1 else "studies"
    return f"{len(found)} {noun}: {', '.join(parts)}."


def rows_for(found: list[Mark]) -> list[str]:
    """Levels shown as rows, strongest first: the three where designs start, plus any other used."""
    used = {m.level for m in found} | set(certainty.DESIGN_START.values())
    return [lvl for lvl in reversed(grading.LEVELS) if lvl in used]


def _layout(cell: list[Mark]) -> tuple[list[tuple[Mark, float, float]], float]:
    """Flow the marks of one cell left to right, wrapping; returns positions and the height."""
    inner = COLUMN_WIDTH - 2 * CELL_PADDING
    placed: list[tuple[Mark, float, float]] = []
    x = y = line_height = 0.0
    line: list[tuple[Mark, float]] = []

    def flush() -> None:
        nonlocal y, line_height
        for mark, left in line:
            placed.append((mark, left + mark.radius, y + line_height / 2))
        y += line_height + GAP
        line.clear()
        line_height = 0.0

    for mark in sorted(cell, key=lambda m: -m.radius):
        size = 2 * mark.radius + 2
        if line and x + size > inner:
            flush()
            x = 0.0
        line.append((mark, x))
        x += size + GAP
        line_height = max(line_height, size)
    if line:
        flush()
    return placed, max(0.0, y - GAP)


def _shape(stance: str, cx: float, cy: float, r: float) -> tuple[str, str]:
    """(element name, geometry attributes) of a mark of this stance with about the same area."""
    if stance == "no-effect":
        return "circle", f'cx="{cx:.1f}" cy="{cy:.1f}" r="{r:.1f}"'
    if stance == "mixed":
        d = r * 1.25
        points = [(cx, cy - d), (cx + d, cy), (cx, cy + d), (cx - d, cy)]
    else:
        sign = -1 if stance == "supports" else 1  # supports points up, contradicts down
        points = [
            (cx, cy + sign * r * 1.3),
            (cx - r * 1.2, cy - sign * r * 0.8),
            (cx + r * 1.2, cy - sign * r * 0.8),
        ]
    return "polygon", 'points="' + " ".join(f"{px:.1f},{py:.1f}" for px, py in points) + '"'


def evidence_chart(evidence: list[dict[str, Any]], *, chart_id: str = "evidence-chart") -> Markup:
    """The SVG chart (``role="img"`` with a title and a description) for a claim's evidence."""
    found = marks(evidence)
    rows = rows_for(found)
    layouts = {}
    heights = {}
    for level in rows:
        height = 0.0
        for stance in STANCE_ORDER:
            placed, h = _layout([m for m in found if m.level == level and m.stance == stance])
            layouts[(level, stance)] = placed
            height = max(height, h)
        heights[level] = max(MIN_ROW_HEIGHT, height + 2 * CELL_PADDING)
    total_height = HEADER_HEIGHT + sum(heights.values()) + 1

    out = [
        f'<svg class="evidence-chart" viewBox="0 0 {WIDTH} {total_height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">The studies behind this claim, by what they found and how strong their design is</title>',
        f'<desc id="{chart_id}-desc">{escape(summary_sentence(found))} Each mark is a study; '
        "its area grows with the number of participants.</desc>",
    ]
    out.append('<text x="0" y="19" class="chart-axis">Starts at</text>')
    for i, stance in enumerate(STANCE_ORDER):
        x = LABEL_WIDTH + i * COLUMN_WIDTH + COLUMN_WIDTH / 2
        colour = STANCE_COLOURS[stance]
        out.append(
            f'<text x="{x:.1f}" y="19" text-anchor="middle" class="chart-head" fill="{colour}">'
            f"{STANCE_GLYPHS[stance]} {STANCE_LABELS[stance]}</text>"
        )
    y = float(HEADER_HEIGHT)
    for level in rows:
        height = heights[level]
        out.append(f'<line x1="0" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>')
        out.append(
            f'<text x="0" y="{y + 22:.1f}" class="chart-row">{escape(grading.LEVEL_LABELS[level])}</text>'
        )
        for i, stance in enumerate(STANCE_ORDER):
            left = LABEL_WIDTH + i * COLUMN_WIDTH + CELL_PADDING
            for mark, mx, my in layouts[(level, stance)]:
                out.append(_mark_svg(mark, left + mx, y + CELL_PADDING + my))
        y += height
    out.append(f'<line x1="0" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _mark_svg(mark: Mark, cx: float, cy: float) -> str:
    colour = STANCE_COLOURS[mark.stance]
    element, geometry = _shape(mark.stance, cx, cy, mark.radius)
    if mark.retracted:
        paint = f'fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="3 2"'
    elif mark.participants is None:
        paint = f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"'
    else:
        paint = f'fill="{colour}" fill-opacity="0.85" stroke="#1d1d1d" stroke-width="0.8"'
    return f"<{element} {geometry} {paint}><title>{escape(mark.describe())}</title></{element}>"


def chart_text(evidence: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart as text, grouped like its columns: [{stance, label, marks: [description]}]."""
    found = marks(evidence)
    groups = []
    for stance in STANCE_ORDER:
        in_group = [m for m in found if m.stance == stance]
        if in_group:
            ordered = sorted(in_group, key=lambda m: (-grading.LEVELS.index(m.level), -(m.participants or 0)))
            groups.append(
                {"stance": stance, "label": STANCE_LABELS[stance], "marks": [m.describe() for m in ordered]}
            )
    return groups
