"""A PromQL stop condition read through a Prometheus that fails: a blip is not a trip,
a Prometheus unreadable for BLIND_AFTER seconds is (fail safe), and an answer resets it."""

from __future__ import annotations

from typing import Any

from gameday.errors import DependencyError
from gameday.execute.alerts import BLIND_AFTER, PromqlCondition


class Flaky:
    def __init__(self) -> None:
        self.down = False
        self.series: list[dict[str, Any]] = []

    def instant(self, expr: str, at: float) -> list[dict[str, Any]]:
        if self.down:
            raise DependencyError("Prometheus http://127.0.0.1:9", "no answer within 10s")
        return self.series


def test_unreadable_trips_only_after_blind_after() -> None:
    client = Flaky()
    condition = PromqlCondition(client, "up == 0")
    assert condition.sample(0.0).ok
    client.down = True
    blip = [condition.sample(t) for t in (1.0, 2.0, 1.0 + BLIND_AFTER - 0.5)]
    assert all(s.ok for s in blip) and "unreadable for" in (blip[-1].detail or "")
    blind = condition.sample(1.0 + BLIND_AFTER)
    assert not blind.ok and "the stop condition cannot be checked" in (blind.detail or "")
    client.down = False
    assert condition.sample(20.0).ok, "readable again: not tripped"
    client.down = True
    assert condition.sample(21.0).ok, "a new outage starts its own grace"


def test_a_matching_series_trips_at_once() -> None:
    client = Flaky()
    client.series = [{"metric": {"job": "store"}, "value": [0, "0"]}]
    sample = PromqlCondition(client, 'up{job="store"} == 0').sample(0.0)
    assert not sample.ok and "1 series match" in (sample.detail or "")
