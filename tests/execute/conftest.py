"""The real demo stack (supervisord + services + fault proxy), once per session, and a
helper that runs a scenario file against it in-process and scores the journal."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from gameday.declared import taken_by
from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.model.scorecard import ProbeReport, ScenarioScore
from gameday.plugins.protocols import Sample
from gameday.score import score_journal
from gameday.validate import load


@dataclass
class Ran:
    scenario: ScenarioScore
    records: list[dict[str, Any]]
    run_dir: Path
    log: str

    def probe(self, name: str) -> ProbeReport:
        return next(p for p in self.scenario.probes if p.name == name)

    def during_fault(self, probe: str) -> list[Sample]:
        m = self.scenario.markers
        return [s for s in self.probe(probe).samples if m["inject"] <= s.t <= m["revert"]]

    def events(self, type_: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["type"] == type_]


@pytest.fixture
def run_scenario(stack: DemoStack, tmp_path: Path) -> Any:
    def run(path: Path, dry_run: bool = False, **params: Any) -> Ran:
        shared = taken_by(path, stack.params())  # the stack's params this one takes
        subject = load(path, {**shared, **params})
        log = io.StringIO()
        run_dir, _ = execute(
            subject,
            tmp_path / "reports",
            RunOptions(dry_run=dry_run, auto_approve=True),  # e.g. store-data-loss's decision
            PlainView(Console(file=log, width=200)),
        )
        records = read_journal(run_dir / JOURNAL)
        (scenario,) = score_journal(records).scenarios
        return Ran(scenario, records, run_dir, log.getvalue())

    return run
