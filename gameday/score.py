"""Journal -> Scorecard. Pure and deterministic: the same journal always scores the same.

Scoring (see docs/scoring.md): per scenario, components that apply are weighted by
`scoring.weights` and normalised over the components present:
  slo       mean of per-SLO scores (met: 100; availability missed: falls linearly from
            100 at the objective to 0 at twice the error budget; other misses: 0)
  recovery  time to recover vs `recovery.rto`: 100 within it, 0 at 3x RTO
  data      measured data loss vs `recovery.rpo`: 100 within it, 0 at 3x RPO
  detection mean over expected alerts: fired within `within`: 100, later: falling to
            0 at 3x `within`, never (a monitoring gap): 0
Gates: an aborted, unrecovered or un-reverted scenario, or one whose fault touched
nothing, never passes and scores at most 50. Drill score = weighted mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gameday.measure import (
    linear_score,
    outages,
    phase_stats,
    recovered_at,
    time_to_detect,
    window,
)
from gameday.model.scorecard import (
    AlertResult,
    Note,
    ProbeReport,
    ScenarioScore,
    Scorecard,
    SloResult,
    StepResult,
)
from gameday.plugins.protocols import Sample
from gameday.slo import evaluate as evaluate_slo
from gameday.slo import measured_text

SCHEMA = "gameday.report/v1"
ZERO_AT = 3.0
"""RTO/RPO multiple at which the recovery and data components reach zero."""
GATED_CAP = 50.0
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
DID_NOT_RUN = ("not-run", "dry-run", "refused")
"""Outcomes where nothing was injected: verdict `not-run`."""
NOT_SCORED = (*DID_NOT_RUN, "error", "interrupted", "incomplete")


@dataclass
class _Segment:
    name: str
    spec: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def first(self, type_: str, **match: Any) -> dict[str, Any] | None:
        return next(
            (
                e
                for e in self.events
                if e["type"] == type_ and all(e.get(k) == v for k, v in match.items())
            ),
            None,
        )

    def t(self, type_: str, **match: Any) -> float | None:
        event = self.first(type_, **match)
        return None if event is None else float(event["t"])


def score_journal(records: Sequence[dict[str, Any]]) -> Scorecard:
    start: dict[str, Any] = next(
        (r for r in records if r["type"] == "run-start"), {"t": 0.0, "wall": 0.0}
    )
    ends = [r for r in records if r["type"] == "run-end"]
    end = ends[-1] if ends else (records[-1] if records else start)
    weights = {e["scenario"]: e.get("weight", 1.0) for e in start.get("entries", [])}
    scenarios = tuple(
        _score(seg, weights.get(seg.name, 1.0)) for seg in _latest_attempts(_segments(records))
    )
    scored = [(s.score or 0.0, s.weight) for s in scenarios]
    total = sum(w for _, w in scored)
    anything_scored = any(s.score is not None for s in scenarios)
    drill_score = (
        round(sum(v * w for v, w in scored) / total, 1) if total and anything_scored else None
    )
    verdict = "pass" if scenarios and all(s.verdict == "pass" for s in scenarios) else "fail"
    return Scorecard(
        schema=SCHEMA,
        run_id=str(start.get("run_id", "")),
        name=str(start.get("name", "")),
        kind=str(start.get("kind", "")),
        started_wall=float(start.get("wall", 0.0)),
        duration=round(float(end["t"]) - float(start["t"]), 3),
        score=drill_score,
        grade=grade(drill_score),
        verdict=verdict,
        scenarios=scenarios,
        meta={k: v for k, v in start.items() if k in ("drill", "options", "host", "gameday")},
        notes=tuple(_note(r) for r in records if r["type"] == "note"),
    )


def grade(score: float | None) -> str:
    if score is None:
        return "-"
    return next((g for floor, g in GRADES if score >= floor), "F")


def _segments(records: Sequence[dict[str, Any]]) -> list[_Segment]:
    segments: list[_Segment] = []
    current: _Segment | None = None
    for record in records:
        if record["type"] == "scenario-start":
            current = _Segment(record["scenario"], record["spec"], [record])
            segments.append(current)
        elif current is None:
            continue
        elif record["type"] == "samples":
            rows = current.samples.setdefault(record["probe"], [])
            rows.extend(Sample(r[0], bool(r[1]), r[2], r[3], r[4]) for r in record["s"])
        else:
            current.events.append(record)
            if record["type"] == "scenario-end":
                current = None
    return segments


def _latest_attempts(segments: list[_Segment]) -> list[_Segment]:
    """A resumed drill runs an interrupted scenario again: score each entry's last attempt."""
    latest: dict[Any, _Segment] = {}
    for position, seg in enumerate(segments):
        latest[seg.events[0].get("index", f"#{position}")] = seg
    return list(latest.values())


def _score(seg: _Segment, weight: float) -> ScenarioScore:
    spec = seg.spec
    end_event = seg.first("scenario-end")
    outcome = end_event["outcome"] if end_event else "incomplete"
    end_t = float(end_event["t"]) if end_event else max((e["t"] for e in seg.events), default=0.0)
    # The fault starts when applying it starts: deleting 200 pods at the client's QPS
    # limit takes seconds, and the first replacements are Ready before the last delete.
    applied, planned = seg.t("injection-applied"), seg.t("injection-planned")
    inject_t = planned if applied is not None and planned is not None else applied
    verify_t = seg.t("phase", phase="verify") or seg.t("phase", phase="rollback") or end_t
    markers = {
        k: v
        for k, v in {
            "start": seg.t("scenario-start"),
            "inject": inject_t,
            "revert": seg.t("injection-reverted"),
            "abort": seg.t("abort-condition"),
            "verify": seg.t("phase", phase="verify"),
            "end": end_t,
        }.items()
        if v is not None
    }
    recovery = spec.get("recovery", {})
    stabilization = float(recovery.get("stabilization", 2.0))
    probes = tuple(
        _probe_report(seg, p, inject_t, verify_t, end_t, stabilization)
        for p in spec["steady_state"]["probes"]
    )
    slos = tuple(
        evaluate_slo(s, seg.samples, inject_t, verify_t, seg.first("sli-measured", slo=s["name"]))
        for s in spec.get("slos", ())
    )
    sli = _sli_probe(spec, probes)
    ttr = None if sli is None or inject_t is None else sli.time_to_recover
    if ttr is not None and inject_t is not None:
        markers["recovered"] = inject_t + ttr
    audit = seg.first("data-audit")
    lost = audit["audit"]["lost_span"] if audit else None
    injection = (seg.first("injection-applied") or seg.first("plan") or {}).get("injection", {})
    touched = tuple(injection.get("targets", ()))
    alerts = _alerts(seg, spec, inject_t)
    for alert in alerts:
        if alert.fired_at is not None:
            markers[f"alert {alert.name}"] = alert.fired_at
    components = _components(spec, slos, ttr, lost, inject_t is not None)
    if alerts:
        components["detection"] = sum(a.score for a in alerts) / len(alerts)
    reasons = _reasons(seg, outcome, end_event, slos, ttr, lost, touched, spec)
    reasons += [_alert_reason(a) for a in alerts if a.status != "on time"]
    notes = tuple(_note(e) for e in seg.events if e["type"] == "note")
    for number, scenario_note in enumerate(notes, 1):
        markers[f"note {number}"] = scenario_note.t
    approved = seg.first("approval")
    gated = _gated(seg, outcome, touched, ttr, spec)
    score = None
    if outcome not in NOT_SCORED and components:
        w = spec.get("weights", {})
        total = sum(w.get(k, 0.0) for k in components) or 1.0
        score = round(sum(v * w.get(k, 0.0) for k, v in components.items()) / total, 1)
        if gated:
            score = min(score, GATED_CAP)
    verdict = (
        "pass"
        if not reasons and outcome == "completed"
        else ("not-run" if outcome in DID_NOT_RUN else "fail")
    )
    abort_t, revert_t = markers.get("abort"), markers.get("revert")
    return ScenarioScore(
        name=seg.name,
        owner=spec.get("owner"),
        service=spec.get("service"),
        fault=spec["fault"]["type"],
        outcome=outcome,
        verdict=verdict,
        reasons=tuple(reasons),
        score=score,
        grade=grade(score),
        weight=weight,
        components={k: round(v, 1) for k, v in components.items()},
        slos=slos,
        probes=probes,
        steps=tuple(
            StepResult(e["section"], e["name"], e["ok"], e["duration"], e["detail"])
            for e in seg.events
            if e["type"] == "step-end"
        ),
        touched=touched,
        evidence=injection.get("evidence", {}),
        markers=markers,
        time_to_recover=ttr,
        rto=recovery.get("rto"),
        rpo=recovery.get("rpo"),
        data_lost=lost,
        data_missing=audit["audit"]["missing"] if audit else None,
        abort_reaction=None
        if abort_t is None or revert_t is None
        else round(revert_t - abort_t, 4),
        hypothesis=spec.get("hypothesis"),
        description=spec.get("description", ""),
        rollback_ok=_rollback_ok(seg),
        alerts=alerts,
        approval=None
        if approved is None
        else f"{'go' if approved['go'] else 'no go'} from {approved['by']} at {approved['t']:.1f}s",
        notes=notes,
    )


def _probe_report(
    seg: _Segment,
    probe: dict[str, Any],
    inject_t: float | None,
    verify_t: float,
    end_t: float,
    stabilization: float,
) -> ProbeReport:
    samples = seg.samples.get(probe["name"], [])
    bounds = _phase_bounds(seg, end_t)
    phases = {name: vars(phase_stats(window(samples, a, b))) for name, (a, b) in bounds.items()}
    if inject_t is None:
        return ProbeReport(
            probe["name"], probe["type"], phases, None, 0.0, 0.0, None, tuple(samples)
        )
    found = outages(samples, inject_t, end_t)
    back = recovered_at(samples, inject_t, end_t, stabilization)
    return ProbeReport(
        probe["name"],
        probe["type"],
        phases,
        time_to_detect(samples, inject_t, end_t),
        round(sum(o.duration for o in found), 4),
        round(max((o.duration for o in found), default=0.0), 4),
        None if back is None else round(back - inject_t, 4),
        tuple(samples),
    )


def _phase_bounds(seg: _Segment, end_t: float) -> dict[str, tuple[float, float]]:
    marks = [(e["phase"], float(e["t"])) for e in seg.events if e["type"] == "phase"]
    return {
        name: (t, marks[i + 1][1] if i + 1 < len(marks) else end_t)
        for i, (name, t) in enumerate(marks)
    }


def _sli_probe(spec: dict[str, Any], probes: tuple[ProbeReport, ...]) -> ProbeReport | None:
    names = [s["probe"] for s in spec.get("slos", ()) if s.get("probe")]
    by_name = {p.name: p for p in probes}
    return by_name.get(names[0]) if names else (probes[0] if probes else None)


def _alerts(seg: _Segment, spec: dict[str, Any], inject_t: float | None) -> tuple[AlertResult, ...]:
    detection = spec.get("detection")
    if not detection or inject_t is None:
        return ()
    found = []
    for expected in detection["expect_alerts"]:
        name, within = expected["name"], float(expected["within"])
        fired = seg.first("alert-fired", alert=name)
        resolved = seg.first("alert-resolved", alert=name)
        resolved_at = None if resolved is None else float(resolved["t"])
        if fired is None:
            found.append(AlertResult(name, within, "missed"))
            continue
        fired_at = float(fired["t"])
        if fired_at < inject_t:
            found.append(AlertResult(name, within, "already firing", fired_at, resolved_at))
            continue
        ttd = round(fired_at - inject_t, 3)
        status = "on time" if ttd <= within else "late"
        score = linear_score(ttd, within, ZERO_AT)
        found.append(AlertResult(name, within, status, fired_at, resolved_at, ttd, score))
    return tuple(found)


def _note(record: dict[str, Any]) -> Note:
    return Note(
        float(record["t"]), record.get("author", ""), record.get("text", ""), record.get("scenario")
    )


def _alert_reason(alert: AlertResult) -> str:
    if alert.status == "missed":
        return (
            f"monitoring gap: alert {alert.name} never fired "
            f"(expected within {alert.within:g}s of the fault)"
        )
    if alert.status == "late":
        return f"alert {alert.name} fired late: after {alert.time_to_detect:.1f}s, expected within {alert.within:g}s"
    return f"alert {alert.name} was already firing before the fault: it cannot show detection"


def _rollback_ok(seg: _Segment) -> bool:
    failed_step = any(
        e["type"] == "step-end" and e["section"] == "rollback" and not e["ok"] for e in seg.events
    )
    return seg.first("revert-failed") is None and not failed_step


def _gated(
    seg: _Segment, outcome: str, touched: tuple[str, ...], ttr: float | None, spec: dict[str, Any]
) -> bool:
    """Gates: outcomes no score may hide (aborted, unrecovered, un-reverted, touched nothing)."""
    injected = seg.first("injection-applied") is not None
    return (
        outcome in ("aborted", "recovery-failed", "not-restored", "incomplete")
        or not _rollback_ok(seg)
        or (injected and not touched)
        or (injected and ttr is None and spec.get("recovery", {}).get("rto") is not None)
    )


def _components(
    spec: dict[str, Any],
    slos: tuple[SloResult, ...],
    ttr: float | None,
    lost: float | None,
    injected: bool,
) -> dict[str, float]:
    components: dict[str, float] = {}
    scored = [s.score for s in slos if s.score is not None]
    if scored:
        components["slo"] = sum(scored) / len(scored)
    rto = spec.get("recovery", {}).get("rto")
    if rto is not None and injected:
        components["recovery"] = 0.0 if ttr is None else linear_score(ttr, rto, ZERO_AT)
    rpo = spec.get("recovery", {}).get("rpo")
    if rpo is not None and lost is not None:
        components["data"] = linear_score(lost, rpo, ZERO_AT)
    return components


def _reasons(
    seg: _Segment,
    outcome: str,
    end_event: dict[str, Any] | None,
    slos: tuple[SloResult, ...],
    ttr: float | None,
    lost: float | None,
    touched: tuple[str, ...],
    spec: dict[str, Any],
) -> list[str]:
    reasons = []
    if outcome != "completed":
        reasons.append(
            f"{outcome}: {end_event['reason']}"
            if end_event and end_event.get("reason")
            else outcome
        )
    if seg.first("revert-failed"):
        reasons.append("rollback failed: a fault may still be active")
    reasons += [
        f"rollback step '{e['name']}' failed: {e['detail']}"
        for e in seg.events
        if e["type"] == "step-end" and e["section"] == "rollback" and not e["ok"]
    ]
    if seg.first("injection-applied") and not touched:
        reasons.append("the fault touched nothing")
    reasons += [
        f"SLO '{s.name}' missed: {s.objective}, measured {measured_text(s)}"
        for s in slos
        if s.met is False
    ]
    rto = spec.get("recovery", {}).get("rto")
    if seg.first("injection-applied") and rto is not None:
        if ttr is None:
            reasons.append("the service did not recover within the run")
        elif ttr > rto:
            reasons.append(f"RTO exceeded: recovered in {ttr:.2f}s, objective {rto:g}s")
    rpo = spec.get("recovery", {}).get("rpo")
    if rpo is not None and lost is not None and lost > rpo:
        reasons.append(f"RPO exceeded: lost {lost:.2f}s of acknowledged writes, objective {rpo:g}s")
    return reasons
