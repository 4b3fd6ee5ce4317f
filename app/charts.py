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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

from app import certainty, grading, vocab
from app.sof import effect_text, estimate_numbers, number
from app.vocab import BetterDirection, Stance

#: Columns, left to right: support first, then the weaker and the opposing stances.
STANCE_ORDER = [Stance.SUPPORTS, Stance.MIXED, Stance.NO_EFFECT, Stance.CONTRADICTS]
STANCE_LABELS = vocab.STANCE_LABELS
#: The same shapes as text, for tables and legends (hidden from screen readers: the label is read).
STANCE_GLYPHS: dict[str, str] = {
    Stance.SUPPORTS: "▲",
    Stance.MIXED: "◆",
    Stance.NO_EFFECT: "●",
    Stance.CONTRADICTS: "▼",
}
# Colour-blind-safe hues (Okabe–Ito family), dark enough for 3:1 against white.
STANCE_COLOURS: dict[str, str] = {
    Stance.SUPPORTS: "#0060a8",
    Stance.MIXED: "#8a3f8f",
    Stance.NO_EFFECT: "#5f5f5f",
    Stance.CONTRADICTS: "#b8430a",
}

# One layout for every screen: 360 units wide, drawn at the column's width (358 px on a 390-pixel
# phone) up to 28rem (site.css), so 13-unit text renders at 12.9 px or more. Each row's label
# sits above its marks, which leaves the four columns the whole width (90 units: room for
# "Contradicts" in a wide font).
WIDTH = 360
LABEL_WIDTH = 0
ROW_LABEL_HEIGHT = 20
HEADER_HEIGHT = 54
COLUMN_WIDTH = (WIDTH - LABEL_WIDTH) / len(STANCE_ORDER)
CELL_PADDING = 6
GAP = 5
MIN_ROW_HEIGHT = 36
UNKNOWN_RADIUS = 4.5
MAX_RADIUS = 21.0


groups_text = grading.groups_text  # '13 trained, 13 controls' (pages and the chart)


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
    direct: bool = True  # the study measured what the claim is about (its evidence link's directness)
    groups: str = ""  # '13 trained, 13 controls' (``groups_text``)
    design: str | None = None  # the study's design (``grading.unsized_text``)

    @property
    def radius(self) -> float:
        # Area proportional to participants (radius ~ sqrt(n)), with a floor so that a
        # five-person study is still visible and a cap so that a large pooled review fits.
        if self.participants is None:
            return UNKNOWN_RADIUS
        return min(MAX_RADIUS, 3.5 + 0.6 * math.sqrt(self.participants))

    def describe(self) -> str:
        if self.participants is not None:
            size = f"{self.participants:,} participants" + (f" ({self.groups})" if self.groups else "")
        else:
            size = grading.unsized_text(self.design)
        retracted = ", retracted (left out of the grade)" if self.retracted else ""
        return f"{self.short}: {self.design_label.lower()}, {size}{retracted}"


def marks(evidence: list[dict[str, Any]], kind: str = "effect") -> list[Mark]:
    """One mark per evidence link, in the order of the claim's evidence list. The row is the
    level the certainty rules start the link at (``certainty.start_level`` for the claim's
    ``kind``, with the link's directness), so the chart and the grade explanation agree."""
    found = []
    for link in evidence:
        study = link["study"]
        graded = grading.GradedStudy(
            key=study["key"],
            design=study.get("design"),
            stance=link["stance"],
            directness=link.get("directness") or "direct",
            review_of=study.get("review_of"),
            evidence_level=study.get("evidence_level"),
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
                level=certainty.start_level(graded, kind),
                participants=participants,
                retracted=bool(study.get("retracted")),
                needs_sample=study.get("design") not in grading.NO_SAMPLE_DESIGNS,
                direct=link.get("directness", "direct") != "indirect",
                groups=groups_text(study) if study.get("sample_size") is not None else "",
                design=study.get("design"),
            )
        )
    return found


#: What studies found, as a sentence reads it (after the number of studies).
STANCE_VERBS = {
    Stance.SUPPORTS: "found the effect they measured",
    Stance.MIXED: "had mixed results",
    Stance.NO_EFFECT: "found no effect",
    Stance.CONTRADICTS: "found the opposite",
}


def summary_sentence(found: list[Mark]) -> str:
    """'9 studies: 7 found the effect they measured, 1 found no effect, 1 found the opposite.
    What they measured differs from what the claim says for 5 of them (indirect evidence).' A mark
    is one study's finding for one outcome: when a study bears on several outcomes, the sentence
    counts findings and names the distinct studies ('14 findings from 7 studies: ...')."""
    if not found:
        return "No studies are linked to this claim."
    parts = []
    for stance in STANCE_ORDER:
        count = sum(1 for m in found if m.stance == stance)
        if count:
            parts.append(f"{count} {STANCE_VERBS[stance]}")
    studies = len({m.key for m in found})
    noun = "study" if studies == 1 else "studies"
    head = f"{studies} {noun}" if studies == len(found) else f"{len(found)} findings from {studies} {noun}"
    sentence = f"{head}: {', '.join(parts)}."
    indirect = sum(1 for m in found if not m.direct)
    if indirect:
        which = (
            "it" if len(found) == 1 else "all of them" if indirect == len(found) else f"{indirect} of them"
        )
        sentence += f" What they measured differs from what the claim says for {which} (indirect evidence)."
    return sentence


def rows_for(found: list[Mark]) -> list[str]:
    """Levels shown as rows, strongest first: the three where designs start, plus any other used."""
    used = {m.level for m in found} | set(certainty.DESIGN_START.values())
    return [lvl for lvl in reversed(grading.LEVELS) if lvl in used]


#: Half the drawn width of each stance's shape, in radii (see ``_shape``).
SHAPE_HALF_WIDTH: dict[str, float] = {
    Stance.SUPPORTS: 1.2,
    Stance.CONTRADICTS: 1.2,
    Stance.MIXED: 1.25,
    Stance.NO_EFFECT: 1.0,
}


def _layout(cell: list[Mark]) -> tuple[list[tuple[Mark, float, float]], float]:
    """Flow the marks of one cell left to right, wrapping; returns positions and the height."""
    inner = COLUMN_WIDTH - 2 * CELL_PADDING
    placed: list[tuple[Mark, float, float]] = []
    x = y = line_height = 0.0
    line: list[tuple[Mark, float]] = []

    def flush() -> None:
        nonlocal y, line_height
        used = x - GAP  # the line's width: centre it under the column's heading
        offset = max(0.0, (inner - used) / 2)
        for mark, left in line:
            half = SHAPE_HALF_WIDTH[mark.stance] * mark.radius
            placed.append((mark, offset + left + half + 1, y + line_height / 2))
        y += line_height + GAP
        line.clear()
        line_height = 0.0

    for mark in sorted(cell, key=lambda m: -m.radius):
        size = 2 * SHAPE_HALF_WIDTH[mark.stance] * mark.radius + 2  # the drawn width, stroke included
        if line and x + size > inner:
            flush()
            x = 0.0
        line.append((mark, x))
        x += size + GAP
        line_height = max(line_height, 2.6 * mark.radius + 2)  # a triangle's height
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


def evidence_chart(
    evidence: list[dict[str, Any]], *, kind: str = "effect", chart_id: str = "evidence-chart"
) -> Markup:
    """The SVG chart (``role="img"`` with a title and a description) for a claim's evidence."""
    found = marks(evidence, kind)
    rows = rows_for(found)
    layouts = {}
    heights = {}
    for level in rows:
        height = 0.0
        for stance in STANCE_ORDER:
            placed, h = _layout([m for m in found if m.level == level and m.stance == stance])
            layouts[(level, stance)] = placed
            height = max(height, h)
        heights[level] = ROW_LABEL_HEIGHT + max(MIN_ROW_HEIGHT, height + 2 * CELL_PADDING)
    total_height = HEADER_HEIGHT + sum(heights.values()) + 1

    out = [
        f'<svg class="evidence-chart" viewBox="0 0 {WIDTH} {total_height:.0f}" role="group" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">The studies behind this claim, by what they found and how strong their design is</title>',
        f'<desc id="{chart_id}-desc">{escape(summary_sentence(found))} Each mark is one study’s '
        "finding for one outcome; its area grows with the number of participants; each mark links "
        "to its study.</desc>",
    ]
    for i, stance in enumerate(STANCE_ORDER):
        x = LABEL_WIDTH + i * COLUMN_WIDTH + COLUMN_WIDTH / 2
        colour = STANCE_COLOURS[stance]
        out.append(
            f'<text x="{x:.1f}" y="16" text-anchor="middle" class="chart-head" fill="{colour}" '
            f'aria-hidden="true">{STANCE_GLYPHS[stance]}</text>'
            + _header_label(STANCE_LABELS[stance], x, colour)
        )
    y = float(HEADER_HEIGHT)
    for level in rows:
        height = heights[level]
        out.append(f'<line x1="0" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>')
        out.append(
            f'<text x="2" y="{y + 15:.1f}" class="chart-row">Starts at: {escape(grading.LEVEL_LABELS[level])}</text>'
        )
        for i, stance in enumerate(STANCE_ORDER):
            left = LABEL_WIDTH + i * COLUMN_WIDTH + CELL_PADDING
            for mark, mx, my in layouts[(level, stance)]:
                out.append(_mark_svg(mark, left + mx, y + ROW_LABEL_HEIGHT + CELL_PADDING + my))
        y += height
    out.append(f'<line x1="0" x2="{WIDTH}" y1="{y:.1f}" y2="{y:.1f}" stroke="#c8c8c8"/>')
    out.append("</svg>")
    return Markup("".join(out))


def _header_label(label: str, x: float, colour: str) -> str:
    """A column heading on two lines ('Found' / 'the effect'): four fit a phone's width."""
    first, _, rest = label.partition(" ")
    return (
        f'<text x="{x:.1f}" y="31" text-anchor="middle" class="chart-head" fill="{colour}">'
        f'<tspan x="{x:.1f}">{escape(first)}</tspan><tspan x="{x:.1f}" dy="15">{escape(rest)}</tspan></text>'
    )


def _mark_svg(mark: Mark, cx: float, cy: float) -> str:
    colour = STANCE_COLOURS[mark.stance]
    element, geometry = _shape(mark.stance, cx, cy, mark.radius)
    if mark.retracted:
        paint = f'fill="none" stroke="{colour}" stroke-width="1.5" stroke-dasharray="3 2"'
    elif mark.participants is None:
        paint = f'fill="#ffffff" stroke="{colour}" stroke-width="1.5"'
    else:
        paint = f'fill="{colour}" fill-opacity="0.85" stroke="#1d1d1d" stroke-width="0.8"'
    label = escape(mark.describe())
    shape = f"<{element} {geometry} {paint}><title>{label}</title></{element}>"
    href = "/studies/" + quote(mark.key, safe="")
    return f'<a href="{escape(href)}" class="chart-mark" data-stance="{mark.stance}" aria-label="{label}">{shape}</a>'


def chart_text(evidence: list[dict[str, Any]], kind: str = "effect") -> list[dict[str, Any]]:
    """The chart as text, grouped like its columns: [{stance, label, marks: [description]}]."""
    found = marks(evidence, kind)
    groups = []
    for stance in STANCE_ORDER:
        in_group = [m for m in found if m.stance == stance]
        if in_group:
            ordered = sorted(in_group, key=lambda m: (-grading.LEVELS.index(m.level), -(m.participants or 0)))
            groups.append(
                {"stance": stance, "label": STANCE_LABELS[stance], "marks": [m.describe() for m in ordered]}
            )
    return groups


# --- forest plot (one outcome, estimates on a common measure) -----------------------------------

FOREST_WIDTH = 360  # readable on a 390 px phone without scaling the text down
FOREST_PAD = 6
FOREST_ROW = 40
FOREST_TOP = 8
FOREST_TICKS = 5
FOREST_LABEL_CHARS = 26  # 13 px bold: about 7 px a character, beside a 19-character estimate


@dataclass(frozen=True)
class ForestRow:
    key: str
    short: str
    page: str
    value: float
    low: float
    high: float
    analysed: int | None
    pooled: bool  # a pooled (meta-analysis) estimate: drawn as a diamond
    text: str  # the estimate in words: 'SMD −0.87 (95% CI −1.37 to −0.62)'
    short_text: str = ""  # beside its mark: '−0.997 [−1.373, −0.620]' (the source's digits)

    def describe(self) -> str:
        size = f", {self.analysed} participants" if self.analysed else ""
        return f"{self.short}: {self.text}{size}{' (pooled)' if self.pooled else ''}"


def forest_rows(group: Sequence[Mapping[str, Any]]) -> list[ForestRow]:
    """Rows of a forest plot from evidence links (``study`` document + ``estimate``), in order."""
    rows = []
    for link in group:
        estimate, study = link["estimate"], link["study"]
        rows.append(
            ForestRow(
                key=study["key"], short=study.get("short") or study["key"], page=study.get("page", ""),
                value=float(estimate["value"]), low=float(estimate["ci"][0]), high=float(estimate["ci"][1]),
                analysed=estimate.get("analysed"), pooled=(estimate.get("studies") or 1) > 1,
                text=effect_text(estimate), short_text=_short_estimate(estimate),
            )
        )  # fmt: skip
    return rows


def _nice_ticks(low: float, high: float, count: int = FOREST_TICKS) -> list[float]:
    span = high - low or 1.0
    raw = span / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw), default=raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def favours_labels(better: str | None, intervention: str, comparator: str | None) -> tuple[str, str]:
    """(left, right) labels under the axis: which side favours what. Long names become generic."""
    ours = intervention if len(intervention) <= 24 else "intervention"
    theirs = comparator if comparator and len(comparator) <= 24 else "comparator"
    if better == BetterDirection.LOWER:
        return f"Favours {ours}", f"Favours {theirs}"
    if better == BetterDirection.HIGHER:
        return f"Favours {theirs}", f"Favours {ours}"
    return "Lower values", "Higher values"


def forest_plot(group: Sequence[Mapping[str, Any]], outcome: dict[str, Any], *, plot_id: str) -> Markup:
    """A server-rendered forest plot: each estimate with its 95% interval on a labelled axis, the
    line of no effect, 'favours' labels, study names linking to their pages. Ratios on a log axis.
    ``group``: evidence links sharing a measure (``sof.forest_groups``); ``outcome``: its SoF row."""
    rows = forest_rows(group)
    first = group[0]["estimate"]
    measure = first["measure"]
    ratio = measure in grading.RATIO_MEASURES
    null = grading.NULL_VALUE[measure]
    low = min([r.low for r in rows] + [null])
    high = max([r.high for r in rows] + [null])
    scale: Any = math.log if ratio else (lambda v: v)
    lo_s, hi_s = scale(low), scale(high)
    pad = (hi_s - lo_s) * 0.06 or 0.5
    lo_s, hi_s = lo_s - pad, hi_s + pad
    left, right = FOREST_PAD + 4, FOREST_WIDTH - FOREST_PAD - 4

    def x(value: float) -> float:
        return float(left + (scale(value) - lo_s) / (hi_s - lo_s) * (right - left))

    axis_y = FOREST_TOP + len(rows) * FOREST_ROW + 6
    # The axis title on one line and the scale under it: a phone has room for about 50 characters.
    titles = [grading.MEASURE_LABELS.get(measure, measure)]
    titles += [_fit(str(first["scale"]), 56)] if first.get("scale") else []
    height = axis_y + 62 + 15 * (len(titles) - 1)
    favours = favours_labels(first.get("better"), outcome["intervention"], outcome.get("comparator"))
    out = [
        f'<svg class="forest-plot" viewBox="0 0 {FOREST_WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{plot_id}-title {plot_id}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{plot_id}-title">Forest plot: {escape(outcome["name"])}</title>',
        f'<desc id="{plot_id}-desc">{escape("; ".join(r.describe() for r in rows))}. '
        f"Line of no effect at {null:g}. {escape(favours[0])} on the left, {escape(favours[1])} on the right.</desc>",
        f'<line x1="{x(null):.1f}" x2="{x(null):.1f}" y1="{FOREST_TOP - 4}" y2="{axis_y:.1f}" '
        'stroke="#545c66" stroke-width="1" stroke-dasharray="4 3"/>',
    ]
    for i, row in enumerate(rows):
        out.extend(_forest_row(row, FOREST_TOP + i * FOREST_ROW, x, left, right))
    ticks = _log_ticks(low, high) if ratio else _nice_ticks(math.floor(low * 10) / 10, high)
    out.extend(
        _forest_axis(
            [(t, x(t)) for t in ticks if lo_s <= scale(t) <= hi_s], axis_y, titles, favours, left, right
        )
    )
    out.append("</svg>")
    return Markup("".join(out))


def _forest_axis(ticks: list[tuple[float, float]], axis_y: float, titles: list[str],
                 favours: tuple[str, str], left: float, right: float) -> list[str]:  # fmt: skip
    """The axis line, its ticks (value, x), the axis title lines and the 'favours' labels."""
    out = [f'<line x1="{left}" x2="{right}" y1="{axis_y:.1f}" y2="{axis_y:.1f}" stroke="#1b1f24"/>']
    for value, tx in ticks:
        out.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis_y:.1f}" y2="{axis_y + 4:.1f}" stroke="#1b1f24"/>'
        )
        out.append(
            f'<text x="{tx:.1f}" y="{axis_y + 16:.1f}" text-anchor="middle" class="forest-tick">{number(value)}</text>'
        )
    for n, title in enumerate(titles):
        css = "forest-axis" if n == 0 else "forest-scale"
        out.append(
            f'<text x="{FOREST_WIDTH / 2:.0f}" y="{axis_y + 33 + 15 * n:.1f}" text-anchor="middle" class="{css}">{escape(title)}</text>'
        )
    y = axis_y + 52 + 15 * (len(titles) - 1)
    out.append(f'<text x="{left}" y="{y:.1f}" class="forest-favours">\u2190 {escape(favours[0])}</text>')
    out.append(
        f'<text x="{right}" y="{y:.1f}" text-anchor="end" class="forest-favours">{escape(favours[1])} \u2192</text>'
    )
    return out


def _forest_row(row: ForestRow, y: float, x: Any, left: float, right: float) -> list[str]:
    line_y = y + 27
    x1, x2 = max(left, x(row.low)), min(right, x(row.high))
    cx = min(max(x(row.value), left), right)
    parts = [
        f'<a href="{escape(row.page)}"><text x="{left}" y="{y + 13:.1f}" class="forest-label">'
        f"{escape(_fit(row.short, FOREST_LABEL_CHARS))}<title>{escape(row.short)}</title></text></a>",
        f'<text x="{right}" y="{y + 13:.1f}" text-anchor="end" class="forest-value">{escape(row.short_text)}</text>',
        f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{line_y:.1f}" y2="{line_y:.1f}" stroke="#0060a8" stroke-width="2"/>',
    ]
    if row.pooled:
        points = f"{cx - 7:.1f},{line_y:.1f} {cx:.1f},{line_y - 6:.1f} {cx + 7:.1f},{line_y:.1f} {cx:.1f},{line_y + 6:.1f}"
        parts.append(
            f'<polygon points="{points}" fill="#1b1f24"><title>{escape(row.describe())}</title></polygon>'
        )
    else:
        half = 3.5 + (min(math.sqrt(row.analysed), 30) / 6 if row.analysed else 0)
        parts.append(
            f'<rect x="{cx - half:.1f}" y="{line_y - half:.1f}" width="{2 * half:.1f}" height="{2 * half:.1f}" '
            f'fill="#0060a8"><title>{escape(row.describe())}</title></rect>'
        )
    return parts


def _fit(label: str, limit: int) -> str:
    """A study name that leaves room for its estimate on the same line (the full name is in the
    tooltip and in the table under the plot)."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _short_estimate(estimate: Mapping[str, Any]) -> str:
    """'−0.997 [−1.373, −0.620]': the digits the source reports (``sof.estimate_numbers``)."""
    value, ci = estimate_numbers(estimate)
    return f"{value} [{ci[0]}, {ci[1]}]" if ci else value


def _log_ticks(low: float, high: float) -> list[float]:
    candidates = [0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 50.0, 100.0]
    return [c for c in candidates if low / 1.5 <= c <= high * 1.5]
