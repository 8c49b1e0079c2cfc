"""The scored result of a run, built from a journal alone by `gameday.score`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gameday.plugins.protocols import Sample


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
    """`on time`, `late`, `missed` (a monitoring gap) or `already firing` (before the fault)."""
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
    samples: tuple[Sample, ...] = field(repr=False, default=())


@dataclass(frozen=True)
class ScenarioScore:
    name: str
    owner: str | None
    service: str | None
    fault: str
    outcome: str
    verdict: str
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
    verdict: str
    scenarios: tuple[ScenarioScore, ...]
    meta: dict[str, Any]
    notes: tuple[Note, ...] = ()
