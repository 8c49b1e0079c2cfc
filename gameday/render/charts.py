"""Inline SVG timelines: probe latency over time, failures in red, fault window shaded.

Long runs are downsampled for drawing only (scores use every sample): each pixel
column keeps its worst sample, so a failure is never hidden by downsampling.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from gameday.plugins.protocols import Sample

WIDTH, HEIGHT, PAD = 760, 160, 34
MAX_POINTS = 760


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


def timeline(
    samples: Sequence[Sample], start: float, end: float, markers: dict[str, float], title: str
) -> str:
    end = max(end, start + 0.001)
    points = downsample(samples, start, end)
    top = max((s.latency or 0.0 for s in points), default=0.0) * 1.1 or 0.001
    plot_w, plot_h = WIDTH - 2 * PAD, HEIGHT - 2 * PAD

    def x(t: float) -> float:
        return PAD + (t - start) / (end - start) * plot_w

    def y(latency: float) -> float:
        return PAD + plot_h - latency / top * plot_h

    parts = [
        f'<svg class="timeline" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<rect x="{PAD}" y="{PAD}" width="{plot_w}" height="{plot_h}" class="plot"/>',
    ]
    if "inject" in markers:
        left, right = x(markers["inject"]), x(markers.get("revert", end))
        parts.append(
            f'<rect x="{left:.1f}" y="{PAD}" width="{max(1.0, right - left):.1f}" '
            f'height="{plot_h}" class="fault"><title>fault window</title></rect>'
        )
    ok_path = " ".join(f"{x(s.t):.1f},{y(s.latency or 0):.1f}" for s in points if s.ok)
    if ok_path:
        parts.append(f'<polyline points="{ok_path}" class="ok-line"/>')
    for s in points:
        if not s.ok:
            parts.append(
                f'<circle cx="{x(s.t):.1f}" cy="{y(s.latency or 0):.1f}" r="2.5" class="bad">'
                f"<title>{escape(s.detail or 'failed')} at {s.t - start:.2f}s</title></circle>"
            )
    # fault markers above the plot, outcome markers below, so they never overprint
    label_y = {
        "inject": PAD - 8,
        "revert": PAD - 8,
        "recovered": PAD + plot_h + 11,
        "abort": PAD + plot_h + 11,
    }
    for name, t in markers.items():
        if name in ("inject", "revert", "recovered", "abort") and start <= t <= end:
            parts.append(
                f'<line x1="{x(t):.1f}" x2="{x(t):.1f}" y1="{PAD - 6}" y2="{PAD + plot_h}" class="m-{name}"/>'
                f'<text x="{x(t) + 2:.1f}" y="{label_y[name]}" class="label">{name}</text>'
            )
    parts.append(f'<text x="4" y="{PAD + 8}" class="label">{top * 1000:.0f}ms</text>')
    parts.append(f'<text x="4" y="{PAD + plot_h}" class="label">0</text>')
    parts.append(
        f'<text x="{PAD}" y="{HEIGHT - 8}" class="label">{escape(title)} — {end - start:.1f}s</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
