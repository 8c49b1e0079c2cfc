"""The moments of a scenario's timeline, read from its journal segment: the fault
(injection, revert, abort), the approval, every step (manual ones marked as such),
notes, and alerts firing and resolving. The report draws them on the charts and lists
them under them; nothing here is scored."""

from __future__ import annotations

from gameday.model import journal as j
from gameday.model.scorecard import Mark
from gameday.scoring.segment import Segment


def marks(seg: Segment, inject_t: float | None, recovered_t: float | None) -> tuple[Mark, ...]:
    found: list[Mark] = []
    approval = seg.first(j.Approval)
    if approval is not None:
        found.append(
            Mark(approval.t, "approval", f"{'go' if approval.go else 'no go'} from {approval.by}")
        )
    if inject_t is not None:
        applied = seg.first(j.InjectionApplied)
        targets = ", ".join(applied.injection.targets) if applied else ""
        found.append(Mark(inject_t, "inject", f"fault injected{f': {targets}' if targets else ''}"))
    reverted = seg.first(j.InjectionReverted)
    if reverted is not None:
        by = f" by {reverted.by}" if reverted.by else ""
        found.append(Mark(reverted.t, "revert", f"fault reverted{by}"))
    abort = seg.first(j.AbortCondition)
    if abort is not None:
        found.append(
            Mark(abort.t, "abort", f"stop condition: {abort.probe} {abort.bad}/{abort.total} bad")
        )
    if recovered_t is not None:
        found.append(Mark(recovered_t, "recovered", "every SLO probe healthy again"))
    for start in seg.all(j.StepStart):
        end = seg.first(j.StepEnd, section=start.section, index=start.index)
        kind = "manual" if start.step_type == "manual" else "step"
        result = "" if end is None else (" ok" if end.ok else " FAILED")
        label = f"{start.section} step {start.name}{result}"
        found.append(Mark(start.t, kind, label, None if end is None else end.t))
    for number, note in enumerate(seg.all(j.Note), 1):
        found.append(Mark(note.t, "note", f"note {number} ({note.author}): {note.text}"))
    for fired in seg.all(j.AlertFired):
        found.append(Mark(fired.t, "alert-fired", f"alert {fired.alert} firing"))
    for resolved in seg.all(j.AlertResolved):
        found.append(Mark(resolved.t, "alert-resolved", f"alert {resolved.alert} resolved"))
    return tuple(sorted(found, key=lambda m: m.t))
