"""reports/index.html: every run found under the reports directory, with each
scenario's score trend and pass rate. History comes from the report.json files on disk;
no database. Runs whose verdict is `error` or `inconclusive` (or dry runs) said nothing
about resilience: they are gaps in the trends and left out of the pass rates.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from gameday.render import jinja

INDEX = "index.html"


@dataclass
class Run:
    drill: str
    run_id: str
    started: float
    score: float | None
    grade: str
    verdict: str
    link: str
    scenarios: dict[str, float | None] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    """scenario -> owning squad"""
    verdicts: dict[str, str] = field(default_factory=dict)


NOT_JUDGED = ("error", "inconclusive", "dry-run")
"""Verdicts left out of trends and pass rates."""


def pass_rate(verdicts: list[str | None]) -> str:
    """`2 of 3 judged runs passed (1 not judged)`."""
    judged = [v for v in verdicts if v is not None and v not in NOT_JUDGED]
    skipped = sum(1 for v in verdicts if v in NOT_JUDGED)
    text = f"{sum(v == 'pass' for v in judged)} of {plural(len(judged), 'judged run')} passed"
    return text + (f" ({skipped} not judged)" if skipped else "")


def find_runs(root: Path) -> list[Run]:
    runs = []
    for report in sorted(root.glob("*/*/report.json")):
        try:
            data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a run being written, or a damaged file: skip, never fail the index
        runs.append(
            Run(
                drill=str(data.get("name", report.parent.parent.name)),
                run_id=str(data.get("run_id", report.parent.name)),
                started=float(data.get("started_wall", 0.0)),
                score=data.get("score"),
                grade=str(data.get("grade", "-")),
                verdict=str(data.get("verdict", "-")),
                link=f"{report.parent.parent.name}/{report.parent.name}/report.html",
                scenarios={
                    s["name"]: None if s.get("verdict") in NOT_JUDGED else s.get("score")
                    for s in data.get("scenarios", [])
                },
                verdicts={s["name"]: str(s.get("verdict")) for s in data.get("scenarios", [])},
                owners={s["name"]: s["owner"] for s in data.get("scenarios", []) if s.get("owner")},
            )
        )
    runs.sort(key=lambda r: r.started)
    return runs


def plural(count: int, word: str) -> str:
    """`1 run`, `2 runs`: counts on the page agree with their nouns."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def latest(scores: list[float | None], verdicts: list[str | None]) -> str:
    """The newest judged score; a newest run that could not be judged (error,
    inconclusive) does not replace it, and the cell says so."""
    judged = [s for s in scores if s is not None]
    text = "-" if not judged else f"{judged[-1]:g}"
    newest = verdicts[-1] if verdicts else None
    if newest in NOT_JUDGED and judged:
        text += f" (newest run: {newest})"
    elif newest in NOT_JUDGED:
        text = f"- (newest run: {newest})"
    return text


SPARK_W, SPARK_H, DOT = 160, 28, 3.0


def sparkline(scores: list[float | None], width: int = SPARK_W, height: int = SPARK_H) -> str:
    """An inline SVG line of scores (0-100), oldest left; gaps for runs with no score.
    Every point sits inside the box (a single run is a dot in the middle, a 100 is not
    cut off at the top), and each judged run is drawn as a dot."""
    points = [(i, s) for i, s in enumerate(scores) if s is not None]
    if not points:
        return (
            f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="no scores"><rect width="{width}" height="{height}" '
            'fill="#f6f8fa"/></svg>'
        )
    inner_w, inner_h = width - 2 * DOT, height - 2 * DOT

    def x(i: int) -> float:
        return width / 2 if len(scores) == 1 else DOT + i * inner_w / (len(scores) - 1)

    def y(score: float) -> float:
        return DOT + (100 - max(0.0, min(100.0, score))) / 100 * inner_h

    lines = []
    run: list[str] = []
    for i, s in enumerate(scores):  # a gap (a run not judged) breaks the line
        if s is None:
            run = []
            continue
        run.append(f"{x(i):.1f},{y(s):.1f}")
        if len(run) == 2:
            lines.append(run)
    polylines = "".join(
        f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{" ".join(r)}"/>'
        for r in lines
    )
    dots = "".join(
        f'<circle cx="{x(i):.1f}" cy="{y(s):.1f}" r="{DOT if i == points[-1][0] else 2:g}" '
        f'fill="#2563eb"><title>run {i + 1}: {s:g}</title></circle>'
        for i, s in points
    )
    label = ", ".join("-" if s is None else f"{s:g}" for s in scores)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="scores: {label}"><rect width="{width}" height="{height}" '
        f'fill="#f6f8fa"/>{polylines}{dots}</svg>'
    )


@dataclass(frozen=True)
class Row:
    """One scenario's line in a trend table."""

    name: str
    trend: Markup
    latest: str
    judged: str
    """e.g. `2 judged runs of 3`"""
    pass_rate: str


def _row(name: str, scores: list[float | None], verdicts: list[str | None]) -> Row:
    ran = [v for v in verdicts if v is not None]
    judged = sum(1 for v in ran if v not in NOT_JUDGED)
    return Row(
        name,
        Markup(sparkline(scores)),
        latest(scores, verdicts),
        f"{judged} judged of {plural(len(ran), 'run')}",
        pass_rate(verdicts),
    )


def render_index(root: Path) -> str:
    runs = find_runs(root)
    trends: dict[str, dict[str, tuple[list[float | None], list[str | None]]]] = {}
    owners: dict[str, set[str]] = {}
    by_owner: dict[str, dict[str, tuple[list[float | None], list[str | None]]]] = {}
    for run in runs:
        drill = trends.setdefault(run.drill, {})
        owners.setdefault(run.drill, set()).update(run.owners.values())
        for name in run.scenarios:
            drill.setdefault(name, ([], []))
        for name, (scores, verdicts) in drill.items():
            scores.append(run.scenarios.get(name))
            verdicts.append(run.verdicts.get(name))
        for name, score in run.scenarios.items():  # a squad's own services, across drills
            owned = by_owner.setdefault(run.owners.get(name, "(no owner)"), {})
            scores, verdicts = owned.setdefault(name, ([], []))
            scores.append(score)
            verdicts.append(run.verdicts.get(name))
    env = jinja.environment()
    env.filters["when"] = lambda t: datetime.datetime.fromtimestamp(t, datetime.UTC).strftime(
        "%Y-%m-%d %H:%M UTC"
    )
    return env.get_template("index.html.j2").render(
        runs=list(reversed(runs)),
        count=plural(len(runs), "run"),
        trends={
            drill: [_row(name, *history) for name, history in scenarios.items()]
            for drill, scenarios in trends.items()
        },
        owners={d: sorted(o) for d, o in owners.items()},
        by_owner={
            owner: [_row(name, *history) for name, history in sorted(scenarios.items())]
            for owner, scenarios in sorted(by_owner.items())
        },
    )


def write_index(root: Path) -> Path:
    path = root / INDEX
    path.write_text(render_index(root), encoding="utf-8")
    return path
