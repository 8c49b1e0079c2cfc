"""The restore story of a disaster-recovery scenario, as the report tells it: which
point in time the store came back to, what was lost, how old the backup was when
disaster struck, and where the recovery time went (docs/dr.md)."""

from __future__ import annotations

from dataclasses import dataclass

RTO_PHASES = ("detect", "decide", "restore", "replay", "serving")
"""The parts of the recovery time, in order (see `gameday.scoring.restore`)."""


@dataclass(frozen=True)
class RestoreStory:
    store: str | None = None
    """`postgres`, `mysql`, `redis`, `http`; None without a data writer."""
    disaster_wall: float | None = None
    """Unix time the fault started."""
    restore_point_seq: int | None = None
    restore_point_wall: float | None = None
    """The newest acknowledged write that survived, before the first lost one."""
    lost: int | None = None
    lost_first_wall: float | None = None
    lost_last_wall: float | None = None
    """The newest acknowledged write that was lost."""
    lost_first_seq: int | None = None
    lost_last_seq: int | None = None
    lost_ranges: int = 0
    out_of_order: int = 0
    duplicates: int = 0
    rpo: float | None = None
    """Measured: the span of lost acknowledged writes plus one writer interval."""
    rpo_objective: float | None = None
    rto: float | None = None
    """Measured time to recover."""
    rto_objective: float | None = None
    backup_label: str | None = None
    backup_path: str | None = None
    backup_taken_wall: float | None = None
    backup_age_at_disaster: float | None = None
    rto_phases: tuple[tuple[str, float], ...] = ()
    """(phase, seconds) in RTO_PHASES order; they sum to `rto`."""
