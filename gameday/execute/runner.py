"""Runs one scenario through its fixed phases, journaling each as it happens:

preflight -> steady-state -> inject -> observe -> recover -> verify -> rollback

Faults are reverted when observe ends, except those whose revert is a safety net
behind the runbook (`reverts_after_recovery`, e.g. namespace-delete): those are
reverted in rollback, after the recovery steps had their chance. Rollback always runs
(errors, aborts, Ctrl-C). Every injection is journaled and fsync'd *before* it is
applied, and every revert when it completes. A revert that cannot complete (its
target unreachable or hung) is retried until the revert deadline, then left pending for
`gameday recover` and the scenario ends as an error.

`ScenarioRun` is the phases; what it observes (probes, stop conditions, monitoring) is
in observing.py and how it recovers (setup, recovery, verify, rollback) in
recovering.py, over the state declared in scenario_state.py.
"""

from __future__ import annotations

import contextlib
import dataclasses
import platform
import threading
import time
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from gameday.blastradius import check_selection
from gameday.errors import (
    DependencyError,
    GamedayError,
    RefusedError,
)
from gameday.execute import dryrun
from gameday.execute.journal import Clock, JournalWriter
from gameday.execute.lock import TargetLock, holder, target_key
from gameday.execute.options import RunOptions as RunOptions  # re-exported: the entry points' name
from gameday.execute.options import ScenarioEnded as ScenarioEnded
from gameday.execute.options import with_hint
from gameday.execute.recovering import Recovering
from gameday.execute.reverts import Reverter
from gameday.execute.safety import exit_on_next_interrupt, shielded_from_interrupts
from gameday.execute.sampling import ProbeLoop, Sampler
from gameday.execute.view import RedactingView, View
from gameday.execute.waiting import retry_transient, unanswered
from gameday.guardrails import check_before_connect, kube_rule
from gameday.model import journal as j
from gameday.model.outcomes import Outcome
from gameday.model.scenario import (
    Probe,
    Scenario,
    to_jsonable,
)
from gameday.plugins.protocols import Injection, Landing
from gameday.plugins.registry import registry
from gameday.redact import find_secrets

if TYPE_CHECKING:
    from gameday.prometheus import PrometheusClient


class ScenarioRun(Recovering):
    def __init__(
        self,
        scenario: Scenario,
        journal: JournalWriter,
        view: View,
        options: RunOptions,
        drill_deadline_at: float | None = None,
        index: int = 0,
        unreachable: dict[str, str] | None = None,
    ):
        self.index = index
        self.unreachable = {} if unreachable is None else unreachable
        """Targets (by lock key) found unreachable earlier in this run, with why: the
        drill's later scenarios against them are not run."""
        if options.in_cluster and scenario.target.kind == "kubernetes":
            scenario = _in_cluster(scenario)
        self.spec = to_jsonable(scenario)
        journal.redactor.add(find_secrets(self.spec))
        self.s, self.journal, self.options = scenario, journal, options
        self.view: View = RedactingView(view, journal.redactor.scrub)
        self.clock: Clock = journal.clock
        own_deadline = self.clock() + scenario.deadline
        self.drill_deadline_at = drill_deadline_at
        self.deadline_at = min(own_deadline, drill_deadline_at or own_deadline)
        self.sampler = Sampler.for_scenario(scenario)
        self.target: Any = None
        self.fault: Any = registry("fault").get(scenario.fault.type)()
        self.reverter = Reverter(
            scenario.name,
            self.fault,
            options.revert_deadline,
            self.clock,
            self.write,
            self.view.log,
            journal.path.parent,
        )
        self.outstanding = self.reverter.outstanding
        self.abort = threading.Event()
        self.abort_reason = ""
        self.inject_t: float | None = None
        self.window_wall: list[float] = []
        """Unix times the fault window opened (injection) and closed (verify), for PromQL."""
        self.lock: TargetLock | None = None
        self.facts: dict[str, Any] = {}
        """Shared by this scenario's setup, recovery and rollback steps."""
        self.prometheus: PrometheusClient | None = None
        if scenario.prometheus is not None:  # requests and its client load only when used
            from gameday.prometheus import PrometheusClient

            self.prometheus = PrometheusClient(scenario.prometheus)
        journal.on_failure = self._journal_failed

    # -- lifecycle -------------------------------------------------------------------

    def execute(self) -> str:
        s = self.s
        self.view.scenario(s.name)
        self.write(j.ScenarioStart(scenario=s.name, index=self.index, spec=self.spec))
        outcome, reason = "completed", ""
        try:
            planned = self._preflight()
            if self.options.dry_run:
                self._dry_run(planned)
            self._approve(planned)
            self._steady_state()
            self._setup()
            self._inject(planned)
            self._observe()
            if not self._fault_stays_for_recovery() or self.abort.is_set():
                self._revert_all()
            if self.abort.is_set():
                self._end_if_journal_failed()
                raise ScenarioEnded("aborted", self.abort_reason + self._verify_after_abort())
            self._recover()
            self._verify()
        except ScenarioEnded as ended:
            outcome, reason = ended.outcome, ended.reason
        except KeyboardInterrupt:
            outcome, reason = "interrupted", "interrupted by the operator (SIGINT/SIGTERM)"
            exit_on_next_interrupt(self.view.log)
            raise
        except RefusedError as exc:
            outcome, reason = "refused", _with_hint(exc)
        except GamedayError as exc:
            outcome, reason = "error", _with_hint(exc)
            if isinstance(exc, DependencyError):  # from the target: connect, inject, revert
                self._mark_unreachable(reason)
        except Exception as exc:  # a bug: journal it as an error (never `completed`), then raise
            outcome, reason = "error", f"internal error: {type(exc).__name__}: {exc}"
            raise
        finally:
            with shielded_from_interrupts(self.view.log):
                self._rollback()
                pending = self.reverter.pending
                if pending and outcome != "interrupted":
                    self._mark_unreachable(pending)
                    outcome, reason = "error", _joined(reason, pending)
                if outcome != "interrupted":
                    self._measure_slis()
                self.write(j.ScenarioEnd(scenario=s.name, outcome=Outcome(outcome), reason=reason))
                self.view.log(escape(f"{s.name}: {outcome}{': ' + reason if reason else ''}"))
        return outcome

    def _preflight(self) -> Injection:
        self.phase("preflight")
        s = self.s
        if not hasattr(self.fault, "inject"):
            raise ScenarioEnded(
                "not-run",
                f"fault `{s.fault.type}` validates and plans, but this release cannot run it yet",
            )
        if not hasattr(self.fault, "confirm"):  # a plugin written before FaultPlugin.confirm
            raise ScenarioEnded(
                "not-run",
                f"fault plugin `{s.fault.type}` has no `confirm` method, so its landing could "
                "never be shown: add `confirm(injection, params, target) -> Landing` "
                "(docs/plugins.md); nothing was injected",
            )
        target_plugin = registry("target").get(s.target.kind)()
        earlier = self.unreachable.get(self._target_key())
        if earlier is not None:
            raise ScenarioEnded("not-run", f"target unreachable earlier in this run: {earlier}")
        server = self._check_guardrails(target_plugin)
        self.target = retry_transient(lambda: target_plugin.connect(s.target.params))
        if not self.options.dry_run:  # a dry run must not hold off a real one
            self.lock = TargetLock(self._target_key(), holder(self.journal.path.parent)).__enter__()
        self._check_monitoring()
        planned: Injection = retry_transient(lambda: self.fault.select(s.fault.params, self.target))
        self.write(
            j.Plan(scenario=s.name, target=str(self.target.describe()), injection=_data(planned))
        )
        self.view.log(
            escape(
                f"{s.name}: {s.fault.type} would touch {len(planned.targets)}: "
                f"{', '.join(planned.targets) or '-'}"
            )
        )
        if not planned.targets and not s.fault.allow_empty:
            raise ScenarioEnded(
                "not-run",
                f"fault {s.fault.type} selected nothing ({_selector(planned, s)}); "
                "fix the selector, or set `fault.allow_empty: true`",
            )
        self._check_selection(planned, server)
        return planned

    def _check_guardrails(self, target_plugin: Any) -> str | None:
        """Before anything connects: what the fault declares it touches (`reach`) against
        the allow-lists. Returns the API server a Kubernetes target really points at."""
        identity = getattr(target_plugin, "identity", None)  # is this the cluster we think?
        server = None if identity is None else identity(self.s.target.params).get("server")
        check_before_connect(
            self.s,
            self.options.guardrails,
            server=server,
            confirm=self.options.confirm,
            host=platform.node(),
        )
        return server

    def _check_selection(self, planned: Injection, server: str | None) -> None:
        """After the read-only selection: processes, blast radius, production caps."""
        cmdlines = getattr(self.target, "cmdlines", None)
        check_selection(
            self.s,
            self.options.guardrails,
            planned,
            {} if cmdlines is None else cmdlines(planned.targets),
            kube_rule(self.s, self.options.guardrails, server),
        )

    def _approve(self, planned: Injection) -> None:
        """The facilitator's go, after they have seen what will be touched. Journaled with
        who and when; `--auto-approve` and runs without a terminal record that instead."""
        if self.options.dry_run:
            return
        if self.options.auto_approve:
            by, go = f"{self.options.operator} (--auto-approve)", True
        elif self.options.interactive:
            touched = ", ".join(planned.targets[:10]) + (
                " ..." if len(planned.targets) > 10 else ""
            )
            asked = self.clock()
            answer = self.view.ask(
                f"{self.s.name}: {self.s.fault.type} for {self.s.fault.duration:g}s will touch "
                f"{len(planned.targets)}: {touched}",
                question="go?",
                timeout=self.options.approval_timeout,
            )
            # the wait for a human is bounded by --approval-timeout, not by the scenario's
            # deadline, which keeps its whole length for the work (the drill's still runs)
            later = self.deadline_at + self.clock() - asked
            self.deadline_at = min(later, self.drill_deadline_at or later)
            go, by = bool(answer), self.options.operator
            if answer is None:
                by = f"nobody: {unanswered(self.clock() - asked, self.options.approval_timeout)}"
        else:
            by, go = f"{self.options.operator} (unattended: no terminal)", True
        self.write(j.Approval(scenario=self.s.name, by=by, go=go))
        if not go:
            raise ScenarioEnded("not-run", f"no go from the facilitator ({by})")

    def _dry_run(self, planned: Injection) -> None:
        """Instead of approval .. rollback steps: list what would run, sample only the
        read-only probes; always ends the scenario (`dry-run`, or `not-run` if the
        steady state does not hold)."""
        sampled = dryrun.read_only_probes(self.s)
        dryrun.list_plan(self.s, planned, sampled, self.view)
        self._steady_state(sampled)
        raise ScenarioEnded("dry-run", dryrun.summary(self.s, planned, sampled))

    def _steady_state(self, probes: tuple[Probe, ...] | None = None) -> None:
        s = self.s
        probes = s.steady_state.probes if probes is None else probes
        for probe in probes:
            session = (
                registry("probe").get(probe.type)().open(probe.params, self.target, probe.every)
            )
            self.sampler.add(ProbeLoop(probe, session, self.clock, self._on_sample))
        self._watch_prometheus()
        start = self.clock()
        self.phase("steady-state", duration=s.steady_state.window)
        if probes or self.sampler.loops:
            time.sleep(s.steady_state.window)
        failures = self._hold_failures(start, probes)
        if failures:
            raise ScenarioEnded("not-run", "steady state not met: " + "; ".join(failures))

    def _inject(self, planned: Injection) -> None:
        self.phase("inject")
        self.journal.check_space()  # the undo record must be able to reach the disk
        key = f"{self.s.name}/{self.s.fault.type}"
        self.write(j.InjectionPlanned(scenario=self.s.name, key=key, injection=_data(planned)))
        self.window_wall = [time.time()]
        self.outstanding.append((key, planned))
        applied = self.fault.inject(planned, self.s.fault.params, self.target)
        self.outstanding[-1] = (key, applied)
        self.inject_t = self.clock()
        self.write(j.InjectionApplied(scenario=self.s.name, key=key, injection=_data(applied)))
        self.view.log(
            f"{self.s.name}: injected {self.s.fault.type} into {', '.join(applied.targets)}"
        )
        self._confirm_landing(key, applied)

    def _confirm_landing(self, key: str, applied: Injection) -> None:
        """Evidence that the fault took effect, from the target itself (`fault-landing`);
        a scenario whose fault is not confirmed is scored `inconclusive`."""
        try:
            landing = self.fault.confirm(applied, self.s.fault.params, self.target)
        except GamedayError as exc:
            landing = Landing(None, f"could not be checked: {exc.message}")
        self.write(
            j.FaultLanding(
                scenario=self.s.name,
                key=key,
                confirmed=landing.confirmed,
                checked=landing.checked,
                evidence=landing.evidence,
            )
        )
        seen = {True: "confirmed", False: "NOT confirmed", None: "not confirmed"}[landing.confirmed]
        self.view.log(escape(f"{self.s.name}: fault {seen}: {landing.checked}"))

    def _observe(self) -> None:
        duration = self.s.fault.duration
        self.phase("observe", duration=duration)
        # the fault's duration runs from the injection: checking that it landed is part of it
        held = max(0.0, duration - (self.clock() - (self.inject_t or self.clock())))
        remaining = max(0.0, self.deadline_at - self.clock())
        if not self.abort.wait(timeout=min(held, remaining)) and remaining < held:
            self.abort_reason = "deadline reached while the fault was active"
            self.abort.set()
        if self.abort.is_set():
            self.write(j.Abort(scenario=self.s.name, reason=self.abort_reason))
            self.view.log(f"[red]abort:[/] {escape(self.abort_reason)}")

    # -- helpers ---------------------------------------------------------------------

    def _journal_failed(self, reason: str) -> None:
        """A journal write failed (full disk): stop observing and revert at once."""
        self.abort_reason = reason
        self.abort.set()

    def _end_if_journal_failed(self) -> None:
        if self.journal.failed:
            raise ScenarioEnded("error", f"{self.journal.failed}; the fault was reverted at once")

    def _target_key(self) -> str:
        """The target lock's key: a cluster by its API server, the host for local."""
        identity = getattr(registry("target").get(self.s.target.kind)(), "identity", None)
        server = None
        if identity is not None:
            with contextlib.suppress(GamedayError):  # no kubeconfig: refused elsewhere
                server = identity(self.s.target.params).get("server")
        return target_key(self.s.target.kind, self.s.target.params.model_dump(mode="json"), server)

    def _mark_unreachable(self, reason: str) -> None:
        """Later scenarios of this run against the same target are not run."""
        self.unreachable.setdefault(self._target_key(), reason)


def _in_cluster(scenario: Scenario) -> Scenario:
    """The scenario with its Kubernetes target switched to in-cluster credentials
    (`gameday run --in-cluster`, as the scheduled CronJob runs it)."""
    params = scenario.target.params.model_copy(
        update={"in_cluster": True, "context": None, "kubeconfig": None}
    )
    return dataclasses.replace(scenario, target=dataclasses.replace(scenario.target, params=params))


def _selector(planned: Injection, s: Scenario) -> str:
    describe = getattr(s.fault.params, "describe", None)
    return describe() if callable(describe) else str(planned.evidence or s.fault.params)


def _data(injection: Injection) -> j.InjectionData:
    return j.InjectionData(
        injection.fault, tuple(injection.targets), injection.undo, injection.evidence
    )


def _joined(reason: str, more: str) -> str:
    return more if not reason or more in reason else f"{reason}; {more}"


def _with_hint(exc: GamedayError) -> str:
    return with_hint(exc.message, exc.hint)
