"""A scenario's journal segment -> its RestoreStory (pure).

Restore point and lost range come from the data writer's `data-audit` record; the
backup's label and time from the `data` of a `backup-check` step (the latest one run
before the report); run-clock times become Unix times through the scenario-start
record. The recovery time is cut into phases at the moments the journal recorded:

  detect   injection -> the first failing sample of an SLO probe (the impact)
  decide   the impact -> the first recovery step not declared `decide`, plus the
           time inside steps declared `phase: decide`
  restore  steps declared `restore` (the default for recovery steps)
  replay   steps declared `replay`
  serving  steps declared `serving`, and from the last step's end to recovery

Time between two steps counts toward the step that follows it. Each cut is clipped to
[injection, recovered], so the phases sum to the time to recover exactly.
"""

from __future__ import annotations

from typing import Any

from gameday.model import journal as j
from gameday.model.restore import RTO_PHASES, RestoreStory
from gameday.scoring.segment import Segment


def restore_story(
    seg: Segment,
    inject_t: float | None,
    impact_t: float | None,
    recovered_t: float | None,
    time_to_recover: float | None,
) -> RestoreStory | None:
    """None for a scenario with neither a data writer nor a checked backup."""
    audit_event = seg.first(j.DataAudit)
    backup = _backup(seg)
    if audit_event is None and backup is None:
        return None
    offset = seg.start.wall - seg.start.t

    def wall(t: float | None) -> float | None:
        return None if t is None else round(t + offset, 3)

    audit: dict[str, Any] = audit_event.audit if audit_event else {}
    disaster = wall(inject_t)
    taken = None if backup is None else backup.get("taken_wall")
    recovery = seg.spec.get("recovery", {})
    return RestoreStory(
        store=audit.get("store"),
        disaster_wall=disaster,
        restore_point_seq=audit.get("restore_point_seq"),
        restore_point_wall=wall(audit.get("restore_point_t")),
        lost=audit.get("missing"),
        lost_first_wall=wall(audit.get("first_missing_t")),
        lost_last_wall=wall(audit.get("last_missing_t")),
        lost_first_seq=audit.get("first_missing_seq"),
        lost_last_seq=audit.get("last_missing_seq"),
        lost_ranges=int(audit.get("lost_ranges", 0)),
        out_of_order=int(audit.get("out_of_order", 0)),
        duplicates=int(audit.get("duplicates", 0)),
        rpo=audit.get("lost_span"),
        rpo_objective=recovery.get("rpo"),
        rto=time_to_recover,
        rto_objective=recovery.get("rto"),
        backup_label=None if backup is None else backup.get("label"),
        backup_path=None if backup is None else backup.get("path"),
        backup_taken_wall=taken,
        backup_age_at_disaster=(
            None if taken is None or disaster is None else round(disaster - float(taken), 3)
        ),
        rto_phases=rto_phases(seg, inject_t, impact_t, recovered_t),
    )


def _backup(seg: Segment) -> dict[str, Any] | None:
    found = [e.data for e in seg.all(j.StepEnd) if "taken_wall" in e.data]
    return found[-1] if found else None


def rto_phases(
    seg: Segment, inject_t: float | None, impact_t: float | None, recovered_t: float | None
) -> tuple[tuple[str, float], ...]:
    if inject_t is None or recovered_t is None:
        return ()
    totals = dict.fromkeys(RTO_PHASES, 0.0)

    def add(phase: str, a: float, b: float) -> None:
        a, b = max(a, inject_t), min(b, recovered_t)
        if b > a:
            totals[phase] += b - a

    detected = impact_t if impact_t is not None else inject_t
    add("detect", inject_t, detected)
    cursor = detected
    ends = {e.index: e.t for e in seg.all(j.StepEnd, section="recovery")}
    for start in seg.all(j.StepStart, section="recovery"):
        phase = start.step_phase or "restore"
        begun = start.t
        # The wait before the first acting step is deciding; later gaps belong to the
        # step they lead to.
        gap_phase = "decide" if cursor == detected else phase
        add(gap_phase, cursor, begun)
        end = ends.get(start.index, recovered_t)
        add(phase, max(begun, cursor), end)
        cursor = max(cursor, end)
    add("serving", cursor, recovered_t)
    return tuple((name, round(totals[name], 4)) for name in RTO_PHASES)
