"""One scenario's segment of the journal -> its ScenarioScore (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from gameday.measure import Scan, WindowStats
from gameday.model import journal as j
from gameday.model.outcomes import Outcome, Verdict
from gameday.model.scorecard import (
    AlertResult,
    Note,
    ProbeReport,
    ScenarioScore,
    SloResult,
    StepResult,
)
from gameday.scoring import expect, findings, formula
from gameday.scoring.marks import marks
from gameday.scoring.recovery import assess, fault_held
from gameday.scoring.restore import restore_story
from gameday.scoring.samples import Gaps, Series
from gameday.scoring.segment import Segment
from gameday.slo import evaluate as evaluate_slo

GATED = (Outcome.ABORTED, Outcome.RECOVERY_FAILED, Outcome.NOT_RESTORED)
UNSCORED = (Verdict.ERROR, Verdict.NOT_RUN, Verdict.DRY_RUN, Verdict.INCONCLUSIVE)


def note(record: j.Note) -> Note:
    return Note(record.t, record.author, record.text, record.scenario)


@dataclass(frozen=True)
class Times:
    """The moments a scenario's measurements are cut at, from its events alone."""

    end_event: j.ScenarioEnd | None
    end_t: float
    inject_t: float | None
    verify_t: float
    stabilization: float
    phases: dict[str, tuple[float, float]]

    @classmethod
    def of(cls, seg: Segment) -> Times:
        end_event = seg.first(j.ScenarioEnd)
        end_t = end_event.t if end_event else max((e.t for e in seg.events), default=0.0)
        # The fault starts when applying it starts: deleting 200 pods at the client's QPS
        # limit takes seconds, and the first replacements are Ready before the last delete.
        applied, planned = seg.t(j.InjectionApplied), seg.t(j.InjectionPlanned)
        inject_t = planned if applied is not None and planned is not None else applied
        verify_t = seg.t(j.Phase, phase="verify") or seg.t(j.Phase, phase="rollback") or end_t
        stabilization = float(seg.spec.get("recovery", {}).get("stabilization", 2.0))
        return cls(end_event, end_t, inject_t, verify_t, stabilization, _phase_bounds(seg, end_t))


def plan(seg: Segment) -> None:
    """Asks for everything `score_scenario` will need of the samples, before the sample
    pass: each probe's phase windows, fault-window scan and chart series, each probe
    SLO's fault window, and the alert watcher's answers."""
    at, want = Times.of(seg), seg.samples.want
    for probe in seg.spec["steady_state"]["probes"]:
        for a, b in at.phases.values():
            want(WindowStats, probe["name"], a, b)
        want(Series, probe["name"], seg.start.t, at.end_t)
        if at.inject_t is not None:
            want(Scan, probe["name"], at.inject_t, at.end_t)
    if at.inject_t is None:
        return
    for slo in seg.spec.get("slos", ()):
        if slo.get("probe") and not slo.get("sli"):
            want(WindowStats, slo["probe"], at.inject_t, at.verify_t)
    want(Gaps, findings.DETECTION_PROBE, at.inject_t, findings.watch_end(seg, at.end_t))


def score_scenario(seg: Segment, weight: float) -> ScenarioScore:
    spec = seg.spec
    at = Times.of(seg)
    end_event, end_t, inject_t, verify_t = at.end_event, at.end_t, at.inject_t, at.verify_t
    outcome = end_event.outcome if end_event else Outcome.INCOMPLETE
    recovery_spec = spec.get("recovery", {})
    probes = tuple(probe_report(seg, p, at) for p in spec["steady_state"]["probes"])
    alerts = findings.alerts(seg, spec, inject_t, end_t)
    recovery = assess(seg, probes, inject_t, _first_alert(alerts))
    ttr = recovery.time_to_recover
    expected = expect.Expectation.of(spec)
    whole = tuple(
        evaluate_slo(s, _window(seg, s, inject_t, verify_t), inject_t, _measured(seg, s["name"]))
        for s in spec.get("slos", ())
    )
    slos = whole if expected is None else _outside_breach(seg, whole, recovery.recovered_t, end_t)
    audit = seg.first(j.DataAudit)
    lost = audit.audit.get("lost_span") if audit else None
    record = seg.first(j.InjectionApplied) or seg.first(j.Plan)
    injection = record.injection if record is not None else j.InjectionData()
    touched = tuple(injection.targets)
    landed = findings.landing(seg)
    held = fault_held(seg, inject_t)
    declared = spec.get("fault", {}).get("duration")

    found = findings.Findings(findings.outcome_failures(seg, outcome, end_event, touched))
    found.failures += findings.objective_failures(slos, recovery.status, ttr, lost, spec)
    if inject_t is not None:  # e.g. no traffic: such an SLO never passes a scenario by itself
        found.doubts += [f"SLO '{s.name}' not judged: {s.detail}" for s in slos if s.met is None]
    if inject_t is not None:
        findings.alert_findings(found, alerts, findings.source_unreachable(seg, inject_t, end_t))
    doubt = findings.landing_doubt(landed)
    if doubt and outcome == Outcome.COMPLETED:
        found.doubts.insert(0, doubt)
    bounds: tuple[Any, ...] = ()
    if expected is not None and inject_t is not None:
        bounds = expected.check(whole, recovery, alerts, seg.t(j.InjectionReverted), inject_t)
        if recovery.status == "no impact observed":
            found.doubts.append(expected.surprise())
        found.failures += [
            f"breach bound not held: {b.name} {b.measured}, allowed {b.limit}"
            for b in bounds
            if b.held is False
        ]
    verdict = findings.verdict(outcome, found)

    rto, rpo = recovery_spec.get("rto"), recovery_spec.get("rpo")
    terms = formula.components(spec, slos, recovery.status, ttr, lost, alerts)
    rto_missed = rto is not None and (
        recovery.status == "not recovered" or (ttr is not None and ttr > rto)
    )
    rpo_missed = rpo is not None and lost is not None and lost > rpo
    missed = formula.missed(terms, slos, alerts, rto_missed, rpo_missed)
    missed += [(f"bound {b.name}", 0.0) for b in bounds if b.held is False]
    gate = _gate(seg, outcome, touched)
    score_formula = formula.compute(terms, missed, gate)
    score = None if verdict in UNSCORED else score_formula.result

    markers = _markers(seg, inject_t, end_t)
    if recovery.recovered_t is not None:
        markers["recovered"] = recovery.recovered_t
    for alert in alerts:
        if alert.fired_at is not None:
            markers[f"alert {alert.name}"] = alert.fired_at
    notes = tuple(note(e) for e in seg.all(j.Note))
    for number, scenario_note in enumerate(notes, 1):
        markers[f"note {number}"] = scenario_note.t
    approved = seg.first(j.Approval)
    trigger = seg.first(j.AbortCondition)
    abort = seg.first(j.Abort)
    return ScenarioScore(
        name=seg.name,
        owner=spec.get("owner"),
        service=spec.get("service"),
        fault=spec["fault"]["type"],
        outcome=outcome,
        verdict=verdict,
        reasons=found.reasons,
        score=score,
        grade=formula.grade(score),
        weight=weight,
        components={t.name: t.value for t in terms},
        slos=slos,
        probes=probes,
        steps=tuple(
            StepResult(e.section, e.name, e.ok, e.duration, e.detail) for e in seg.all(j.StepEnd)
        ),
        touched=touched,
        evidence=injection.evidence,
        markers=markers,
        time_to_recover=ttr,
        rto=rto,
        rpo=rpo,
        data_lost=lost,
        data_missing=audit.audit.get("missing") if audit else None,
        abort_reaction=_abort_reaction(trigger, markers.get("revert")),
        hypothesis=spec.get("hypothesis"),
        description=spec.get("description", ""),
        rollback_ok=findings.rollback_ok(seg),
        alerts=alerts,
        approval=None
        if approved is None
        else f"{'go' if approved.go else 'no go'} from {approved.by} at {approved.t:.1f}s",
        notes=notes,
        landing=landed,
        recovery=recovery.status,
        phases=recovery.phases,
        fault_declared=declared,
        fault_held=held,
        formula=score_formula,
        bounds=bounds,
        abort_condition=None if abort is None else abort.reason,
        restore=restore_story(seg, inject_t, recovery.impact_t, recovery.recovered_t, ttr),
        marks=marks(seg, inject_t, recovery.recovered_t),
    )


def probe_report(seg: Segment, probe: dict[str, Any], at: Times) -> ProbeReport:
    name, want = probe["name"], seg.samples.want
    phases = {
        phase: vars(want(WindowStats, name, a, b).phase_stats())
        for phase, (a, b) in at.phases.items()
    }
    series = want(Series, name, seg.start.t, at.end_t).points()
    inject_t = at.inject_t
    if inject_t is None:
        return ProbeReport(name, probe["type"], phases, None, 0.0, 0.0, None, series)
    scan = want(Scan, name, inject_t, at.end_t)
    ttd = scan.time_to_detect()
    back = scan.recovered_at(at.stabilization)
    return ProbeReport(
        name,
        probe["type"],
        phases,
        ttd,
        round(scan.total, 4),
        round(scan.longest or 0.0, 4),
        None if back is None or ttd is None else round(back - inject_t, 4),
        series,
        impact=ttd is not None,
    )


def _window(
    seg: Segment, slo: dict[str, Any], start: float | None, end: float
) -> WindowStats | None:
    """The samples of a probe SLO's probe sent in [start, end] (None: not a probe SLO,
    or no fault window)."""
    if start is None or not slo.get("probe") or slo.get("sli"):
        return None
    return seg.samples.want(WindowStats, slo["probe"], start, end)


def _phase_bounds(seg: Segment, end_t: float) -> dict[str, tuple[float, float]]:
    marks = [(e.phase, e.t) for e in seg.all(j.Phase)]
    return {
        name: (t, marks[i + 1][1] if i + 1 < len(marks) else end_t)
        for i, (name, t) in enumerate(marks)
    }


def _markers(seg: Segment, inject_t: float | None, end_t: float) -> dict[str, float]:
    found = {
        "start": seg.start.t,
        "inject": inject_t,
        "revert": seg.t(j.InjectionReverted),
        "abort": seg.t(j.AbortCondition),
        "verify": seg.t(j.Phase, phase="verify"),
        "end": end_t,
    }
    return {k: v for k, v in found.items() if v is not None}


def _gate(seg: Segment, outcome: str, touched: tuple[str, ...]) -> str | None:
    """Outcomes no score may hide: aborted, unrecovered, un-reverted, touched nothing."""
    if outcome in GATED:
        return f"outcome {outcome}"
    if not findings.rollback_ok(seg):
        return "a revert or rollback step failed"
    if seg.first(j.InjectionApplied) is not None and not touched:
        return "the fault touched nothing"
    return None


def _abort_reaction(trigger: j.AbortCondition | None, revert_t: float | None) -> float | None:
    """Revert complete - the moment the triggering sample's result was known."""
    if trigger is None or revert_t is None:
        return None
    known = trigger.known_t if trigger.known_t is not None else trigger.t
    return round(revert_t - known, 4)


def _measured(seg: Segment, slo: str) -> dict[str, Any] | None:
    """The journaled numbers of a Prometheus SLI (`sli-measured`), if any."""
    record = seg.first(j.SliMeasured, slo=slo)
    return None if record is None else record.result


def _first_alert(alerts: tuple[AlertResult, ...]) -> tuple[str, float] | None:
    """(what, when) of the first expected alert seen firing after the injection."""
    fired = [a for a in alerts if a.fired_at is not None and a.time_to_detect is not None]
    first = min(fired, key=lambda a: a.fired_at or 0.0, default=None)
    return None if first is None else (f"alert {first.name}", first.fired_at or 0.0)


def _outside_breach(
    seg: Segment, whole: tuple[SloResult, ...], recovered_t: float | None, end_t: float
) -> tuple[SloResult, ...]:
    """With `expect.breach`, probe SLOs hold from recovery to the end of verification."""
    if recovered_t is None:
        return whole
    after = seg.t(j.Phase, phase="rollback") or end_t
    return tuple(
        _outside(evaluate_slo(s, _window(seg, s, recovered_t, after), recovered_t, None), w)
        if s.get("probe")
        else _prometheus_after(seg, s, w, recovered_t)
        for s, w in zip(seg.spec.get("slos", ()), whole, strict=True)
    )


def _prometheus_after(
    seg: Segment, slo: dict[str, Any], whole: SloResult, recovered_t: float
) -> SloResult:
    """A Prometheus SLI after the breach: the runner's second measurement, over the
    verify window; without one the objective cannot be judged outside the breach."""
    measured = seg.all(j.SliMeasured, slo=slo["name"])
    if len(measured) < 2:
        return replace(
            whole, met=None, score=None, detail="not measured after the breach: " + whole.detail
        )
    return _outside(evaluate_slo(slo, None, recovered_t, measured[1].result), whole)


def _outside(after: SloResult, whole: SloResult) -> SloResult:
    """The objective judged after the breach, keeping the whole window's burn on record."""
    return replace(
        after,
        budget_consumed=whole.budget_consumed,
        detail=f"after the breach: {after.detail}; whole fault window: {whole.detail}",
    )
