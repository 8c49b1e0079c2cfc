"""Measurement arithmetic on hand-written sample series."""

from __future__ import annotations

import pytest

from gameday.measure import Outage, linear_score, outages, percentile, recovered_at, time_to_detect
from gameday.plugins.protocols import Sample


def series(
    pattern: str, every: float = 0.1, latency: float = 0.01, start: float = 0.0
) -> list[Sample]:
    """'.' = good sample, 'x' = failing sample, one every `every` seconds from `start`."""
    return [Sample(round(start + i * every, 6), c == ".", latency) for i, c in enumerate(pattern)]


def test_outage_runs_from_first_failure_to_next_good_answer() -> None:
    # failures at t=0.3, 0.4, 0.5; the good sample at 0.6 answers at 0.6 + 0.01
    found = outages(series("...xxx...."), 0.0, 1.0)
    assert found == [Outage(0.3, 0.61)]
    assert found[0].duration == pytest.approx(0.31)


def test_a_slow_good_answer_ends_the_outage_when_it_arrives() -> None:
    # a request sent at 0.4 hangs (frozen server) and succeeds 1.5 s later, at 1.9
    samples = [
        Sample(0.0, True, 0.01),
        Sample(0.1, False, 0.3),
        Sample(0.4, True, 1.5),
        Sample(2.0, True, 0.01),
    ]
    assert outages(samples, 0.0, 3.0) == [Outage(0.1, 1.9)]


def test_outage_still_open_at_the_end_is_closed_by_the_window() -> None:
    assert outages(series("..xx"), 0.0, 0.5) == [Outage(0.2, 0.5)]


def test_time_to_detect() -> None:
    assert time_to_detect(series("....xx..."), inject_t=0.2, end=1.0) == pytest.approx(0.2)
    assert time_to_detect(series("........."), inject_t=0.2, end=1.0) is None


def test_recovery_needs_a_full_stabilisation_window() -> None:
    samples = series("..xxx.x.........")  # last failure at 0.6; good from 0.7 (answers at 0.71)
    assert recovered_at(samples, 0.2, 1.6, stabilization=0.5) == pytest.approx(0.71)
    # the last sample is at 1.5, so a 1 s window after 0.71 has not been seen yet
    assert recovered_at(samples, 0.2, 1.6, stabilization=1.0) is None
    assert recovered_at(series("......"), 0.2, 0.6, stabilization=0.1) == 0.2  # never failed


def test_nearest_rank_percentile() -> None:
    values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]
    assert percentile(values, 50) == 0.5  # rank ceil(0.5 * 10) = 5
    assert percentile(values, 95) == 1.0  # rank ceil(9.5) = 10
    assert percentile(values, 10) == 0.1
    assert percentile([], 99) is None


@pytest.mark.parametrize(
    ("measured", "target", "expected"),
    [(5, 10, 100.0), (10, 10, 100.0), (20, 10, 50.0), (30, 10, 0.0), (40, 10, 0.0), (15, 10, 75.0)],
)
def test_linear_score_falls_to_zero_at_three_times_target(
    measured: float, target: float, expected: float
) -> None:
    # ceiling = 3 x target; score = 100 * (ceiling - measured) / (ceiling - target)
    assert linear_score(measured, target, 3.0) == pytest.approx(expected)
