"""When the service was healthy again, and the phases of the journal that add up to it.

Time to recover runs from the injection until *every* SLO probe (the probes the SLOs
name; all steady-state probes when no SLO names one) is good again and stays good for
`recovery.stabilization`. A scenario whose SLO probes never failed has no time to
recover: it is `no impact observed`, never `0.00s`.

The phases cut that span at the moments the journal recorded (impact or detection, the
revert, each recovery step's start and end), clipped to [injection, recovered], so
their durations sum to the time to recover exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gameday.model import journal as j
from gameday.model.scorecard import Phase, ProbeReport
from gameday.scoring.segment import Segment

HELD_TOLERANCE = 0.5
"""Seconds (plus 10% of the declared duration) a fault may stay past its duration
before the report says it was held longer than declared."""


@dataclass(frozen=True)
class Recovery:
    status: str
    """`recovered`, `no impact observed`, `not recovered` or `not injected`."""
    time_to_recover: float | None = None
    recovered_t: float | None = None
    impact_t: float | None = None
    """Run-clock time of the first failing sample of an SLO probe."""
    phases: tuple[Phase, ...] = ()


def slo_probe_names(spec: dict[str, Any]) -> list[str]:
    """The probes whose health defines recovery."""
    named = [s["probe"] for s in spec.get("slos", ()) if s.get("probe")]
    if named:
        return list(dict.fromkeys(named))
    return [p["name"] for p in spec["steady_state"]["probes"]]


def assess(
    seg: Segment,
    probes: tuple[ProbeReport, ...],
    inject_t: float | None,
    detected: tuple[str, float] | None,
) -> Recovery:
    """`detected`: (what, run-clock time) of the first expected alert that fired, if any."""
    if inject_t is None:
        return Recovery("not injected")
    names = set(slo_probe_names(seg.spec))
    watched = [p for p in probes if p.name in names]
    hit = [p for p in watched if p.impact]
    if not hit:
        return Recovery("no impact observed")
    impact_t = inject_t + min(p.time_to_detect or 0.0 for p in hit)
    if any(p.time_to_recover is None for p in hit):
        return Recovery("not recovered", impact_t=impact_t)
    ttr = max(p.time_to_recover or 0.0 for p in hit)
    recovered_t = inject_t + ttr
    first_bad = min(hit, key=lambda p: p.time_to_detect or 0.0).name
    cuts = _cuts(seg, detected or (f"first failing sample ({first_bad})", impact_t))
    slowest = max(hit, key=lambda p: p.time_to_recover or 0.0).name
    phases = _phases(cuts, inject_t, recovered_t, seg, slowest)
    return Recovery("recovered", round(ttr, 4), recovered_t, impact_t, phases)


def _cuts(seg: Segment, detected: tuple[str, float]) -> list[tuple[float, str]]:
    """(time, label of the phase that ends there), from the journal."""
    what, detected_t = detected
    cuts = [(detected_t, f"until detected: {what}")]
    revert_t = seg.t(j.InjectionReverted)
    if revert_t is not None:
        cuts.append((revert_t, "fault in place until reverted"))
    for start in seg.all(j.StepStart, section="recovery"):
        cuts.append((start.t, f"until recovery step '{start.name}' started"))
        end = seg.first(j.StepEnd, section="recovery", index=start.index)
        if end is not None:
            cuts.append((end.t, f"recovery step '{start.name}'"))
    return cuts


def _phases(
    cuts: list[tuple[float, str]],
    inject_t: float,
    recovered_t: float,
    seg: Segment,
    slowest: str,
) -> tuple[Phase, ...]:
    inside = sorted((t, label) for t, label in cuts if inject_t < t < recovered_t)
    running = _step_running_at(seg, recovered_t)
    last = (
        f"recovery step '{running}' until every SLO probe held again ({slowest} last)"
        if running
        else f"until every SLO probe held again ({slowest} last)"
    )
    inside.append((recovered_t, last))
    phases, previous = [], 0.0
    for t, label in inside:
        at = round(t - inject_t, 4)
        if at <= previous:
            continue
        phases.append(Phase(label, round(inject_t + previous, 4), round(at - previous, 4)))
        previous = at
    return tuple(phases)


def _step_running_at(seg: Segment, t: float) -> str | None:
    for start in seg.all(j.StepStart, section="recovery"):
        if start.t > t:
            continue
        end = seg.first(j.StepEnd, section="recovery", index=start.index)
        if end is None or end.t > t:
            return start.name
    return None


def fault_held(seg: Segment, inject_t: float | None) -> float | None:
    """Seconds the fault stayed in place (injection to revert); None if never reverted."""
    revert_t = seg.t(j.InjectionReverted)
    if inject_t is None or revert_t is None:
        return None
    return round(revert_t - inject_t, 3)


def held_too_long(held: float | None, declared: float | None) -> bool:
    if held is None or declared is None:
        return False
    return held > declared * 1.1 + HELD_TOLERANCE
