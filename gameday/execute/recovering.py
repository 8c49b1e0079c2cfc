"""The recovery half of a scenario (on top of observing, whose steady-state checks it
reuses): setup steps before injection; the recovery steps
(by the tool after the revert, or by people with the fault in place, bounded by
`hard_max`); verify (the steady state restored, data audited); and the rollback that
always runs (revert what is left, rollback steps, release probes, target and lock)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import asdict

from rich.markup import escape

from gameday.errors import GamedayError
from gameday.execute.observing import Observing
from gameday.execute.options import ScenarioEnded
from gameday.execute.steps import StepRunner
from gameday.execute.watchdog import hard_max_watch
from gameday.model import journal as j
from gameday.plugins.protocols import Injection


class Recovering(Observing):
    def _fault_stays_for_recovery(self) -> bool:
        """Humans recover (`recovery.by: people`), or the fault's revert is only a safety
        net behind the runbook (namespace-delete): the steps run with the fault in place."""
        by_people = self.s.recovery.by == "people"
        return by_people or bool(getattr(self.fault, "reverts_after_recovery", False))

    def _recover(self) -> None:
        if self.s.recovery.by != "people":
            self._run_recovery_steps()
            return
        step_failed = ""
        with hard_max_watch(self._hard_max_left(), self._revert_at_hard_max) as fired:
            try:
                self._run_recovery_steps()
            except ScenarioEnded as ended:
                if not fired.is_set():
                    raise
                step_failed = f"; {ended.reason}"
        if fired.is_set():
            raise ScenarioEnded(
                "recovery-failed",
                f"the responders had not recovered {self.s.recovery.hard_max:g}s after the "
                f"injection (recovery.hard_max): gameday reverted the fault{step_failed}",
            )

    def _hard_max_left(self) -> float:
        assert self.s.recovery.hard_max is not None and self.inject_t is not None
        return self.inject_t + self.s.recovery.hard_max - self.clock()

    def _revert_at_hard_max(self) -> None:
        """From the watchdog thread: the bound on a fault left in place for people."""
        self.view.log(
            f"[red]{escape(self.s.name)}: recovery.hard_max reached:[/] reverting the fault"
        )
        with contextlib.suppress(GamedayError):  # rollback retries and reports it
            self._revert_all()

    def _step_runner(
        self, deadline_at: float | None = None, injections: Callable[[], list[Injection]] = list
    ) -> StepRunner:
        """The scenario's steps run with its journal, view, probes, target and facts."""
        return StepRunner(
            self.journal,
            self.view,
            self.options,
            self.sampler,
            self.target,
            deadline_at,
            injections=injections,
            scenario=self.s.name,
            facts=self.facts,
        )

    def _run_recovery_steps(self) -> None:
        self.phase("recover")
        steps = self._step_runner(self.deadline_at, injections=self._injections)
        if not steps.run_all(self.s.recovery.steps, "recovery"):
            name, detail = steps.failed or ("?", "")
            # A failed verification (stale backup, missing sentinel) still reports what
            # the restore lost, if the store answers at all.
            with contextlib.suppress(GamedayError):
                self._audit_data()
            raise ScenarioEnded("recovery-failed", f"recovery step '{name}' failed: {detail}")

    def _setup(self) -> None:
        """`setup:` steps (take a backup, seed sentinels), after the steady state held and
        before anything is injected; the first failure ends the scenario un-injected."""
        if not self.s.setup:
            return
        self.phase("setup")
        steps = self._step_runner(self.deadline_at)
        if not steps.run_all(self.s.setup, "setup"):
            name, detail = steps.failed or ("?", "")
            raise ScenarioEnded("not-run", f"setup step '{name}' failed: {detail}")

    def _audit_data(self) -> None:
        """Data writers read back what survived (journaled as `data-audit`)."""
        for probe in self.s.steady_state.probes:
            audit = getattr(self.sampler.loops[probe.name].session, "audit", None)
            if audit is not None:
                self.write(
                    j.DataAudit(scenario=self.s.name, probe=probe.name, audit=asdict(audit()))
                )

    def _verify(self) -> None:
        self.phase("verify", duration=self.s.steady_state.window)
        self.window_wall.append(time.time())
        start = self.clock()
        time.sleep(self.s.steady_state.window)
        self.window_wall.append(time.time())  # the verify window's end (after the breach)
        self._audit_data()
        failures = self._hold_failures(start)
        self.write(j.Verify(scenario=self.s.name, ok=not failures, failures=tuple(failures)))
        if failures:
            raise ScenarioEnded("not-restored", "steady state not restored: " + "; ".join(failures))

    def _verify_after_abort(self) -> str:
        """An aborted scenario still checks that the service came back after the revert
        (journaled `verify`, and its samples score the recovery)."""
        try:
            self.phase("verify", duration=self.s.steady_state.window)
        except ScenarioEnded as ended:
            return f"; recovery not checked: {ended.reason}"
        start = self.clock()
        time.sleep(self.s.steady_state.window)
        failures = self._hold_failures(start)
        self.write(j.Verify(scenario=self.s.name, ok=not failures, failures=tuple(failures)))
        if failures:
            return "; not recovered after the revert: " + "; ".join(failures)
        return "; recovered after the revert"

    def _rollback(self) -> None:
        """Reverts what is still injected, runs the rollback steps, releases everything.
        A failed revert is already journaled (`revert-failed`, exit code 5); it must not
        stop the rollback steps or leave the probes and the target lock behind."""
        self.phase("rollback")
        try:
            with contextlib.suppress(GamedayError):
                self._revert_all()
            if self.s.rollback and not self.options.dry_run:
                self._step_runner().run_all(self.s.rollback, "rollback")
        finally:
            self.sampler.stop()
            if self.target is not None:
                stats = getattr(self.target, "stats", None)
                if stats is not None:  # e.g. API requests made: how hard gameday hit the target
                    self.write(j.TargetStats(scenario=self.s.name, stats=stats()))
                self.target.close()
            if self.lock is not None:
                self.lock.__exit__(None, None, None)
