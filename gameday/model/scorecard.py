"""The scored result of a run, built from a journal alone by `gameday.score`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gameday.model.outcomes import Outcome, Verdict
from gameday.model.restore import RestoreStory
from gameday.plugins.protocols import Landing, Sample


@dataclass(frozen=True)
class SloResult:
    name: str
    kind: str
    objective: str
    measured: float | None
    met: bool | None
    """None: could not be evaluated (the reason is in `detail`)."""
    budget_consumed: float | None = None
    """availability only: fraction of the window's error budget burned (1.0 = all)."""
    detail: str = ""
    score: float | None = None


@dataclass(frozen=True)
class AlertResult:
    """An alert the scenario expected monitoring to fire."""

    name: str
    within: float
    status: str
    """`on time`, `late`, `missed` (a monitoring gap), `already firing` (before the fault)
    or `unknown` (it never fired, but the alert source was not reachable throughout)."""
    fired_at: float | None = None
    """Seconds since run start, when gameday first saw it firing."""
    resolved_at: float | None = None
    time_to_detect: float | None = None
    score: float = 0.0


@dataclass(frozen=True)
class Note:
    t: float
    """Seconds since run start."""
    author: str
    text: str
    scenario: str | None = None


@dataclass(frozen=True)
class StepResult:
    section: str
    name: str
    ok: bool
    duration: float
    detail: str


@dataclass(frozen=True)
class ProbeReport:
    name: str
    type: str
    phases: dict[str, dict[str, Any]]
    time_to_detect: float | None
    outage_total: float
    outage_longest: float
    time_to_recover: float | None
    """None when it never recovered, or when it never failed (`impact` is False)."""
    samples: tuple[Sample, ...] = field(repr=False, default=())
    """The probe's series for its chart, in journal order: every sample of a short run
    (up to `scoring.samples.SERIES_LIMIT`); past that, a bounded selection that keeps
    each failure's edges and the extremes (the measurements above use every sample)."""
    impact: bool = False
    """The probe failed at least once after the injection."""


@dataclass(frozen=True)
class Phase:
    """One part of the time to recover; the phases of a scenario sum to the whole."""

    label: str
    start: float
    """Seconds since run start."""
    duration: float


@dataclass(frozen=True)
class Term:
    """One line of the score arithmetic: a component (or a drill entry), its weight, its
    value and how the value was computed, so a reader can redo it by hand."""

    name: str
    value: float
    weight: float
    how: str = ""


@dataclass(frozen=True)
class Formula:
    """score = sum(value x weight) / sum(weight), then the caps, in order."""

    terms: tuple[Term, ...]
    mean: float | None
    caps: tuple[tuple[str, float], ...] = ()
    """(why, the cap it imposes) for each cap that applied."""
    result: float | None = None

    def text(self) -> str:
        """The arithmetic on one line, e.g. `(0 x 40 + 22.5 x 30) / 70 = 9.6`."""
        if not self.terms:
            return "nothing scored"
        total = sum(t.weight for t in self.terms)
        parts = " + ".join(f"{t.value:g} x {t.weight:g}" for t in self.terms)
        line = f"({parts}) / {total:g} = {self.mean if self.mean is not None else '-'}"
        for why, cap in self.caps:
            line += f"; capped at {cap:g} ({why})"
        return line


@dataclass(frozen=True)
class Mark:
    """A moment on a scenario's timeline, from the journal (for the report's charts)."""

    t: float
    """Seconds since run start."""
    kind: str
    """`inject`, `revert`, `recovered`, `abort`, `approval`, `manual`, `step`, `note`,
    `alert-fired` or `alert-resolved`."""
    label: str
    end: float | None = None
    """Steps: when the step ended (None: it did not end within the run)."""


@dataclass(frozen=True)
class Bound:
    """A bound on an expected breach (scenario `expect.breach`), and whether it held."""

    name: str
    limit: str
    measured: str
    held: bool | None


@dataclass(frozen=True)
class ScenarioScore:
    name: str
    owner: str | None
    service: str | None
    fault: str
    outcome: Outcome
    verdict: Verdict
    reasons: tuple[str, ...]
    score: float | None
    grade: str
    weight: float
    components: dict[str, float]
    slos: tuple[SloResult, ...]
    probes: tuple[ProbeReport, ...]
    steps: tuple[StepResult, ...]
    touched: tuple[str, ...]
    evidence: dict[str, Any]
    markers: dict[str, float]
    """Seconds since run start: inject, revert, abort, recovered, verify, end."""
    time_to_recover: float | None
    rto: float | None
    rpo: float | None
    data_lost: float | None
    data_missing: int | None
    abort_reaction: float | None
    hypothesis: str | None
    description: str
    rollback_ok: bool = True
    alerts: tuple[AlertResult, ...] = ()
    approval: str | None = None
    """Who gave the go, and when (or that it was unattended / auto-approved)."""
    notes: tuple[Note, ...] = ()
    landing: Landing | None = None
    """What was checked to confirm the fault took effect (None: nothing was injected)."""
    recovery: str = "not injected"
    """`recovered`, `no impact observed`, `not recovered` or `not injected`."""
    phases: tuple[Phase, ...] = ()
    """The time to recover broken down; the durations sum to `time_to_recover`."""
    fault_declared: float | None = None
    fault_held: float | None = None
    """Seconds from injection to revert (None: never reverted within the run)."""
    formula: Formula | None = None
    bounds: tuple[Bound, ...] = ()
    abort_condition: str | None = None
    """The stop condition that tripped, for an aborted scenario."""
    restore: RestoreStory | None = None
    """Disaster-recovery scenarios: restore point, lost range, backup age, RTO phases."""
    marks: tuple[Mark, ...] = ()
    """What happened when, in time order: fault, approvals, steps, notes, alerts."""


@dataclass(frozen=True)
class Scorecard:
    schema: str
    run_id: str
    name: str
    kind: str
    started_wall: float
    duration: float
    score: float | None
    grade: str
    verdict: Verdict
    scenarios: tuple[ScenarioScore, ...]
    meta: dict[str, Any]
    notes: tuple[Note, ...] = ()
    formula: Formula | None = None
    """The drill score: one term per scored scenario, weighted by its drill entry."""
