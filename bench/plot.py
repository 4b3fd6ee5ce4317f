"""Draw how cost grows with size, from bench/out/results.json, as an SVG (no plotting library).

    .venv/bin/python bench/plot.py            # writes docs/performance-growth.svg

Five panels, log-log, one line per backend: build time, the build's peak memory (every process
of the build), server memory (one worker, warm), search p99 and fact-check p99 against the number
of claims. A dotted grey line through the first point shows what linear growth would look like
(a line flatter than it grows sub-linearly); a dashed line marks issue 12's goal where one applies.
Figures filed under "AREA [before]" (``run.py --label before``) are drawn thin and dashed.
"""

from __future__ import annotations

import json
import math
import sys
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "out" / "results.json"
OUTPUT = ROOT / "docs" / "performance-growth.svg"

COLOURS = {"sqlite": "#1f77b4", "postgres": "#d62728"}
BEFORE = "before"
#: (title, area, figure, unit, goals: (claims, value) pairs of issue 12, drawn as short marks)
PANELS: list[tuple[str, str, str, str, list[tuple[int, float]]]] = [
    ("Full build time", "build", "build_wall_s", "s", [(10_000, 15), (100_000, 180)]),
    ("Full build, peak memory (all processes)", "build", "build_tree_hwm_sum_mb", "MB",
     [(10_000, 500), (100_000, 2000)]),
    ("Server memory, 1 worker, warm (RSS)", "memory", "rss_warm_mb", "MB", [(10_000, 300), (100_000, 800)]),
    ("Search p99, in process", "search", "p99_ms", "ms", [(10_000, 15), (100_000, 50)]),
    ("Fact-check p99, in process", "factcheck", "p99_ms", "ms", []),
]  # fmt: skip
COLUMNS = 3
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 340, 250, 58, 16, 34, 44


def series(results: dict[str, Any], area: str, figure: str) -> dict[str, list[tuple[int, float]]]:
    """{backend or "backend [before]": [(claims, value), ...]} for one figure of an area."""
    out: dict[str, list[tuple[int, float]]] = {}
    for name, label in ((area, ""), (f"{area} [{BEFORE}]", f" [{BEFORE}]")):
        for backend, sizes in results.get(name, {}).items():
            points = sorted(
                (int(n), float(v[figure]))
                for n, v in sizes.items()
                if n.isdigit() and isinstance(v.get(figure), int | float) and v[figure] > 0
            )
            if points:
                out[backend + label] = points
    return out


def ticks(low: float, high: float) -> list[float]:
    """Powers of ten (and 2x, 5x when the range is short) between low and high."""
    found = []
    for exp in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1):
        for m in (1, 2, 5) if math.log10(high / low) < 2.5 else (1,):
            v = m * 10**exp
            if low <= v <= high:
                found.append(v)
    return found


def label(v: float) -> str:
    return f"{v:,.0f}" if v >= 1 else f"{v:g}"


def panel(
    x0: int,
    y0: int,
    title: str,
    unit: str,
    data: dict[str, list[tuple[int, float]]],
    goals: list[tuple[int, float]],
) -> list[str]:
    out = [
        f'<g transform="translate({x0},{y0})">',
        f'<text x="{W / 2}" y="18" class="t">{escape(title)}</text>',
    ]
    points = [p for pts in data.values() for p in pts]
    if not points:
        return [*out, f'<text x="{W / 2}" y="{H / 2}" class="t">not measured</text>', "</g>"]
    xs, ys = [p[0] for p in points], [p[1] for p in points] + [g[1] for g in goals]
    x_lo, x_hi = min(xs) / 1.3, max(xs) * 1.3
    current = {k: v for k, v in data.items() if BEFORE not in k} or data
    first = min(current.values(), key=lambda pts: pts[0][1])[0]
    linear_end = first[1] * max(xs) / first[0]
    y_lo, y_hi = min(ys) / 1.6, max(max(ys), linear_end) * 1.6

    def px(x: float) -> float:
        return PAD_L + (math.log(x) - math.log(x_lo)) / (math.log(x_hi) - math.log(x_lo)) * (
            W - PAD_L - PAD_R
        )

    def py(y: float) -> float:
        return (
            H
            - PAD_B
            - (math.log(y) - math.log(y_lo)) / (math.log(y_hi) - math.log(y_lo)) * (H - PAD_T - PAD_B)
        )

    out.append(
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{W - PAD_L - PAD_R}" height="{H - PAD_T - PAD_B}" class="f"/>'
    )
    for v in ticks(y_lo, y_hi):
        out.append(f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{py(v):.1f}" y2="{py(v):.1f}" class="g"/>')
        out.append(f'<text x="{PAD_L - 4}" y="{py(v) + 4:.1f}" class="yl">{label(v)}</text>')
    for v in sorted(set(xs)):
        out.append(f'<text x="{px(v):.1f}" y="{H - PAD_B + 16}" class="xl">{label(v)}</text>')
    out.append(f'<text x="{(PAD_L + W - PAD_R) / 2}" y="{H - 8}" class="xl">claims</text>')
    out.append(
        f'<text x="12" y="{(PAD_T + H - PAD_B) / 2}" class="xl" transform="rotate(-90 12 {(PAD_T + H - PAD_B) / 2})">{unit}</text>'
    )
    out.append(
        f'<line x1="{px(first[0]):.1f}" y1="{py(first[1]):.1f}" x2="{px(max(xs)):.1f}" y2="{py(linear_end):.1f}" class="lin"/>'
    )
    for n, value in goals:
        if x_lo < n < x_hi:
            out.append(
                f'<line x1="{px(n) - 14:.1f}" x2="{px(n) + 14:.1f}" y1="{py(value):.1f}" y2="{py(value):.1f}" class="goal"/>'
            )
            out.append(
                f'<text x="{px(n) - 16:.1f}" y="{py(value) + 4:.1f}" class="gl">goal {label(value)}</text>'
            )
    for name, pts in sorted(data.items()):
        colour = COLOURS.get(name.split(" ")[0], "#555")
        style = "sb" if BEFORE in name else "s"
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(pts))
        out.append(f'<path d="{path}" stroke="{colour}" class="{style}"/>')
        radius = 2 if BEFORE in name else 3
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="{radius}" fill="{colour}"/>' for x, y in pts]
    return [*out, "</g>"]


def render(results: dict[str, Any]) -> str:
    rows = math.ceil(len(PANELS) / COLUMNS)
    width, height = W * COLUMNS, H * rows + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-family="sans-serif" font-size="11">',
        "<style>.t{text-anchor:middle;font-weight:bold}.xl{text-anchor:middle;fill:#333}"
        ".yl{text-anchor:end;fill:#333}.g{stroke:#ddd}.f{fill:none;stroke:#999}"
        ".s{fill:none;stroke-width:2}.sb{fill:none;stroke-width:1;stroke-dasharray:4 3;opacity:.7}"
        ".lin{stroke:#777;stroke-dasharray:1 3}.goal{stroke:#2ca02c;stroke-width:2;stroke-dasharray:5 3}"
        ".gl{text-anchor:end;fill:#2ca02c;font-size:10px}</style>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for i, (title, area, figure, unit, goals) in enumerate(PANELS):
        parts += panel(
            (i % COLUMNS) * W, (i // COLUMNS) * H, title, unit, series(results, area, figure), goals
        )
    # the legend fills the free cell of the grid
    x, y = (len(PANELS) % COLUMNS) * W + 40, (rows - 1) * H + 60
    entries = [(f'stroke="{c}" class="s"', f"{b}") for b, c in COLOURS.items()]
    entries += [
        (f'stroke="{c}" class="sb"', f"{b}, before (issue 12 not yet in)") for b, c in COLOURS.items()
    ]
    entries += [('class="lin"', "linear growth from the smallest size"), ('class="goal"', "issue 12's goal")]
    for n, (style, text) in enumerate(entries):
        ly = y + n * 20
        parts.append(f'<line x1="{x}" x2="{x + 28}" y1="{ly - 4}" y2="{ly - 4}" {style}/>')
        parts.append(f'<text x="{x + 36}" y="{ly}">{escape(text)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main() -> int:
    if not RESULTS.exists():
        print("no bench/out/results.json: run bench/run.py first", file=sys.stderr)
        return 1
    OUTPUT.parent.mkdir(exist_ok=True)
    OUTPUT.write_text(render(json.loads(RESULTS.read_text())))
    print(f"wrote {OUTPUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
