"""reports/index.html: every run found under the reports directory, with each
scenario's score trend and pass rate. History comes from the report.json files on disk;
no database. Runs whose verdict is `error` or `inconclusive` (or dry runs) said nothing
about resilience: they are gaps in the trends and left out of the pass rates.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

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
    text = f"{sum(v == 'pass' for v in judged)} of {len(judged)} judged runs passed"
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


def sparkline(scores: list[float | None], width: int = 160, height: int = 28) -> str:
    """An inline SVG line of scores (0-100), oldest left; gaps for runs with no score."""
    points = [(i, s) for i, s in enumerate(scores) if s is not None]
    if not points:
        return '<svg class="spark" width="160" height="28" role="img" aria-label="no scores"></svg>'
    step = width / max(1, len(scores) - 1)
    coords = " ".join(
        f"{i * step:.1f},{height - 2 - s / 100 * (height - 4):.1f}" for i, s in points
    )
    last_x, last_s = points[-1][0] * step, points[-1][1]
    last_y = height - 2 - last_s / 100 * (height - 4)
    label = ", ".join("-" if s is None else f"{s:g}" for s in scores)
    return (
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="scores: {label}"><polyline fill="none" stroke="#2563eb" '
        f'stroke-width="1.5" points="{coords}"/><circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.5" '
        f'fill="#2563eb"/></svg>'
    )


def render_index(root: Path) -> str:
    runs = find_runs(root)
    trends: dict[str, dict[str, list[float | None]]] = {}
    verdicts: dict[str, dict[str, list[str | None]]] = {}
    owners: dict[str, set[str]] = {}
    by_owner: dict[str, dict[str, list[float | None]]] = {}
    for run in runs:
        drill = trends.setdefault(run.drill, {})
        owners.setdefault(run.drill, set()).update(run.owners.values())
        for name in run.scenarios:
            drill.setdefault(name, [])
        for name, scores in drill.items():
            scores.append(run.scenarios.get(name))
            verdicts.setdefault(run.drill, {}).setdefault(name, []).append(run.verdicts.get(name))
        for name, score in run.scenarios.items():  # a squad's own services, across drills
            by_owner.setdefault(run.owners.get(name, "(no owner)"), {}).setdefault(name, []).append(
                score
            )
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    env.filters["when"] = lambda t: datetime.datetime.fromtimestamp(t, datetime.UTC).strftime(
        "%Y-%m-%d %H:%M UTC"
    )
    source = (
        resources.files("gameday.render")
        .joinpath("templates/index.html.j2")
        .read_text(encoding="utf-8")
    )
    return env.from_string(source).render(
        runs=list(reversed(runs)),
        trends={
            drill: {
                name: (Markup(sparkline(s)), s, pass_rate(verdicts[drill][name]))
                for name, s in scenarios.items()
            }
            for drill, scenarios in trends.items()
        },
        owners={d: sorted(o) for d, o in owners.items()},
        by_owner={
            owner: {name: (Markup(sparkline(s)), s) for name, s in sorted(scenarios.items())}
            for owner, scenarios in sorted(by_owner.items())
        },
    )


def write_index(root: Path) -> Path:
    path = root / INDEX
    path.write_text(render_index(root), encoding="utf-8")
    return path
