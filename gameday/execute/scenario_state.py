"""What one scenario's run holds while it goes on, shared by the runner's parts: the
phases (runner.py), observing (observing.py: probes, stop conditions, monitoring) and
recovering (recovering.py: setup, recovery, verify, rollback). `ScenarioRun.__init__`
sets every attribute declared here; the parts only use them."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from gameday.execute.journal import Clock, JournalWriter
from gameday.execute.lock import TargetLock
from gameday.execute.options import RunOptions, ScenarioEnded
from gameday.execute.reverts import Reverter
from gameday.execute.sampling import Sampler
from gameday.execute.view import View
from gameday.model import journal as j
from gameday.model.scenario import Scenario
from gameday.plugins.protocols import Injection

if TYPE_CHECKING:
    from gameday.prometheus import PrometheusClient


class ScenarioState:
    s: Scenario
    journal: JournalWriter
    options: RunOptions
    view: View
    clock: Clock
    deadline_at: float
    sampler: Sampler
    target: Any
    fault: Any
    reverter: Reverter
    outstanding: list[tuple[str, Injection]]
    abort: threading.Event
    abort_reason: str
    inject_t: float | None
    window_wall: list[float]
    """Unix times the fault window opened (injection) and closed (verify), for PromQL."""
    lock: TargetLock | None
    facts: dict[str, Any]
    """Shared by this scenario's setup, recovery and rollback steps."""
    prometheus: PrometheusClient | None

    def _revert_all(self) -> None:
        self.reverter.revert_all(self.target)

    def _injections(self) -> list[Injection]:
        return [injection for _, injection in self.outstanding]

    def phase(self, name: str, duration: float | None = None) -> None:
        if name != "rollback" and self.clock() > self.deadline_at:
            outcome = "aborted" if self.inject_t is not None else "not-run"
            raise ScenarioEnded(outcome, f"deadline passed before the {name} phase")
        self.write(j.Phase(scenario=self.s.name, phase=name))
        self.view.phase(name, None if duration is None else time.monotonic() + duration)

    def write(self, record: j.Record) -> None:
        """Journal a record of this scenario, fsync'd before the run goes on."""
        self.journal.write(record, sync=True)
