"""The restore story's arithmetic, written out, on a journal shaped like the runner's:
restore point, lost range, backup age at the disaster and the RTO in phases."""

from __future__ import annotations

from typing import Any

from gameday.render.html import render_html
from gameday.render.markdown import render_markdown
from gameday.score import score_journal

WALL0 = 1_800_000_000.0
"""Unix time of t = 0 on the run clock."""


def step(
    index: int, name: str, phase: str | None, start: float, end: float, **data: Any
) -> list[dict[str, Any]]:
    return [
        {
            "type": "step-start",
            "t": start,
            "scenario": "db",
            "section": "recovery",
            "index": index,
            "name": name,
            "step_type": "command",
            "step_phase": phase,
        },
        {
            "type": "step-end",
            "t": end,
            "scenario": "db",
            "section": "recovery",
            "index": index,
            "name": name,
            "ok": True,
            "detail": "",
            "output": "",
            "duration": end - start,
            "data": data,
        },
    ]


def dr_journal() -> list[dict[str, Any]]:
    """Writer every 0.1 s from t=0: writes 1-10 acknowledged at t=0.0-0.9; the disaster at
    t=1.0; failing samples t=1.0-4.9; good again from t=5.0. The restore brought back
    writes 1-7: 8, 9, 10 (t=0.7-0.9) are lost. Backup taken 3600 s before t=0."""
    spec = {
        "name": "db",
        "fault": {"type": "command"},
        "steady_state": {"probes": [{"name": "writes", "type": "postgres-writer"}]},
        "slos": [],
        "recovery": {"rto": 10.0, "rpo": 0.5, "stabilization": 0.3},
        "weights": {"slo": 40, "recovery": 30, "data": 15, "detection": 15},
    }
    samples = [
        [round(i * 0.1, 6), int(i < 10 or i >= 50), 0.0, float(i + 1), None] for i in range(60)
    ]
    audit = {
        "acknowledged": 20,
        "missing": 3,
        "lost_span": 0.3,
        "first_missing_t": 0.7,
        "last_missing_t": 0.9,
        "writer": "w",
        "store": "postgres",
        "every": 0.1,
        "restore_point_seq": 7,
        "restore_point_t": 0.6,
        "first_missing_seq": 8,
        "last_missing_seq": 10,
        "lost_ranges": 1,
        "out_of_order": 0,
        "duplicates": 0,
    }
    return [
        {
            "type": "run-start",
            "t": 0.0,
            "wall": WALL0,
            "run_id": "r",
            "name": "db",
            "kind": "scenario",
            "entries": [{"scenario": "db", "weight": 1.0}],
        },
        {"type": "scenario-start", "t": 0.0, "wall": WALL0, "scenario": "db", "spec": spec},
        {
            "type": "injection-planned",
            "t": 1.0,
            "scenario": "db",
            "injection": {"targets": ["postmaster pid:1"]},
        },
        {
            "type": "injection-applied",
            "t": 1.0,
            "scenario": "db",
            "injection": {"targets": ["postmaster pid:1"]},
        },
        {"type": "fault-landing", "t": 1.0, "scenario": "db", "confirmed": True, "checked": "gone"},
        # impact at 1.0 (first failing sample); the team decides until 2.0
        *step(
            0,
            "check the backup",
            "decide",
            2.0,
            2.2,
            label="nightly",
            taken_wall=WALL0 - 3600.0,
            path="/b",
        ),
        *step(1, "restore the base backup", None, 2.2, 3.2),  # no phase: restore
        *step(2, "replay WAL", "replay", 3.4, 4.6),  # the 0.2 s gap belongs to the replay
        *step(3, "writes served", "serving", 4.6, 5.5),
        {"type": "phase", "t": 5.5, "scenario": "db", "phase": "verify"},
        {"type": "samples", "scenario": "db", "probe": "writes", "s": samples},
        {"type": "data-audit", "t": 5.9, "scenario": "db", "audit": audit},
        {"type": "injection-reverted", "t": 5.9, "scenario": "db"},
        {"type": "scenario-end", "t": 6.0, "scenario": "db", "outcome": "completed", "reason": ""},
        {"type": "run-end", "t": 6.0},
    ]


def test_restore_story_arithmetic() -> None:
    card = score_journal(dr_journal())
    (s,) = card.scenarios
    r = s.restore
    assert r is not None
    # Recovered at 5.0 (first good answer, then good for 0.3 s): RTO = 5.0 - 1.0 = 4.0 s.
    assert s.time_to_recover == 4.0
    phases = dict(r.rto_phases)
    assert phases["detect"] == 0.0  # the first sample after the fault failed
    assert phases["decide"] == 1.2  # 1.0 -> 2.0 waiting, + 0.2 s in the step declared decide
    assert phases["restore"] == 1.0  # 2.2 -> 3.2
    assert phases["replay"] == 1.4  # 3.2 -> 3.4 gap + 3.4 -> 4.6
    assert phases["serving"] == 0.4  # 4.6 -> recovered at 5.0 (the step ran on to 5.5)
    assert round(sum(phases.values()), 6) == s.time_to_recover
    assert (r.restore_point_seq, r.restore_point_wall) == (7, WALL0 + 0.6)
    assert (r.lost, r.lost_first_seq, r.lost_last_seq) == (3, 8, 10)
    assert r.lost_last_wall == WALL0 + 0.9
    assert r.backup_label == "nightly"
    assert r.backup_age_at_disaster == 3601.0  # taken 3600 s before t=0, disaster at t=1.0
    assert (r.rpo, r.rpo_objective, r.rto_objective) == (0.3, 0.5, 10.0)
    markdown = render_markdown(card)
    assert "| db | write #7 at 08:00:00.600Z | 3 writes, #8 to #10" in markdown
    assert "3601.00s (`nightly`) | 0.30s (0.50s, met) | 4.00s (10.00s, met) |" in markdown
    assert "RTO 4.00s = decide 1.20s, restore 1.00s, replay 1.40s, serving 0.40s" in markdown
    html = render_html(card)
    assert "3601.00s (nightly)" in html and "<h3>Restore</h3>" in html


def test_no_story_without_a_writer_or_a_backup() -> None:
    records = [r for r in dr_journal() if r["type"] not in ("data-audit", "step-start", "step-end")]
    (s,) = score_journal(records).scenarios
    assert s.restore is None
    assert "## Restore" not in render_markdown(score_journal(records))
