"""Score arithmetic for detection and Prometheus SLIs, numbers written out, on journals
shaped like the runner's (alert-fired / sli-measured records)."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.score import score_journal
from tests.score.test_score import journal

CLEAN = "." * 40  # the probe never fails: SLO 100, recovery 100


def with_detection(
    records: list[dict[str, Any]], *fired: tuple[str, float]
) -> list[dict[str, Any]]:
    spec = records[1]["spec"]
    spec["detection"] = {
        "source": "prometheus",
        "expect_alerts": [
            {"name": "StoreDown", "within": 2.0, "labels": {}},
            {"name": "HighErrors", "within": 1.0, "labels": {}},
        ],
    }
    end = records.index(next(r for r in records if r["type"] == "scenario-end"))
    for name, t in fired:
        records.insert(
            end, {"type": "alert-fired", "t": t, "scenario": "s", "alert": name, "labels": {}}
        )
    return records


def test_alerts_on_time_late_and_missed() -> None:
    # injected at t=1.0. StoreDown fired at 2.5 -> detected in 1.5 s, within 2 s: 100.
    # HighErrors never fired: monitoring gap, 0. Detection = (100 + 0) / 2 = 50.
    (s,) = score_journal(with_detection(journal(CLEAN), ("StoreDown", 2.5))).scenarios
    by_name = {a.name: a for a in s.alerts}
    assert (by_name["StoreDown"].status, by_name["StoreDown"].time_to_detect) == ("on time", 1.5)
    assert by_name["HighErrors"].status == "missed"
    assert s.components["detection"] == 50.0
    # weights slo 40, recovery 30, detection 15: (100*40 + 100*30 + 50*15) / 85 = 91.18 -> 91.2;
    # a missed alert (scored 0) caps it at 79 x (100 + 0) / 200 = 39.5
    assert s.formula is not None and s.formula.mean == pytest.approx(91.2)
    assert s.score == pytest.approx(39.5)
    assert (
        "monitoring gap: alert HighErrors never fired (expected within 1s of the fault)"
        in s.reasons
    )
    assert s.verdict == "fail"  # a gap is a finding: the scenario does not pass


def test_a_late_alert_scores_linearly_to_zero_at_three_times_its_target() -> None:
    # HighErrors within 1 s, fired 2 s after injection: 100 * (3 - 2) / (3 - 1) = 50.
    # StoreDown within 2 s, fired 7 s after: past 3 x 2 s = 6 s -> 0. Mean 25.
    (s,) = score_journal(
        with_detection(journal(CLEAN), ("HighErrors", 3.0), ("StoreDown", 8.0))
    ).scenarios
    assert {a.name: a.score for a in s.alerts} == {"StoreDown": 0.0, "HighErrors": 50.0}
    assert s.components["detection"] == 25.0
    assert "alert HighErrors fired late: after 2.0s, expected within 1s" in s.reasons


def test_an_alert_already_firing_before_the_fault_proves_nothing() -> None:
    (s,) = score_journal(with_detection(journal(CLEAN), ("StoreDown", 0.5))).scenarios
    assert s.alerts[0].status == "already firing" and s.alerts[0].score == 0.0


def prometheus_slo(
    records: list[dict[str, Any]], slo: dict[str, Any], measured: dict[str, Any]
) -> list[dict[str, Any]]:
    spec = records[1]["spec"]
    spec["slos"] = [{"name": "p", "probe": None, **slo}]
    end = records.index(next(r for r in records if r["type"] == "scenario-end"))
    records.insert(end, {"type": "sli-measured", "t": 3.9, "scenario": "s", "slo": "p", **measured})
    return records


RATIO = {"type": "ratio", "errors": 'e{job="web"}', "total": 't{job="web"}'}


def test_prometheus_availability_from_counted_errors() -> None:
    # 30 errors of 1,000 requests: 97% good against 99%: budget 1%, burned 3% / 1% = 3.0
    # SLO score 100 * (2 - 3) < 0 -> 0
    records = prometheus_slo(
        journal(CLEAN),
        {"kind": "availability", "objective": 0.99, "sli": RATIO},
        {"errors": 30.0, "total": 1000.0, "window": "2s"},
    )
    (s,) = score_journal(records).scenarios
    (slo,) = s.slos
    assert (slo.measured, slo.met, slo.budget_consumed, slo.score) == (0.97, False, 3.0, 0.0)
    # 5 errors of 1,000 against 99%: burned 0.5, met, 100
    records = prometheus_slo(
        journal(CLEAN),
        {"kind": "availability", "objective": 0.99, "sli": RATIO},
        {"errors": 5.0, "total": 1000.0, "window": "2s"},
    )
    (slo,) = score_journal(records).scenarios[0].slos
    assert (slo.measured, slo.met, slo.budget_consumed, slo.score) == (0.995, True, 0.5, 100.0)


def test_burn_rate_needs_both_windows_over_the_factor_at_once() -> None:
    slo = {
        "kind": "burn-rate",
        "objective": 0.999,
        "sli": RATIO,
        "burn_windows": [[30.0, 5.0, 10.0]],
    }
    # long burns 20x while short burns 5x, then long 8x while short 30x: never both > 10.
    # Each moment counts the slower window: min(20, 5) = 5, min(8, 30) = 8; the worst is
    # 8 -> 0.8 of the paging rate: met.
    staggered = {
        "pairs": [
            {"long": 30.0, "short": 5.0, "factor": 10.0, "points": [[1, 20.0, 5.0], [2, 8.0, 30.0]]}
        ]
    }
    (met,) = score_journal(prometheus_slo(journal(CLEAN), slo, staggered)).scenarios[0].slos
    assert (met.met, met.measured, met.score) == (True, 0.8, 100.0)
    # both at 15x at t=2: 1.5 of the paging rate -> missed, score 100 * (2 - 1.5) = 50
    both = {
        "pairs": [
            {"long": 30.0, "short": 5.0, "factor": 10.0, "points": [[1, 2.0, 1.0], [2, 15.0, 15.0]]}
        ]
    }
    (missed,) = score_journal(prometheus_slo(journal(CLEAN), slo, both)).scenarios[0].slos
    assert (missed.met, missed.measured, missed.score) == (False, 1.5, 50.0)


def test_an_unmeasurable_prometheus_sli_is_missed_never_passed() -> None:
    records = prometheus_slo(
        journal(CLEAN),
        {"kind": "threshold", "below": 1.0, "sli": {"type": "promql", "expr": "typo_metric"}},
        {
            "error": "PromQL returned no series over the fault window: typo_metric",
            "hint": "check the metric name",
        },
    )
    (s,) = score_journal(records).scenarios
    (slo,) = s.slos
    assert (slo.met, slo.score) == (False, 0.0)
    assert "no series" in slo.detail and "hint: check the metric name" in slo.detail
    assert s.verdict == "fail"
