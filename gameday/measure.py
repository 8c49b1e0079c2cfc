"""Measurements computed from probe samples alone (pure functions, no I/O).

A failing sample is stamped at the time its request *started*; a good sample counts
from the time its answer *arrived* (start + latency). That way a request that hung
through a freeze and succeeded on thaw ends the outage at the thaw, not when it was
sent, and measured outages match true ones within one probe interval.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from gameday.plugins.protocols import Sample


@dataclass(frozen=True)
class Outage:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def window(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """Samples sent in [start, end]."""
    return [s for s in samples if start <= s.t <= end]


def _arrived(s: Sample) -> float:
    return s.t + (s.latency or 0.0)


class Scan:
    """One pass over a probe's samples, in journal order, for the fault window
    [start, end]: its outages, the first failure and the recovery. It keeps a few
    numbers, never the samples, so an 8-hour probe costs what a 20-second one does.

    Only samples whose request was in flight at some time in [start, end] count: a
    request sent just before the fault and failed by it belongs to the fault.
    """

    def __init__(self, start: float, end: float, keep: bool = False):
        self.start, self.end = start, end
        self.total: float = 0
        """Sum of the outages' durations, added in order (0, an int, as `sum` gives,
        when there were none: the report shows exactly what it always did)."""
        self.longest: float | None = None
        self.kept: list[Outage] | None = [] if keep else None
        self._opened: float | None = None
        self.first_bad: Sample | None = None
        self._after_bad: Sample | None = None
        """The first good sample since the latest failure."""
        self._last: Sample | None = None

    def add(self, s: Sample) -> None:
        if _arrived(s) < self.start or s.t > self.end:
            return
        self._last = s
        if not s.ok:
            if self.first_bad is None:
                self.first_bad = s
            self._after_bad = None
            if self._opened is None:
                self._opened = max(s.t, self.start)
        else:
            if self.first_bad is not None and self._after_bad is None:
                self._after_bad = s
            if self._opened is not None:
                self._close(Outage(self._opened, max(self._opened, _arrived(s))))

    def _close(self, outage: Outage) -> None:
        self._opened = None
        self.total += outage.duration
        longest = self.longest
        self.longest = outage.duration if longest is None else max(longest, outage.duration)
        if self.kept is not None:
            self.kept.append(outage)

    def finish(self) -> Scan:
        """Closes an outage still open at the end of the window (call once, after the
        last sample)."""
        if self._opened is not None:
            self._close(Outage(self._opened, self.end))
        return self

    def time_to_detect(self) -> float | None:
        """Seconds from `start` to the first failing sample (None: no impact seen)."""
        return None if self.first_bad is None else max(0.0, self.first_bad.t - self.start)

    def recovered_at(self, stabilization: float) -> float | None:
        """When the probe was good again and stayed good for `stabilization` seconds:
        `start` if it never failed; None if it never recovered (or the window ended
        before a full stabilisation window of good samples was seen)."""
        if self.first_bad is None:
            return self.start
        if self._after_bad is None or self._last is None:
            return None
        back = _arrived(self._after_bad)
        if self._last.t < back + stabilization - 1e-9:
            return None
        return back


def _scan(samples: Sequence[Sample], start: float, end: float, keep: bool = False) -> Scan:
    found = Scan(start, end, keep)
    for s in samples:
        found.add(s)
    return found.finish()


def outages(samples: Sequence[Sample], start: float, end: float) -> list[Outage]:
    """Maximal runs of failing samples in [start, end], each closed by the next good answer."""
    return _scan(samples, start, end, keep=True).kept or []


def time_to_detect(samples: Sequence[Sample], inject_t: float, end: float) -> float | None:
    """Seconds from injection to the first failing sample (None: no impact seen)."""
    return _scan(samples, inject_t, end).time_to_detect()


def recovered_at(
    samples: Sequence[Sample], inject_t: float, end: float, stabilization: float
) -> float | None:
    """When the probe was good again and stayed good for `stabilization` seconds.

    `inject_t` if it never failed; None if it never recovered (or the run ended before
    a full stabilisation window of good samples was seen).
    """
    return _scan(samples, inject_t, end).recovered_at(stabilization)


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in (0, 100]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


def counted_percentile(counts: Counter[float], pct: float) -> float | None:
    """`percentile` of the values `counts` holds (value -> how many times it was seen)."""
    n = sum(counts.values())
    if not n:
        return None
    rank = max(1, math.ceil(pct / 100.0 * n))
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return None  # unreachable: the counts add up to n


@dataclass(frozen=True)
class PhaseStats:
    samples: int
    good: int
    p50: float | None
    p95: float | None
    p99: float | None


class WindowStats:
    """What scoring needs of the samples sent in [start, end], kept as they stream by:
    counts, the latencies as value -> count (exact percentiles; the journal rounds a
    latency to the microsecond, so this is bounded by the spread of latencies, not by
    the number of samples), and the smallest and largest value."""

    def __init__(self, start: float, end: float):
        self.start, self.end = start, end
        self.count = 0
        self.good = 0
        self.latencies: Counter[float] = Counter()
        self.values = 0
        self.low: float | None = None
        self.high: float | None = None

    def add(self, s: Sample) -> None:
        if not self.start <= s.t <= self.end:
            return
        self.count += 1
        self.good += s.ok
        if s.latency is not None:
            self.latencies[s.latency] += 1
        value = s.value
        if value is None:
            return
        self.values += 1
        if self.low is None or value < self.low:  # as min() and max() compare, in order
            self.low = value
        if self.high is None or value > self.high:
            self.high = value

    def percentile(self, pct: float) -> float | None:
        return counted_percentile(self.latencies, pct)

    def phase_stats(self) -> PhaseStats:
        return PhaseStats(
            self.count, self.good, self.percentile(50), self.percentile(95), self.percentile(99)
        )

    @classmethod
    def of(cls, samples: Sequence[Sample], start: float, end: float) -> WindowStats:
        stats = cls(start, end)
        for s in samples:
            stats.add(s)
        return stats


def phase_stats(samples: Sequence[Sample]) -> PhaseStats:
    latencies = [s.latency for s in samples if s.latency is not None]
    return PhaseStats(
        len(samples),
        sum(s.ok for s in samples),
        percentile(latencies, 50),
        percentile(latencies, 95),
        percentile(latencies, 99),
    )


def linear_score(measured: float, target: float, zero_at: float) -> float:
    """100 at or under `target`, falling linearly to 0 at `zero_at` x target."""
    if measured <= target:
        return 100.0
    if target <= 0:
        return 0.0
    ceiling = target * zero_at
    return max(0.0, 100.0 * (ceiling - measured) / (ceiling - target))
