#!/usr/bin/env python3
"""Turns JMH JSON results of EmbeddedPushBenchmark into an SVG depth curve (no plotting library).

    scripts/depth-plot.py OUT.svg RESULT.json [RESULT.json ...]

Each JMH result (run with -rf json -rff RESULT.json) is one point: x = the `pending` parameter,
y = its score (operations/s), one line per benchmark method and `headMax` value. Both axes are
logarithmic. Lines with headMax=0 (every job in the queue object) are dashed.
"""
import json
import math
import sys

COLOURS = {"push": "#1f77b4", "pushWindow32": "#2ca02c", "pushClaimComplete": "#d62728"}
W, H = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 80, 220, 40, 60


def load(paths):
    series = {}
    for path in paths:
        with open(path) as f:
            for r in json.load(f):
                method = r["benchmark"].rsplit(".", 1)[-1]
                params = r.get("params", {})
                head = int(params.get("headMax", "0"))
                pending = int(params["pending"])
                score = r["primaryMetric"]["score"]
                series.setdefault((method, head), {})[pending] = score
    return series


def nice_ticks(lo, hi):
    ticks = []
    e = math.floor(math.log10(lo))
    while 10 ** e <= hi * 1.0001:
        for m in (1, 2, 5):
            v = m * 10 ** e
            if lo <= v <= hi:
                ticks.append(v)
        e += 1
    return ticks


def label(v):
    if v >= 1_000_000:
        return f"{v / 1_000_000:g}M"
    if v >= 1_000:
        return f"{v / 1_000:g}k"
    return f"{v:g}"


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, paths = sys.argv[1], sys.argv[2:]
    series = load(paths)
    xs = sorted({p for s in series.values() for p in s})
    ys = [v for s in series.values() for v in s.values()]
    xlo, xhi = min(xs), max(xs)
    ylo = 10 ** math.floor(math.log10(min(ys)))
    yhi = 10 ** math.ceil(math.log10(max(ys)))
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def px(x):
        return LEFT + (math.log10(x) - math.log10(xlo)) / max(1e-9, math.log10(xhi / xlo)) * pw

    def py(y):
        return TOP + ph - (math.log10(y) - math.log10(ylo)) / math.log10(yhi / ylo) * ph

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="22" font-size="14">casq embedded, 64 producers, durable file://:'
           f' operations/s by pending jobs</text>']
    for y in nice_ticks(ylo, yhi):
        svg.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{py(y):.1f}" y2="{py(y):.1f}" '
                   f'stroke="#ddd"/>')
        svg.append(f'<text x="{LEFT - 6}" y="{py(y) + 4:.1f}" text-anchor="end">{label(y)}</text>')
    for x in xs:
        svg.append(f'<line x1="{px(x):.1f}" x2="{px(x):.1f}" y1="{TOP}" y2="{TOP + ph}" '
                   f'stroke="#eee"/>')
        svg.append(f'<text x="{px(x):.1f}" y="{TOP + ph + 18}" text-anchor="middle">'
                   f'{label(x)}</text>')
    svg.append(f'<text x="{LEFT + pw / 2}" y="{H - 18}" text-anchor="middle">pending jobs</text>')
    svg.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" '
               f'stroke="#444"/>')
    legend_y = TOP + 10
    for (method, head) in sorted(series, key=lambda k: (k[0], k[1])):
        pts = sorted(series[(method, head)].items())
        colour = COLOURS.get(method, "#555")
        dash = ' stroke-dasharray="6,4"' if head == 0 else ""
        path = " ".join(f"{'M' if i == 0 else 'L'}{px(x):.1f},{py(y):.1f}"
                        for i, (x, y) in enumerate(pts))
        svg.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        for x, y in pts:
            svg.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        name = f"{method}, " + ("no segments" if head == 0 else f"headMax={head}")
        lx = LEFT + pw + 12
        svg.append(f'<line x1="{lx}" x2="{lx + 24}" y1="{legend_y}" y2="{legend_y}" '
                   f'stroke="{colour}" stroke-width="2"{dash}/>')
        svg.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{name}</text>')
        legend_y += 20
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
