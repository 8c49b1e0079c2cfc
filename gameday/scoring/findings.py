"""What a scenario's journal says went wrong or stayed unproven: landing, detection,
and the reasons behind its verdict.

Failures (an objective missed, a revert failed, ...) make a `fail`. Doubts (the fault
was not confirmed to land, no impact where one was expected, detection unknown because
the alert source was unreachable) make an `inconclusive` when nothing failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from gameday.measure import linear_score
from gameday.model import journal as j
from gameday.model.outcomes import Outcome, Verdict
from gameday.model.scorecard import AlertResult, SloResult
from gameday.plugins.protocols import Landing
from gameday.scoring.samples import Gaps
from gameday.scoring.segment import Segment
from gameday.slo import measured_text

ZERO_AT = 3.0
"""Multiple of a target (RTO, RPO, time to detect) at which its score reaches zero."""
DETECTION_PROBE = "detection"
"""The runner's alert-watch loop (gameday.execute.runner.DETECTION_PROBE)."""
SOURCE_GAP = 5.0
"""Seconds without an answer from the alert source that count as unreachable."""
DID_NOT_RUN = (Outcome.NOT_RUN, Outcome.REFUSED)
COULD_NOT_JUDGE = (Outcome.ERROR, Outcome.INTERRUPTED, Outcome.INCOMPLETE)


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> tuple[str, ...]:
        return (*self.failures, *self.doubts)


def landing(seg: Segment) -> Landing | None:
    """The `fault-landing` record; None when nothing was injected."""
    if seg.first(j.InjectionApplied) is None:
        return None
    record = seg.first(j.FaultLanding)
    if record is None:
        return Landing(None, "not checked (no fault-landing record in the journal)")
    return Landing(record.confirmed, record.checked, record.evidence)


def verdict(outcome: str, found: Findings) -> Verdict:
    if outcome == Outcome.DRY_RUN:
        return Verdict.DRY_RUN
    if outcome in DID_NOT_RUN:
        return Verdict.NOT_RUN
    if outcome in COULD_NOT_JUDGE:
        return Verdict.ERROR
    if outcome == Outcome.ABORTED:
        return Verdict.ABORTED
    if found.failures:
        return Verdict.FAIL
    return Verdict.INCONCLUSIVE if found.doubts else Verdict.PASS


def watch_end(seg: Segment, end_t: float) -> float:
    """The end of the alert watch: rollback, else the end of the scenario."""
    return seg.t(j.Phase, phase="rollback") or end_t


def source_unreachable(seg: Segment, inject_t: float, end_t: float) -> str | None:
    """Why the alert source cannot vouch for a silence between injection and the end
    of the watch (rollback), or None when it answered throughout."""
    end_t = watch_end(seg, end_t)
    changes = sorted(seg.all(j.AlertSource), key=lambda r: r.t)
    before = [r for r in changes if r.t < inject_t]
    during = [r for r in changes if inject_t <= r.t <= end_t]
    down = [r for r in before[-1:] + during if not r.reachable]  # the state at injection, then
    if down:
        return down[0].error or "the alert source was unreachable"
    answers = seg.samples.want(Gaps, DETECTION_PROBE, inject_t, end_t)
    if answers.failed is not None:
        return answers.failed.detail or "the alert source did not answer"
    gap = answers.longest()
    if gap > SOURCE_GAP:
        return f"the alert source gave no answer for {gap:.1f}s"
    return None


def alerts(
    seg: Segment, spec: dict[str, Any], inject_t: float | None, end_t: float
) -> tuple[AlertResult, ...]:
    detection = spec.get("detection")
    if not detection or inject_t is None:
        return ()
    blind = source_unreachable(seg, inject_t, end_t)
    found = []
    for expected in detection["expect_alerts"]:
        name, within = expected["name"], float(expected["within"])
        fired = seg.first(j.AlertFired, alert=name)
        resolved = seg.first(j.AlertResolved, alert=name)
        resolved_at = None if resolved is None else resolved.t
        if fired is None:
            status = "missed" if blind is None else "unknown"
            found.append(AlertResult(name, within, status))
            continue
        fired_at = fired.t
        if fired_at < inject_t:
            found.append(AlertResult(name, within, "already firing", fired_at, resolved_at))
            continue
        ttd = round(fired_at - inject_t, 3)
        status = "on time" if ttd <= within else "late"
        score = linear_score(ttd, within, ZERO_AT)
        found.append(AlertResult(name, within, status, fired_at, resolved_at, ttd, score))
    return tuple(found)


def alert_findings(found: Findings, alerts: tuple[AlertResult, ...], blind: str | None) -> None:
    """A late or missed alert is a failure; an unknown one a doubt."""
    for alert in alerts:
        if alert.status == "unknown":
            found.doubts.append(alert_reason(alert, blind))
        elif alert.status != "on time":
            found.failures.append(alert_reason(alert))


def alert_reason(alert: AlertResult, blind: str | None = None) -> str:
    if alert.status == "missed":
        return (
            f"monitoring gap: alert {alert.name} never fired "
            f"(expected within {alert.within:g}s of the fault)"
        )
    if alert.status == "unknown":
        return (
            f"detection unknown: alert {alert.name} was not seen firing, but the alert source "
            f"was not reachable throughout ({blind or 'see the detection probe'})"
        )
    if alert.status == "late":
        return (
            f"alert {alert.name} fired late: after {alert.time_to_detect:.1f}s, "
            f"expected within {alert.within:g}s"
        )
    return f"alert {alert.name} was already firing before the fault: it cannot show detection"


def rollback_ok(seg: Segment) -> bool:
    failed_step = any(not e.ok for e in seg.all(j.StepEnd, section="rollback"))
    return seg.first(j.RevertFailed) is None and not failed_step


def outcome_failures(
    seg: Segment, outcome: Outcome, end_event: j.ScenarioEnd | None, touched: tuple[str, ...]
) -> list[str]:
    """Reasons that come from how the run went, not from the measurements."""
    reasons = []
    if outcome != Outcome.COMPLETED:
        reason = end_event.reason if end_event else None
        reasons.append(f"{outcome}: {reason}" if reason else str(outcome))
    if seg.first(j.RevertFailed):
        reasons.append("rollback failed: a fault may still be active")
    reasons += [
        f"rollback step '{e.name}' failed: {e.detail}"
        for e in seg.all(j.StepEnd, section="rollback")
        if not e.ok
    ]
    if seg.first(j.InjectionApplied) and not touched:
        reasons.append("the fault touched nothing")
    return reasons


def objective_failures(
    slos: tuple[SloResult, ...],
    recovery: str,
    ttr: float | None,
    lost: float | None,
    spec: dict[str, Any],
) -> list[str]:
    reasons = [
        f"SLO '{s.name}' missed: {s.objective}, measured {measured_text(s)}"
        for s in slos
        if s.met is False
    ]
    rto = spec.get("recovery", {}).get("rto")
    if rto is not None and recovery == "not recovered":
        reasons.append("the service did not recover within the run")
    elif rto is not None and ttr is not None and ttr > rto:
        reasons.append(f"RTO exceeded: recovered in {ttr:.2f}s, objective {rto:g}s")
    rpo = spec.get("recovery", {}).get("rpo")
    if rpo is not None and lost is not None and lost > rpo:
        reasons.append(f"RPO exceeded: lost {lost:.2f}s of acknowledged writes, objective {rpo:g}s")
    return reasons


def landing_doubt(found: Landing | None) -> str | None:
    if found is None or found.confirmed is True:
        return None
    if found.confirmed is False:
        return f"fault not confirmed: checked {found.checked}, and it had not taken effect"
    return f"fault not confirmed: {found.checked}"
