"""A fault plugin written before `FaultPlugin.confirm` is refused before it injects: its
landing could never be shown, so running it could only ever be inconclusive."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from rich.console import Console

from gameday.execute.journal import Clock, JournalWriter, read_records
from gameday.execute.runner import RunOptions, ScenarioRun
from gameday.execute.view import PlainView
from gameday.model import journal as j
from gameday.model.scenario import Scenario
from gameday.plugins.protocols import Injection
from gameday.validate import load
from tests.conftest import DATA


class LegacyKill:
    """select / inject / revert, and no confirm."""

    def select(self, params: Any, target: Any) -> Injection:
        return Injection("process-kill", ("pid:1 init",))

    def inject(self, injection: Injection, params: Any, target: Any) -> Injection:
        raise AssertionError("a fault that cannot confirm its landing must not be injected")

    def revert(self, injection: Injection, target: Any) -> None:
        pass


def test_a_fault_without_confirm_is_not_run(tmp_path: Path) -> None:
    scenario = load(DATA / "local" / "kill-nothing.yaml")
    assert isinstance(scenario, Scenario)
    path = tmp_path / "journal.jsonl"
    journal = JournalWriter(path, Clock())
    run = ScenarioRun(scenario, journal, PlainView(Console(file=io.StringIO())), RunOptions())
    run.fault = LegacyKill()
    assert run.execute() == "not-run"
    journal.close()
    records = read_records(path)
    (end,) = [r for r in records if isinstance(r, j.ScenarioEnd)]
    assert "has no `confirm` method" in end.reason and "nothing was injected" in end.reason
    assert not [r for r in records if isinstance(r, j.InjectionPlanned)]
