"""Scorecard -> report files. Pure: no network, no journal access, only the scorecard."""

from __future__ import annotations

from pathlib import Path

from gameday.model.scorecard import Scorecard


def render_all(card: Scorecard, run_dir: Path) -> dict[str, Path]:
    """Writes report.json, report.html, report.md and junit.xml into `run_dir`."""
    from gameday.render.html import render_html
    from gameday.render.junit import render_junit
    from gameday.render.markdown import render_markdown
    from gameday.render.report_json import render_json

    outputs = {
        "json": ("report.json", render_json(card)),
        "html": ("report.html", render_html(card)),
        "markdown": ("report.md", render_markdown(card)),
        "junit": ("junit.xml", render_junit(card)),
    }
    written = {}
    for kind, (name, text) in outputs.items():
        path = run_dir / name
        path.write_text(text, encoding="utf-8")
        written[kind] = path
    return written
