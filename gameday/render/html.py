"""report.html: one self-contained page (inline CSS and SVG, no scripts, no CDN)."""

from __future__ import annotations

import time

from jinja2 import Environment
from markupsafe import Markup

from gameday.model.scorecard import ScenarioScore, Scorecard
from gameday.render import headline, jinja
from gameday.render.charts import KINDS, timeline
from gameday.render.restore import html_summary
from gameday.render.summary import (
    burn_text,
    drill_formula_text,
    held_text,
    landed,
    recovery_text,
    what_happened,
)
from gameday.render.words import words


def _env() -> Environment:
    env = jinja.environment()
    env.filters["ms"] = lambda v: "-" if v is None else f"{v * 1000:.0f}ms"
    env.filters["secs"] = lambda v: "-" if v is None else f"{v:.2f}s"
    env.filters["pct"] = lambda v: "-" if v is None else f"{v * 100:.2f}%"
    env.filters["burn"] = burn_text
    env.filters["recovery"] = recovery_text
    env.filters["landed"] = landed
    env.filters["held"] = held_text
    env.filters["words"] = words
    env.globals["kinds"] = KINDS
    return env


def _charts(scenario: ScenarioScore) -> list[tuple[str, Markup]]:
    """(caption, inline SVG) for each probe of the scenario."""
    start = scenario.markers.get("start", 0.0)
    end = scenario.markers.get("end", start)
    charts = []
    for p in scenario.probes:
        title = f"{p.name} ({p.type})"
        svg = timeline(p.samples, start, end, scenario.markers, title, scenario.marks)
        charts.append((title, Markup(svg)))
    return charts


def render_html(card: Scorecard) -> str:
    template = _env().get_template("report.html.j2")
    return template.render(
        card=card,
        charts={s.name + str(i): _charts(s) for i, s in enumerate(card.scenarios)},
        happened={s.name + str(i): what_happened(s) for i, s in enumerate(card.scenarios)},
        drill_formula=drill_formula_text(card),
        summary_line=headline.summary_line(card),
        loose=headline.loose_notes(card),
        problems=headline.problems(card),
        objectives=headline.objectives(card),
        components=headline.COMPONENTS,
        breakdown=[headline.breakdown(s) for s in card.scenarios],
        caps=[headline.caps(s) for s in card.scenarios],
        scores=[headline.score_text(s) for s in card.scenarios],
        restore=html_summary(card),
        started=time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(card.started_wall)),
    )
