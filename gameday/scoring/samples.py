"""A scenario's probe samples, as scoring needs them, gathered while the journal streams
by: never the samples themselves (an 8-hour run at 10 Hz on three probes is 864,000 of
them), only what each measurement needs, asked for before the samples are read.

`gameday.score` reads the journal in two passes: the events (everything but samples),
from which each scenario says which windows, scans and chart series it will need
(`scoring.scenario.plan`); then the samples, fed into those. A window asked for only
after that (an SLO judged after an expected breach, which starts when the service
recovered) costs one more pass over that scenario's samples, made when it is asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from gameday.measure import Scan, WindowStats
from gameday.plugins.protocols import Sample

SERIES_LIMIT = 4000
"""A probe's chart series holds every sample up to this many; past it, the samples
are bucketed (`BUCKETS` over the scenario's span) and each bucket keeps its first and
last sample, its first and last failure, the first good answer after a failure and its
fastest and slowest good answers: an outage or a spike always shows."""
BUCKETS = 600
Feed = Callable[[Callable[[str, Sample], None]], None]
"""Replays one scenario's samples from the journal: (probe, sample) in journal order."""


class Gaps:
    """The samples sent in [start, end]: the first failure, and the longest time
    without a sample (counting from `start` and to `end`)."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end
        self.failed: Sample | None = None
        self._last = start
        self._gap: float | None = None

    def add(self, s: Sample) -> None:
        if not self.start <= s.t <= self.end:
            return
        if self.failed is None and not s.ok:
            self.failed = s
        self._widest(s.t - self._last)
        self._last = s.t

    def _widest(self, gap: float) -> None:
        self._gap = gap if self._gap is None else max(self._gap, gap)

    def longest(self) -> float:
        """Call once, after the last sample."""
        self._widest(self.end - self._last)
        return self._gap or 0.0


class Series:
    """A probe's samples for its chart, bounded (see `SERIES_LIMIT`)."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end
        self._all: list[Sample] | None = []
        self._buckets: dict[int, dict[str, tuple[int, Sample]]] = {}
        self._n = 0
        self._bad_before = False

    def add(self, s: Sample) -> None:
        if self._all is not None:
            self._all.append(s)
            if len(self._all) <= SERIES_LIMIT:
                return
            held, self._all, self._n = self._all, None, 0
            for sample in held:
                self._bucket(sample)
            return
        self._bucket(s)

    def _bucket(self, s: Sample) -> None:
        n, self._n = self._n, self._n + 1
        span = self.end - self.start
        at = int((s.t - self.start) / span * BUCKETS) if span > 0 else 0
        kept = self._buckets.setdefault(min(BUCKETS - 1, max(0, at)), {})
        kept.setdefault("first", (n, s))
        kept["last"] = (n, s)
        if not s.ok:
            kept.setdefault("first-bad", (n, s))
            kept["last-bad"] = (n, s)
        else:
            if self._bad_before:
                kept.setdefault("back", (n, s))
            latency = s.latency or 0.0
            if "fast" not in kept or latency < (kept["fast"][1].latency or 0.0):
                kept["fast"] = (n, s)
            if "slow" not in kept or latency > (kept["slow"][1].latency or 0.0):
                kept["slow"] = (n, s)
        self._bad_before = not s.ok

    def points(self) -> tuple[Sample, ...]:
        if self._all is not None:
            return tuple(self._all)
        chosen = {n: s for kept in self._buckets.values() for n, s in kept.values()}
        return tuple(chosen[n] for n in sorted(chosen))


A = TypeVar("A", WindowStats, Scan, Gaps, Series)
Gatherer = WindowStats | Scan | Gaps | Series


class SegmentSamples:
    """What one scenario's samples are needed for, keyed by (kind, probe, start, end);
    filled by `feed` (the sample pass), or by a pass of its own when asked for later."""

    def __init__(self, replay: Feed | None = None):
        self.replay = replay
        self._wanted: dict[tuple[str, str, float, float], Gatherer] = {}
        self._by_probe: dict[str, list[Gatherer]] = {}
        self._filled = False

    def want(self, kind: type[A], probe: str, start: float, end: float) -> A:
        key = (kind.__name__, probe, start, end)
        found = self._wanted.get(key)
        if found is None:
            found = kind(start, end)
            self._wanted[key] = found
            self._by_probe.setdefault(probe, []).append(found)
            if self._filled:  # asked for after the sample pass: one more pass, for it alone
                self._refill(probe, found)
        assert isinstance(found, kind)
        return found

    def add(self, probe: str, s: Sample) -> None:
        for gatherer in self._by_probe.get(probe, ()):
            gatherer.add(s)

    def filled(self) -> None:
        """The sample pass is over: finish the scans; later wants read again."""
        self._filled = True
        for gatherer in self._wanted.values():
            if isinstance(gatherer, Scan):
                gatherer.finish()

    def _refill(self, probe: str, gatherer: Gatherer) -> None:
        if self.replay is None:
            return

        def add(name: str, s: Sample) -> None:
            if name == probe:
                gatherer.add(s)

        self.replay(add)
        if isinstance(gatherer, Scan):
            gatherer.finish()

    def window(self, probe: str, start: float, end: float) -> WindowStats:
        return self.want(WindowStats, probe, start, end)

    def scan(self, probe: str, start: float, end: float) -> Scan:
        return self.want(Scan, probe, start, end)


def rows(
    batch: Iterable[tuple[float, int, float | None, float | None, str | None]],
) -> list[Sample]:
    return [Sample(r[0], bool(r[1]), r[2], r[3], r[4]) for r in batch]
