"""Runs recovery and rollback steps in order, timing and journaling each one."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from rich.markup import escape

from gameday.errors import GamedayError
from gameday.execute.journal import JournalWriter
from gameday.execute.sampling import Sampler
from gameday.execute.view import View
from gameday.model.journal import StepEnd, StepStart
from gameday.model.scenario import Step
from gameday.plugins.protocols import Injection, Sample, StepOutcome
from gameday.plugins.registry import registry


class StepRunner:
    """The `ActionContext` actions see, plus the loop that runs them."""

    def __init__(
        self,
        journal: JournalWriter,
        view: View,
        options: Any,
        sampler: Sampler,
        target: Any,
        deadline_at: float | None = None,
        injections: Callable[[], list[Injection]] = list,
        scenario: str = "",
        facts: dict[str, Any] | None = None,
    ):
        self.scenario = scenario
        self.journal, self.view, self.sampler, self._target = journal, view, sampler, target
        self.facts: dict[str, Any] = {} if facts is None else facts
        self.failed: tuple[str, str] | None = None
        """The first failed step's name and detail (setup and recovery stop there)."""
        self._injections = injections
        self.deadline_at = deadline_at
        self.auto_approve: bool = options.auto_approve
        self.interactive: bool = options.interactive

    def samples(self, probe: str) -> list[Sample]:
        return self.sampler.samples(probe)

    def target(self) -> Any:
        return self._target

    def injections(self) -> list[Injection]:
        return self._injections()

    def ask(self, prompt: str, timeout: float | None = None) -> bool | None:
        return self.view.ask(prompt, timeout=timeout)

    def _run_one(self, step: Step, section: str) -> StepOutcome:
        timeout = step.timeout
        if self.deadline_at is not None and section != "rollback":
            timeout = min(timeout, self.deadline_at - self.journal.clock())
            if timeout <= 0:
                return StepOutcome(False, "no time left before the scenario deadline")
        try:
            outcome: StepOutcome = (
                registry("action").get(step.type)().run(step.params, self, timeout)
            )
        except GamedayError as exc:
            outcome = StepOutcome(False, exc.message)
        return outcome

    def run_all(self, steps: tuple[Step, ...], section: str) -> bool:
        """Setup and recovery stop at the first failed step; rollback runs every step."""
        all_ok = True
        for index, step in enumerate(steps):
            self.journal.write(
                StepStart(
                    scenario=self.scenario,
                    section=section,
                    index=index,
                    name=step.name,
                    step_type=step.type,
                    step_phase=step.phase,
                ),
                sync=True,
            )
            start = time.monotonic()
            outcome = self._run_one(step, section)
            took = time.monotonic() - start
            self.journal.write(
                StepEnd(
                    scenario=self.scenario,
                    section=section,
                    index=index,
                    name=step.name,
                    ok=outcome.ok,
                    detail=outcome.detail,
                    output=outcome.output,
                    duration=round(took, 3),
                    data=outcome.data,
                ),
                sync=True,
            )
            mark = "[green]ok[/]" if outcome.ok else "[red]failed[/]"
            self.view.log(
                f"{section} step '{escape(step.name)}' {mark} in {took:.2f}s: {escape(outcome.detail)}"
            )
            if not outcome.ok:
                all_ok = False
                self.failed = self.failed or (step.name, outcome.detail)
                if section != "rollback":
                    break
        return all_ok
