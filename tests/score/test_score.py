"""Scoring arithmetic, written out, on journals shaped exactly like the runner's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gameday.execute.journal import read_journal
from gameday.render.report_json import render_json
from gameday.score import score_journal


def journal(
    pattern: str,
    *,
    rto: float | None = 2.0,
    objective: float = 0.9,
    outcome: str = "completed",
    audit: dict[str, Any] | None = None,
    rpo: float | None = None,
    name: str = "s",
    landed: bool | None = True,
) -> list[dict[str, Any]]:
    """A scenario whose fault window is t=[1.0, 2.0) and whose http probe samples every 0.1 s.

    `pattern` is one character per sample from t=0: '.' good, 'x' failing.
    """
    spec = {
        "name": name,
        "owner": "team",
        "service": "svc",
        "description": "",
        "hypothesis": None,
        "fault": {"type": "process-kill"},
        "steady_state": {"probes": [{"name": "web", "type": "http"}]},
        "slos": [
            {"name": "availability", "kind": "availability", "probe": "web", "objective": objective}
        ],
        "recovery": {"rto": rto, "rpo": rpo, "stabilization": 0.3},
        "weights": {"slo": 40, "recovery": 30, "data": 15, "detection": 15},
    }
    samples = [[round(i * 0.1, 6), int(c == "."), 0.01, None, None] for i, c in enumerate(pattern)]
    end = round(len(pattern) * 0.1, 6)
    records: list[dict[str, Any]] = [
        {
            "type": "run-start",
            "t": 0.0,
            "wall": 0.0,
            "run_id": "r",
            "name": name,
            "kind": "scenario",
            "entries": [{"scenario": name, "weight": 1.0}],
        },
        {"type": "scenario-start", "t": 0.0, "scenario": name, "spec": spec},
        {"type": "phase", "t": 0.0, "scenario": name, "phase": "steady-state"},
        {
            "type": "plan",
            "t": 0.0,
            "scenario": name,
            "injection": {"targets": ["pid:1 web"], "evidence": {}},
        },
        {"type": "phase", "t": 1.0, "scenario": name, "phase": "observe"},
        {
            "type": "injection-applied",
            "t": 1.0,
            "scenario": name,
            "injection": {"targets": ["pid:1 web"], "evidence": {}},
        },
        {
            "type": "fault-landing",
            "t": 1.0,
            "scenario": name,
            "confirmed": landed,
            "checked": "pid 1 gone",
            "evidence": {},
        },
        {"type": "injection-reverted", "t": 2.0, "scenario": name},
        {"type": "phase", "t": 2.5, "scenario": name, "phase": "verify"},
        {"type": "phase", "t": end, "scenario": name, "phase": "rollback"},
        {"type": "samples", "scenario": name, "probe": "web", "s": samples},
    ]
    if audit is not None:
        records.append({"type": "data-audit", "t": end, "scenario": name, "audit": audit})
    records += [
        {"type": "scenario-end", "t": end, "scenario": name, "outcome": outcome, "reason": ""},
        {"type": "run-end", "t": end},
    ]
    return records


def test_clean_run_scores_100() -> None:
    card = score_journal(journal("." * 40))
    (s,) = card.scenarios
    assert (s.verdict, s.score, s.grade) == ("pass", 100.0, "A")
    # the probe never failed: no time to recover, and the report says why (never "0.00s")
    assert (s.time_to_recover, s.recovery) == (None, "no impact observed")
    assert s.components["recovery"] == 100.0
    assert card.score == 100.0 and card.verdict == "pass"


def test_outage_burns_budget_and_recovery_time() -> None:
    # window [1.0, 2.5]: 16 samples (t=1.0..2.5), of which t=1.0..1.4 fail -> 5 bad
    pattern = "." * 10 + "x" * 5 + "." * 25
    (s,) = score_journal(journal(pattern, objective=0.9, rto=0.2)).scenarios
    availability = s.slos[0]
    assert availability.detail == "11/16 good"
    assert availability.measured == pytest.approx(11 / 16)  # 0.6875
    # budget allowed = 1 - 0.9 = 0.1; burned = (1 - 0.6875) / 0.1 = 3.125
    assert availability.budget_consumed == pytest.approx(3.125)
    # SLO score: 100 * (2 - 3.125) < 0 -> 0
    assert s.components["slo"] == 0.0
    # recovered when the good sample at t=1.5 answered: 1.51 - 1.0 = 0.51 s; RTO 0.2 s
    assert s.time_to_recover == pytest.approx(0.51)
    # recovery score: ceiling 3 x 0.2 = 0.6; 100 * (0.6 - 0.51) / (0.6 - 0.2) = 22.5
    assert s.components["recovery"] == pytest.approx(22.5)
    # weighted over the components present: (0 * 40 + 22.5 * 30) / (40 + 30) = 9.6
    assert s.formula is not None and s.formula.mean == pytest.approx(9.6)
    # it missed objectives: capped at 79 x (100 + w) / 200, w = the worst missed objective's
    # score (the SLO, 0): 79 x 100 / 200 = 39.5; the mean 9.6 is lower and stands
    assert s.formula.caps[0][1] == 39.5
    assert s.score == pytest.approx(9.6)
    assert s.verdict == "fail" and s.grade == "F"
    assert any("RTO exceeded: recovered in 0.51s, objective 0.2s" in r for r in s.reasons)


def test_partial_budget_burn_scores_between() -> None:
    # 1 bad of 16 in the window: ratio 0.9375 >= 0.9 objective, met
    (s,) = score_journal(journal("." * 12 + "x" + "." * 27, objective=0.9, rto=2.0)).scenarios
    assert s.slos[0].met and s.slos[0].budget_consumed == pytest.approx(0.625)  # 0.0625 / 0.1
    assert s.score == 100.0
    # 2 bad of 16 at objective 0.9: ratio 0.875 < 0.9, burned 1.25 -> SLO score 100 * (2 - 1.25) = 75
    (s,) = score_journal(journal("." * 12 + "xx" + "." * 26, objective=0.9, rto=2.0)).scenarios
    assert s.slos[0].score == pytest.approx(75.0)
    # (75 * 40 + 100 * 30) / 70 = 85.714... -> 85.7, a B if it had passed; but the SLO was
    # missed, so the score is capped at 79 x (100 + 75) / 200 = 69.125 -> 69.1 (D): a failure
    # is never an A or B
    assert s.formula is not None and s.formula.mean == pytest.approx(85.7)
    assert s.score == pytest.approx(69.1) and s.grade == "D" and s.verdict == "fail"


def test_data_loss_against_rpo() -> None:
    audit = {
        "acknowledged": 100,
        "missing": 20,
        "lost_span": 2.0,
        "first_missing_t": 0.5,
        "last_missing_t": 2.4,
    }
    (s,) = score_journal(journal("." * 40, rpo=1.0, audit=audit)).scenarios
    # data: ceiling 3 x 1.0 = 3.0; 100 * (3.0 - 2.0) / (3.0 - 1.0) = 50
    assert s.components["data"] == 50.0
    # (100 * 40 + 100 * 30 + 50 * 15) / 85 = 91.176... -> 91.2; RPO missed, data scored 50:
    # capped at 79 x (100 + 50) / 200 = 59.25 -> 59.2
    assert s.formula is not None and s.formula.mean == pytest.approx(91.2)
    assert s.score == pytest.approx(59.2) and s.grade == "F"
    assert (
        s.verdict == "fail"
        and "RPO exceeded: lost 2.00s of acknowledged writes, objective 1s" in s.reasons
    )


@pytest.mark.parametrize(
    ("outcome", "verdict"),
    [("aborted", "aborted"), ("recovery-failed", "fail"), ("not-restored", "fail")],
)
def test_gated_outcomes_never_pass_and_cap_at_50(outcome: str, verdict: str) -> None:
    (s,) = score_journal(journal("." * 40, outcome=outcome)).scenarios
    assert s.verdict == verdict and s.score == 50.0 and s.reasons[0].startswith(outcome)


def test_fault_that_touched_nothing_is_not_a_pass() -> None:
    records = journal("." * 40)
    for r in records:
        if r["type"] in ("plan", "injection-applied"):
            r["injection"]["targets"] = []
    (s,) = score_journal(records).scenarios
    assert s.verdict == "fail" and "the fault touched nothing" in s.reasons


def test_not_run_has_no_score_and_counts_as_zero_in_the_drill() -> None:
    records = journal("." * 40, name="a")[:-1] + journal("." * 40, outcome="not-run", name="b")[1:]
    records[0]["entries"] = [{"scenario": "a", "weight": 1.0}, {"scenario": "b", "weight": 3.0}]
    card = score_journal(records)
    a, b = card.scenarios
    assert (a.score, b.score, b.verdict) == (100.0, None, "not-run")
    assert card.score == 25.0  # (100 * 1 + 0 * 3) / 4


def test_rescoring_is_deterministic(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in journal("." * 10 + "x" * 5 + "." * 25)))
    first = render_json(score_journal(read_journal(path)))
    second = render_json(score_journal(read_journal(path)))
    # rto 2 s: recovery 100; SLO 0 -> (0 * 40 + 100 * 30) / 70 = 42.857... -> 42.9,
    # capped at 79 x (100 + 0) / 200 = 39.5 because the SLO (scored 0) was missed
    scenario = json.loads(first)["scenarios"][0]
    assert first == second and scenario["formula"]["mean"] == 42.9 and scenario["score"] == 39.5


def test_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in journal("." * 40)) + '{"type": "samp')
    assert score_journal(read_journal(path)).scenarios[0].score == 100.0
