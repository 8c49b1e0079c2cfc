"""Inline SVG timelines a reader can trust: a time axis in seconds since the scenario
started, a latency axis, the fault window and each outage shaded, failed samples drawn
as failures in their own lane (the latency line is never drawn through them), and the
journal's moments (approval, fault, steps, notes, alerts, recovery) as numbered
markers that the report lists under the chart. No script, no network.

Long runs are downsampled for drawing only (scores use every sample): each pixel
column keeps its worst sample, so a failure is never hidden by downsampling.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from gameday.model.scorecard import Mark
from gameday.plugins.protocols import Sample

WIDTH, HEIGHT = 640, 216
LEFT, RIGHT, TOP, BOTTOM = 60, 12, 38, 172
"""The plot's edges in the viewBox; marker numbers above TOP, time labels below BOTTOM."""
FAIL_LANE = 10
"""Height of the band at the top of the plot where failed samples are drawn."""
MAX_POINTS = WIDTH - LEFT - RIGHT
Scale = Callable[[float], float]
STEPS = (0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
KINDS = {
    "inject": "fault injected",
    "revert": "fault reverted",
    "abort": "stop condition",
    "recovered": "recovered",
    "approval": "approval",
    "manual": "manual step",
    "step": "step",
    "note": "note",
    "alert-fired": "alert firing",
    "alert-resolved": "alert resolved",
}


def downsample(
    samples: Sequence[Sample], start: float, end: float, columns: int = MAX_POINTS
) -> list[Sample]:
    if len(samples) <= columns or end <= start:
        return list(samples)
    buckets: dict[int, Sample] = {}
    for s in samples:
        col = min(columns - 1, int((s.t - start) / (end - start) * columns))
        kept = buckets.get(col)
        if (
            kept is None
            or (kept.ok and not s.ok)
            or (kept.ok == s.ok and (s.latency or 0) > (kept.latency or 0))
        ):
            buckets[col] = s
    return [buckets[c] for c in sorted(buckets)]


def outages(samples: Sequence[Sample], end: float) -> list[tuple[float, float]]:
    """(from, to) of each run of failed samples: from the first failure to the next
    success (or the end of the chart)."""
    found, began = [], None
    for s in samples:
        if not s.ok and began is None:
            began = s.t
        elif s.ok and began is not None:
            found.append((began, s.t))
            began = None
    if began is not None:
        found.append((began, end))
    return found


def tick_step(span: float, most: int = 8) -> float:
    return next((step for step in STEPS if span / step <= most), STEPS[-1])


def _secs(value: float) -> str:
    return f"{value:g}s" if value < 60 or value % 60 else f"{value / 60:g}m"


def timeline(
    samples: Sequence[Sample],
    start: float,
    end: float,
    markers: dict[str, float],
    title: str,
    marks: Sequence[Mark] = (),
) -> str:
    """One probe's chart. `start`/`end`: the scenario's span on the run clock;
    `markers`: the scorecard's (inject, revert); `marks`: numbered in the order given."""
    end = max(end, start + 0.001)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, BOTTOM - TOP
    points = downsample(samples, start, end)
    top = max((s.latency or 0.0 for s in points if s.ok), default=0.0) * 1.15 or 0.001

    def x(t: float) -> float:
        return LEFT + (min(max(t, start), end) - start) / (end - start) * plot_w

    def y(latency: float) -> float:
        return BOTTOM - latency / top * (plot_h - FAIL_LANE)

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}: latency and failures over time" '
        'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" class="plot"/>',
    ]
    if "inject" in markers:
        left, right = x(markers["inject"]), x(markers.get("revert", end))
        parts.append(
            f'<rect x="{left:.1f}" y="{TOP}" width="{max(1.0, right - left):.1f}" '
            f'height="{plot_h}" class="fault"><title>fault window</title></rect>'
        )
    for a, b in outages(samples, end):
        parts.append(
            f'<rect x="{x(a):.1f}" y="{TOP}" width="{max(1.0, x(b) - x(a)):.1f}" '
            f'height="{plot_h}" class="outage"><title>outage {a - start:.2f}s to '
            f"{b - start:.2f}s ({b - a:.2f}s)</title></rect>"
        )
    parts += _axes(start, end, top, x, y)
    parts += _line(points, x, y)
    parts += [
        f'<line x1="{x(s.t):.1f}" x2="{x(s.t):.1f}" y1="{TOP + 1}" y2="{TOP + FAIL_LANE - 1}" '
        f'class="bad"><title>failed at {s.t - start:.2f}s: {escape(s.detail or "failed")}'
        "</title></line>"
        for s in points
        if not s.ok
    ]
    parts += _marks(marks, start, end, x)
    parts.append("</svg>")
    return "".join(parts)


def _axes(start: float, end: float, top: float, x: Scale, y: Scale) -> list[str]:
    parts = []
    step = tick_step(end - start)
    k = 0
    while k * step <= end - start + 1e-9:
        at = x(start + k * step)
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{BOTTOM}" y2="{BOTTOM + 4}" class="tick"/>'
            f'<text x="{at:.1f}" y="{BOTTOM + 16}" class="axis" text-anchor="middle">'
            f"{_secs(round(k * step, 3))}</text>"
        )
        k += 1
    for fraction in (0.0, 0.5, 1.0):
        value = top / 1.15 * fraction
        at = y(value)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at:.1f}" y2="{at:.1f}" class="grid"/>'
            f'<text x="{LEFT - 4}" y="{at + 4:.1f}" class="axis" text-anchor="end">'
            f"{value * 1000:.0f}ms</text>"
        )
    parts.append(
        f'<text x="{LEFT - 4}" y="{TOP + FAIL_LANE - 1}" class="axis bad-label" '
        'text-anchor="end">failed</text>'
        f'<text x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.1f}" y="{HEIGHT - 4}" class="axis" '
        'text-anchor="middle">seconds since the scenario started</text>'
    )
    return parts


def _line(points: Sequence[Sample], x: Scale, y: Scale) -> list[str]:
    """The latency of successful samples, broken wherever a sample failed."""
    runs: list[list[str]] = [[]]
    for s in points:
        if s.ok:
            runs[-1].append(f"{x(s.t):.1f},{y(s.latency or 0.0):.1f}")
        elif runs[-1]:
            runs.append([])
    parts = []
    for run in runs:
        if len(run) > 1:
            parts.append(f'<polyline points="{" ".join(run)}" class="ok-line"/>')
        elif run:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.5" class="ok-dot"/>')
    return parts


def _marks(marks: Sequence[Mark], start: float, end: float, x: Scale) -> list[str]:
    """Numbered markers above the plot; a number too close to the previous one moves
    up a row, so numbers never print over each other."""
    parts, last_x = [], [-99.0, -99.0]
    for number, mark in enumerate(marks, 1):
        if not start <= mark.t <= end:
            continue
        at = x(mark.t)
        row = 0 if at - last_x[0] >= 14 else (1 if at - last_x[1] >= 14 else 0)
        last_x[row] = at
        label_y = TOP - 8 - row * 15
        tip = f"{number}: {escape(mark.label)} at {mark.t - start:.2f}s"
        if mark.end is not None and mark.end > mark.t:
            parts.append(  # how long the step took, just above the plot
                f'<rect x="{at:.1f}" y="{TOP - 5}" width="{max(1.0, x(mark.end) - at):.1f}" '
                f'height="4" class="m-span m-{mark.kind}"><title>{tip}</title></rect>'
            )
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{label_y + 2}" y2="{BOTTOM}" '
            f'class="mark m-{mark.kind}"><title>{tip}</title></line>'
            f'<text x="{at:.1f}" y="{label_y}" class="num m-{mark.kind}" '
            f'text-anchor="middle">{number}<title>{tip}</title></text>'
        )
    return parts
