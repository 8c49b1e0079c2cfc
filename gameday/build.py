"""Spec -> domain model: the frozen dataclasses of `gameday.model` built from a parsed
`ScenarioSpec` and its plugins' parsed params (called by `gameday.validate` once the
scenario has no problems)."""

from __future__ import annotations

from typing import Any

from gameday.load import YamlPath
from gameday.model import scenario as m
from gameday.spec.scenario import ScenarioSpec, StepSpec


def build_scenario(
    spec: ScenarioSpec, parsed: dict[YamlPath, Any], source: str, params: dict[str, Any]
) -> m.Scenario:
    meta, fault, rec = spec.metadata, spec.fault, spec.recovery
    probes = tuple(
        m.Probe(p.name, p.type, p.every, parsed[("steady_state", "probes", i)])
        for i, p in enumerate(spec.steady_state.probes)
    )
    return m.Scenario(
        name=meta.name,
        source=source,
        owner=meta.owner,
        service=meta.service,
        description=meta.description,
        tags=tuple(meta.tags),
        runbook=meta.runbook,
        hypothesis=meta.hypothesis,
        target=m.Target(spec.target.kind, parsed[("target",)]),
        steady_state=m.SteadyState(
            spec.steady_state.window, spec.steady_state.success_ratio, probes
        ),
        slos=tuple(_slo(s) for s in spec.slo),
        fault=m.Fault(
            fault.type,
            parsed[("fault",)],
            fault.duration,
            fault.blast_radius.max_targets,
            fault.blast_radius.max_percent,
            fault.allow_empty,
        ),
        abort_when=tuple(
            m.AbortCondition(a.for_, a.error_ratio, a.probe, a.promql) for a in spec.abort_when
        ),
        recovery=m.Recovery(
            rec.rto,
            rec.rpo,
            rec.stabilization,
            _steps(rec.steps, parsed, ("recovery", "steps")),
            rec.by,
            rec.hard_max,
        ),
        setup=_steps(spec.setup, parsed, ("setup",)),
        rollback=_steps(spec.rollback, parsed, ("rollback",)),
        prometheus=None
        if spec.prometheus is None
        else m.Prometheus(**spec.prometheus.model_dump()),
        detection=None
        if spec.detection is None
        else m.Detection(
            spec.detection.source,
            spec.detection.url,
            tuple(
                m.ExpectedAlert(a.name, a.within, dict(a.labels))
                for a in spec.detection.expect_alerts
            ),
        ),
        expect=None
        if spec.expect is None
        else m.Expect(
            m.ExpectedBreach(
                spec.expect.breach.max_burn,
                spec.expect.breach.detect_within,
                spec.expect.breach.recover_within,
            )
        ),
        weights=spec.scoring.weights.model_dump(),
        deadline=spec.deadline,
        params=params,
    )


def _slo(s: Any) -> m.Slo:
    sli = _sli(s)
    if s.availability is not None:
        return m.Slo(s.name, "availability", s.probe, s.promql, objective=s.availability, sli=sli)
    if s.latency is not None:
        return m.Slo(
            s.name,
            "latency",
            s.probe,
            s.promql,
            percentile=s.latency.percentile,
            below=s.latency.below,
            sli=sli,
        )
    if s.burn_rate is not None:
        return m.Slo(
            s.name,
            "burn-rate",
            objective=s.burn_rate.objective,
            sli=sli,
            burn_windows=tuple((w.long, w.short, w.factor) for w in s.burn_rate.windows),
        )
    return m.Slo(
        s.name,
        "threshold",
        s.probe,
        s.promql,
        below=s.threshold.below,
        above=s.threshold.above,
        sli=sli,
    )


def _sli(s: Any) -> dict[str, str] | None:
    """The PromQL pieces of a Prometheus SLI; None for a probe SLI."""
    if s.promql is not None:
        return {"type": "promql", "expr": s.promql}
    shape = s.sli
    if shape is None:
        return None
    if shape.type == "promql":
        return {"type": "promql", "expr": shape.expr}
    if shape.type == "counter-ratio":
        picked = {"errors": shape.errors} if shape.errors else {"good": shape.good}
        return {"type": "ratio", "total": shape.total, **picked}
    sep = ", " if shape.matchers else ""
    if shape.type == "request-ratio":
        return {
            "type": "ratio",
            "errors": f'{shape.metric}{{{shape.matchers}{sep}{shape.code_label}=~"{shape.error_codes}"}}',
            "total": f"{shape.metric}{{{shape.matchers}}}",
        }
    return {"type": "histogram", "buckets": f"{shape.metric}_bucket{{{shape.matchers}}}"}


def _steps(
    steps: list[StepSpec], parsed: dict[YamlPath, Any], section: YamlPath
) -> tuple[m.Step, ...]:
    return tuple(
        m.Step(s.name or f"{s.type} #{i + 1}", s.type, parsed[(*section, i)], s.timeout, s.phase)
        for i, s in enumerate(steps)
    )
