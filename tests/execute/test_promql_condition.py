"""A PromQL stop condition read through a Prometheus that fails: a blip is not a trip,
a Prometheus unreadable for BLIND_AFTER seconds is (fail safe), and an answer resets it."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any, cast

import pytest

from gameday.errors import DependencyError
from gameday.execute.alerts import BLIND_AFTER, PromqlCondition
from gameday.execute.observing import Observing
from gameday.model.scenario import AbortCondition
from gameday.plugins.protocols import Injection, Sample


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


class Recorded:
    """The sampler, journal and view of a scenario, as far as the stop conditions use them."""

    def __init__(self) -> None:
        self.kept: list[Sample] = []

    def since(self, probe: str, t: float) -> list[Sample]:
        return [s for s in self.kept if s.t >= t]

    def sample(self, *args: object) -> None:
        pass


class Watching(Observing):
    """A scenario injected at t=0 whose one stop condition is `promql` with `for`."""

    def __init__(self, window: float) -> None:
        self.s = cast(
            Any, SimpleNamespace(name="s", abort_when=(AbortCondition(window, promql="up == 0"),))
        )
        self.sampler = self.journal = self.view = cast(Any, Recorded())
        self.inject_t, self.outstanding = 0.0, [("s/f", Injection("f", ("t",)))]
        self.abort, self.abort_reason = threading.Event(), ""

    def write(self, record: object) -> None:
        pass


@pytest.mark.parametrize("window", [0.0, 2.0, BLIND_AFTER, 60.0])
def test_a_prometheus_that_stays_down_aborts_after_blind_after_plus_for(window: float) -> None:
    """Unreadable for BLIND_AFTER counts as true, then `for` applies as to any true
    answer, whether it is shorter or longer than BLIND_AFTER (docs/format.md)."""
    client = Flaky()
    client.down = True
    condition, watching = PromqlCondition(client, "up == 0"), Watching(window)
    recorded = cast(Recorded, watching.sampler)
    tripped = None
    for tick in range(0, 200):
        sample = condition.sample(tick * 0.5)  # down since injection, sampled twice a second
        recorded.kept.append(sample)
        watching._on_sample("abort-promql-1", sample)
        if watching.abort.is_set():
            tripped = sample.t
            break
    assert tripped == BLIND_AFTER + window, tripped
    assert "the stop condition cannot be checked: Prometheus unreadable for" in (
        watching.abort_reason
    )
