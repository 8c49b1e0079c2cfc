"""Scorecard -> report files. Pure: no network, no journal access, only the scorecard."""

from __future__ import annotations

from pathlib import Path

from gameday.model.scorecard import Scorecard
from gameday.plugins.protocols import ReporterPlugin
from gameday.plugins.registry import registry


def render_all(card: Scorecard, run_dir: Path) -> dict[str, Path]:
    """Every installed reporter (`gameday.reporters`) writes its file into `run_dir`:
    the built-ins are report.json, report.html, report.md and junit.xml."""
    reporters = registry("reporter")
    written = {}
    for name in reporters.names():
        reporter: ReporterPlugin = reporters.get(name)()
        path = run_dir / reporter.filename
        path.write_text(reporter.render(card), encoding="utf-8")
        written[name] = path
    return written
