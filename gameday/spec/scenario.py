"""The `Scenario` kind of apiVersion gameday/v1: one fault, its SLOs and its recovery.

Units: every duration is written `500ms`/`30s`/`2m` and parsed to seconds; every
ratio is written `99.5%` or `0.995` and parsed to a fraction in [0, 1].
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from gameday.spec.base import JsonSchema, StrictModel, at_least_one, exactly_one, given, when
from gameday.spec.expect import ExpectSpec
from gameday.spec.formats import HttpUrl
from gameday.spec.sli import BurnRate, PrometheusSpec, SliShape, promql_problem
from gameday.spec.units import Duration, Ratio

NAME_PATTERN = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


class Metadata(StrictModel):
    """Who owns the scenario and what it is about."""

    name: str = Field(pattern=NAME_PATTERN, description="Lower-case name, e.g. `web-replica-kill`.")
    owner: str | None = Field(None, description="The squad or team that owns the service.")
    service: str | None = Field(None, description="The service under test.")
    description: str = ""
    tags: list[str] = []
    runbook: str | None = Field(None, description="Link to the recovery runbook.")
    hypothesis: str | None = Field(None, description="What the team expects to happen.")


class TargetSpec(StrictModel):
    """Where the fault lands: `kind` names a target plugin; other keys are its settings."""

    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str = Field(description="`local` (host processes) or `kubernetes`.")


class ProbeSpec(StrictModel):
    """A measurement taken continuously from steady state until verification."""

    name: str = Field(pattern=NAME_PATTERN)
    type: str = Field(description="Probe plugin: http, tcp, command, process, data-writer, ...")
    every: Duration = Field(
        0.1, description="Sampling interval in seconds (default 100ms = 10 Hz)."
    )
    params: dict[str, Any] = {}


class SteadyStateSpec(StrictModel):
    """What must hold before the fault is injected and again after recovery."""

    window: Duration = Field(2.0, description="Baseline window in seconds.")
    success_ratio: Ratio = Field(1.0, description="Fraction of samples that must succeed.")
    probes: list[ProbeSpec] = Field(min_length=1)


class LatencyBound(StrictModel):
    """`percentile` (0-100] of probe latency must stay below `below` seconds."""

    percentile: float = Field(gt=0, le=100)
    below: Duration


class Threshold(StrictModel):
    """Bounds on a probe's numeric value or a PromQL result (either or both)."""

    schema_rules = (at_least_one("below", "above"),)

    below: float | None = None
    above: float | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> Threshold:
        if self.below is None and self.above is None:
            raise ValueError("give `below`, `above` or both")
        return self


OBJECTIVES = ("availability", "latency", "threshold", "burn_rate")
OBJECTIVES_OF_SLI = {
    "probe": ("availability", "latency", "threshold"),
    "promql": ("threshold",),
    "request-ratio": ("availability", "burn_rate"),
    "counter-ratio": ("availability", "burn_rate"),
    "histogram-latency": ("latency",),
}
"""Which objectives each kind of SLI can be judged by."""


def _objective_rules() -> tuple[JsonSchema, ...]:
    rules: list[JsonSchema] = []
    for shape, allowed in OBJECTIVES_OF_SLI.items():
        if shape in ("probe", "promql"):
            condition = given(shape)
        else:
            condition = {
                "required": ["sli"],
                "properties": {
                    "sli": {"required": ["type"], "properties": {"type": {"const": shape}}}
                },
            }
        others = [o for o in OBJECTIVES if o not in allowed]
        rules.append({"if": condition, "then": {"not": at_least_one(*others)}})
    return tuple(rules)


class SloSpec(StrictModel):
    """One objective that must hold while the fault is active."""

    schema_rules = (
        exactly_one("probe", "promql", "sli"),
        exactly_one(*OBJECTIVES),
        *_objective_rules(),
    )

    name: str
    probe: str | None = Field(None, description="Name of a steady_state probe (the SLI source).")
    promql: str | None = Field(
        None, description="A PromQL expression (shorthand for `sli: {type: promql, expr: ...}`)."
    )
    sli: SliShape | None = Field(
        None, discriminator="type", description="A ready-made Prometheus SLI (see docs/scoring.md)."
    )
    availability: Ratio | None = Field(None, description="Minimum good/total ratio.")
    latency: LatencyBound | None = None
    threshold: Threshold | None = None
    burn_rate: BurnRate | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> SloSpec:
        sources = [self.probe, self.promql, self.sli]
        if sum(s is not None for s in sources) != 1:
            raise ValueError("give exactly one SLI source: `probe`, `promql` or `sli`")
        objectives = [self.availability, self.latency, self.threshold, self.burn_rate]
        if sum(o is not None for o in objectives) != 1:
            raise ValueError(
                "give exactly one objective: `availability`, `latency`, `threshold` or `burn_rate`"
            )
        if self.promql is not None:
            problem = promql_problem(self.promql)
            if problem:
                raise ValueError(problem)
        shape = "promql" if self.promql is not None else (self.sli.type if self.sli else "probe")
        allowed = OBJECTIVES_OF_SLI[shape]
        chosen = next(n for n, o in zip(OBJECTIVES, objectives, strict=True) if o is not None)
        if chosen not in allowed:
            raise ValueError(
                f"a `{shape}` SLI takes {' or '.join(f'`{a}`' for a in allowed)}, not `{chosen}`"
            )
        return self


class BlastRadius(StrictModel):
    """Caps on how much the fault may touch."""

    max_targets: int | None = Field(None, ge=1, description="At most this many objects.")
    max_percent: Ratio | None = Field(None, description="At most this fraction of matches.")


class FaultSpec(StrictModel):
    """The failure to inject: a fault plugin, its params and how long it lasts."""

    type: str
    params: dict[str, Any] = {}
    duration: Duration = Field(description="How long the fault stays injected, in seconds.")
    blast_radius: BlastRadius = BlastRadius()
    allow_empty: bool = Field(False, description="Selecting nothing is not an error.")


class AbortSpec(StrictModel):
    """Stop the scenario and revert at once when this holds for `for` seconds."""

    schema_rules = (exactly_one("probe", "promql"),)

    probe: str | None = None
    promql: str | None = Field(
        None,
        description="Aborts while the expression returns any series, as an alerting rule "
        'would fire (checked every second), e.g. `up{job="db"} == 0`.',
    )
    error_ratio: Ratio = Field(1.0, description="Fraction of failing probe samples in the window.")
    for_: Duration = Field(5.0, alias="for", description="Sliding window in seconds.")

    @model_validator(mode="after")
    def _one_source(self) -> AbortSpec:
        if (self.probe is None) == (self.promql is None):
            raise ValueError("give exactly one of `probe` or `promql`")
        problem = self.promql and promql_problem(self.promql)
        if problem:
            raise ValueError(problem)
        return self


class StepSpec(StrictModel):
    """One recovery or rollback step: an action plugin with params."""

    name: str | None = None
    type: str = Field(description="Action plugin: wait_for, command, http, manual, ...")
    params: dict[str, Any] = {}
    timeout: Duration = Field(60.0, description="Give up after this many seconds.")
    phase: Literal["decide", "restore", "replay", "serving"] | None = Field(
        None,
        description="Recovery steps: which part of the RTO this step is, for the report's "
        "breakdown (default: restore).",
    )


class RecoverySpec(StrictModel):
    """How the service comes back, and how fast it must."""

    rto: Duration | None = Field(None, description="Recovery time objective in seconds.")
    rpo: Duration | None = Field(None, description="Recovery point objective in seconds.")
    stabilization: Duration = Field(
        2.0, description="SLI must stay good this long to count as recovered."
    )
    steps: list[StepSpec] = []
    by: Literal["tool", "people"] = Field(
        "tool",
        description="`tool`: gameday reverts the fault when the observation ends, then the "
        "steps run. `people`: the fault stays in place while responders carry out the steps "
        "(manual steps, commands, a wait_for as the recovery condition); gameday reverts it "
        "afterwards, or at `hard_max` whatever happens.",
    )
    hard_max: Duration | None = Field(
        None,
        description="by: people: seconds after the injection when gameday reverts the fault "
        "even if the responders are not done (the recovery then fails).",
    )

    schema_rules = (when("by", "people", "tool", given("hard_max")),)

    @model_validator(mode="after")
    def _people_need_a_bound(self) -> RecoverySpec:
        if self.by == "people" and self.hard_max is None:
            raise ValueError(
                "`by: people` needs `hard_max`, the longest the fault may stay in place "
                "(e.g. `hard_max: 15m`)"
            )
        return self


class ExpectedAlert(StrictModel):
    """An alert monitoring should fire during the fault."""

    name: str
    labels: dict[str, str] = {}
    within: Duration = Field(description="Time-to-detect target in seconds.")


class DetectionSpec(StrictModel):
    """Alerts expected to fire, and where to read them."""

    source: Literal["prometheus", "alertmanager"] = "prometheus"
    url: HttpUrl | None = Field(
        None,
        description="Alertmanager's URL; for `prometheus`, default: the `prometheus` section's.",
    )
    expect_alerts: list[ExpectedAlert] = Field(min_length=1)

    schema_rules = (when("source", "alertmanager", "prometheus", given("url")),)

    @model_validator(mode="after")
    def _source(self) -> DetectionSpec:
        if self.source == "alertmanager" and not self.url:
            raise ValueError(
                "`source: alertmanager` needs `url`, e.g. `url: http://alertmanager:9093`"
            )
        return self


class Weights(StrictModel):
    """Relative weights of the score components (normalised over those that apply)."""

    slo: float = Field(40, ge=0)
    recovery: float = Field(30, ge=0)
    data: float = Field(15, ge=0)
    detection: float = Field(15, ge=0)


class ScoringSpec(StrictModel):
    weights: Weights = Weights()


class ScenarioSpec(StrictModel):
    """A complete scenario file."""

    apiVersion: Literal["gameday/v1"]
    kind: Literal["Scenario"]
    metadata: Metadata
    params: dict[str, Any] = Field({}, description="Defaults, overridable by drills and --set.")
    target: TargetSpec
    steady_state: SteadyStateSpec
    slo: list[SloSpec] = []
    fault: FaultSpec
    abort_when: list[AbortSpec] = []
    setup: list[StepSpec] = Field(
        [],
        description="Steps after the steady-state check, before injection: take a base "
        "backup, seed sentinel records. A failing step ends the scenario un-injected.",
    )
    recovery: RecoverySpec = RecoverySpec()
    rollback: list[StepSpec] = []
    prometheus: PrometheusSpec | None = None
    detection: DetectionSpec | None = None
    expect: ExpectSpec | None = Field(
        None, description="A breach the hypothesis expects, and its bounds (docs/scoring.md)."
    )
    scoring: ScoringSpec = ScoringSpec()
    deadline: Duration = Field(600.0, description="Hard limit on the whole scenario, seconds.")
