"""Draw how cost grows with size, from bench/out/results.json, as an SVG (no plotting library).

    .venv/bin/python bench/plot.py            # writes docs/performance-growth.svg

Four panels, log-log, one line per backend: build time, search latency, fact-check latency and
server memory against the number of claims. A dotted line through the first point shows what
linear growth would look like, so a line flatter than it grows sub-linearly.
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
PANELS = [
    # (title, area, figure, unit)
    ("Build, evidence-kb build --force", "build", "build_wall_s", "s"),
    ("Search p50, in process", "search", "p50_ms", "ms"),
    ("Fact-check p50, in process", "factcheck", "p50_ms", "ms"),
    ("Server memory, warm (1 worker)", "memory", "rss_warm_mb", "MB"),
]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 330, 250, 58, 16, 34, 44


def series(results: dict[str, Any], area: str, figure: str) -> dict[str, list[tuple[int, float]]]:
    out: dict[str, list[tuple[int, float]]] = {}
    for backend, sizes in results.get(area, {}).items():
        points = sorted((int(n), float(v[figure])) for n, v in sizes.items() if v.get(figure))
        if points:
            out[backend] = points
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


def panel(x0: int, title: str, unit: str, data: dict[str, list[tuple[int, float]]]) -> list[str]:
    out = [f'<g transform="translate({x0},0)">', f'<text x="{W / 2}" y="18" class="t">{escape(title)}</text>']
    points = [p for pts in data.values() for p in pts]
    if not points:
        return [*out, f'<text x="{W / 2}" y="{H / 2}" class="t">not measured</text>', "</g>"]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x_lo, x_hi = min(xs) / 1.3, max(xs) * 1.3
    first = min(data.values(), key=lambda pts: pts[0][1])[0]
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
    for backend, pts in sorted(data.items()):
        colour = COLOURS.get(backend, "#555")
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}" for i, (x, y) in enumerate(pts))
        out.append(f'<path d="{path}" stroke="{colour}" class="s"/>')
        out += [f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>' for x, y in pts]
    return [*out, "</g>"]


def render(results: dict[str, Any]) -> str:
    width = W * len(PANELS)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{H + 30}" viewBox="0 0 {width} {H + 30}" '
        'font-family="sans-serif" font-size="11">',
        "<style>.t{text-anchor:middle;font-weight:bold}.xl{text-anchor:middle;fill:#333}"
        ".yl{text-anchor:end;fill:#333}.g{stroke:#ddd}.f{fill:none;stroke:#999}"
        ".s{fill:none;stroke-width:2}.lin{stroke:#777;stroke-dasharray:3 3}</style>",
        f'<rect width="{width}" height="{H + 30}" fill="white"/>',
    ]
    for i, (title, area, figure, unit) in enumerate(PANELS):
        parts += panel(i * W, title, unit, series(results, area, figure))
    legend_y = H + 18
    x = 20
    for backend, colour in COLOURS.items():
        parts.append(
            f'<line x1="{x}" x2="{x + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{colour}" class="s"/>'
        )
        parts.append(f'<text x="{x + 30}" y="{legend_y}">{backend}</text>')
        x += 110
    parts.append(f'<line x1="{x}" x2="{x + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" class="lin"/>')
    parts.append(f'<text x="{x + 30}" y="{legend_y}">linear growth from the smallest size</text>')
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
