"""Scenario and Drill as the runner sees them: validated, templated, immutable.

Plugin params are already parsed into each plugin's `Params` model. Durations are
seconds, ratios fractions in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

SloKind = Literal["availability", "latency", "threshold", "burn-rate"]


@dataclass(frozen=True)
class Target:
    kind: str
    params: BaseModel


@dataclass(frozen=True)
class Probe:
    name: str
    type: str
    every: float
    params: BaseModel


@dataclass(frozen=True)
class SteadyState:
    window: float
    success_ratio: float
    probes: tuple[Probe, ...]


@dataclass(frozen=True)
class Slo:
    name: str
    kind: SloKind
    probe: str | None = None
    promql: str | None = None
    objective: float | None = None
    """availability: minimum good ratio."""
    percentile: float | None = None
    below: float | None = None
    """latency: seconds; threshold: value."""
    above: float | None = None
    sli: dict[str, str] | None = None
    """A Prometheus SLI as PromQL pieces: {"type": "ratio", "errors"|"good", "total"},
    {"type": "histogram", "buckets"} or {"type": "promql", "expr"}."""
    burn_windows: tuple[tuple[float, float, float], ...] = ()
    """burn-rate: (long, short, factor) pairs, seconds."""


@dataclass(frozen=True)
class Prometheus:
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    bearer_token: str | None = None
    ca_file: str | None = None
    insecure_skip_verify: bool = False


@dataclass(frozen=True)
class Fault:
    type: str
    params: BaseModel
    duration: float
    max_targets: int | None = None
    max_percent: float | None = None
    allow_empty: bool = False


@dataclass(frozen=True)
class AbortCondition:
    window: float
    error_ratio: float = 1.0
    probe: str | None = None
    promql: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    type: str
    params: BaseModel
    timeout: float
    phase: str | None = None
    """Which part of the recovery time it is (decide, restore, replay, serving), for
    the RTO breakdown; None: counted as restore."""


@dataclass(frozen=True)
class Recovery:
    rto: float | None = None
    rpo: float | None = None
    stabilization: float = 2.0
    steps: tuple[Step, ...] = ()
    by: Literal["tool", "people"] = "tool"
    """`people`: the fault stays in place during the recovery steps (humans recover)."""
    hard_max: float | None = None
    """by people: seconds after injection when the tool reverts whatever happens."""


@dataclass(frozen=True)
class ExpectedAlert:
    name: str
    within: float
    labels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Detection:
    source: str
    url: str | None
    expect_alerts: tuple[ExpectedAlert, ...]


@dataclass(frozen=True)
class ExpectedBreach:
    """`expect.breach`: seconds, and a multiple of the error budget."""

    max_burn: float | None = None
    detect_within: float | None = None
    recover_within: float | None = None


@dataclass(frozen=True)
class Expect:
    breach: ExpectedBreach


@dataclass(frozen=True)
class Scenario:
    name: str
    source: str
    target: Target
    steady_state: SteadyState
    fault: Fault
    owner: str | None = None
    service: str | None = None
    description: str = ""
    tags: tuple[str, ...] = ()
    runbook: str | None = None
    hypothesis: str | None = None
    slos: tuple[Slo, ...] = ()
    abort_when: tuple[AbortCondition, ...] = ()
    recovery: Recovery = Recovery()
    setup: tuple[Step, ...] = ()
    """Steps after the steady-state check and before injection (take a backup, seed
    sentinel records); a failing one ends the scenario before anything is injected."""
    rollback: tuple[Step, ...] = ()
    detection: Detection | None = None
    expect: Expect | None = None
    prometheus: Prometheus | None = None
    weights: dict[str, float] = field(default_factory=dict)
    deadline: float = 600.0
    params: dict[str, Any] = field(default_factory=dict)

    def probe(self, name: str) -> Probe:
        return next(p for p in self.steady_state.probes if p.name == name)


@dataclass(frozen=True)
class DrillEntry:
    scenario: Scenario
    weight: float = 1.0


@dataclass(frozen=True)
class Drill:
    name: str
    source: str
    entries: tuple[DrillEntry, ...]
    description: str = ""
    owner: str | None = None
    facilitator: str | None = None
    participants: tuple[str, ...] = ()
    observers: tuple[str, ...] = ()
    deadline: float | None = None
    schedule: str | None = None


def to_jsonable(value: Any) -> Any:
    """A JSON-safe copy of a model object (dataclasses, pydantic params, tuples)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if hasattr(value, "__dataclass_fields__"):
        return {name: to_jsonable(getattr(value, name)) for name in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value
