"""Prometheus SLI numbers that survive real metrics, scored from journaled records:
a 0/0 window is "no traffic" (neither met nor missed), NaN never satisfies an objective,
and a latency miss is scored by its size. Arithmetic written out."""

from __future__ import annotations

import pytest

from gameday.score import score_journal
from tests.score.test_score import journal
from tests.score.test_score_prometheus import CLEAN, RATIO, prometheus_slo

BURN = {"kind": "burn-rate", "objective": 0.999, "sli": RATIO, "burn_windows": [[30.0, 5.0, 10.0]]}


def test_a_window_without_traffic_is_neither_met_nor_missed() -> None:
    records = prometheus_slo(
        journal(CLEAN),
        {"kind": "availability", "objective": 0.99, "sli": RATIO},
        {"errors": 0.0, "total": 0.0, "window": "2500ms", "no_traffic": True},
    )
    (s,) = score_journal(records).scenarios
    (slo,) = s.slos
    assert (slo.met, slo.score) == (None, None)
    assert slo.detail.startswith("no traffic over 2500ms")
    # it cannot pass the scenario by itself: the rest was clean, the verdict is inconclusive
    assert s.verdict == "inconclusive"
    assert s.reasons == (f"SLO 'p' not judged: {slo.detail}",)


def test_no_traffic_then_a_50x_burn_is_missed_not_met() -> None:
    # first moment 0/0 in both windows (journaled as None), then both at 50x a 10x page:
    # worst 50 / 10 = 5 of the paging rate -> missed, 100 x (2 - 5) < 0 -> 0
    measured = {
        "pairs": [
            {
                "long": 30.0,
                "short": 5.0,
                "factor": 10.0,
                "points": [[1, None, None], [2, 50.0, 50.0]],
            }
        ]
    }
    (slo,) = score_journal(prometheus_slo(journal(CLEAN), BURN, measured)).scenarios[0].slos
    assert (slo.met, slo.measured, slo.score) == (False, 5.0, 0.0)


def test_nan_never_satisfies_an_objective() -> None:
    latency = {
        "kind": "latency",
        "percentile": 99,
        "below": 0.5,
        "sli": {"type": "histogram", "buckets": "b"},
    }
    (slo,) = (
        score_journal(prometheus_slo(journal(CLEAN), latency, {"seconds": float("nan")}))
        .scenarios[0]
        .slos
    )
    assert (slo.met, slo.score) == (False, 0.0)
    threshold = {"kind": "threshold", "below": 1.0, "sli": {"type": "promql", "expr": "x"}}
    (slo,) = (
        score_journal(
            prometheus_slo(
                journal(CLEAN),
                threshold,
                {"min": float("nan"), "max": float("nan"), "points": [], "series": 1},
            )
        )
        .scenarios[0]
        .slos
    )
    assert slo.met is False


@pytest.mark.parametrize(("seconds", "score"), [(0.515, 98.5), (1.0, 50.0), (3.0, 0.0)])
def test_a_latency_miss_is_scored_by_its_size(seconds: float, score: float) -> None:
    # bound 0.5 s: 100 x (1.5 - measured) / (1.5 - 0.5): 0.515 -> 98.5, 1.0 -> 50, >= 1.5 -> 0
    latency = {
        "kind": "latency",
        "percentile": 99,
        "below": 0.5,
        "sli": {"type": "histogram", "buckets": "b"},
    }
    (slo,) = (
        score_journal(prometheus_slo(journal(CLEAN), latency, {"seconds": seconds}))
        .scenarios[0]
        .slos
    )
    assert (slo.met, slo.score) == (False, score)
