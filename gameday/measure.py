"""Measurements computed from probe samples alone (pure functions, no I/O).

A failing sample is stamped at the time its request *started*; a good sample counts
from the time its answer *arrived* (start + latency). That way a request that hung
through a freeze and succeeded on thaw ends the outage at the thaw, not when it was
sent, and measured outages match true ones within one probe interval.
"""

from __future__ import annotations

import math
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


def _overlapping(samples: Sequence[Sample], start: float, end: float) -> list[Sample]:
    """Samples whose request was in flight at some time in [start, end]: a request sent
    just before the fault and failed by it belongs to the fault."""
    return [s for s in samples if _arrived(s) >= start and s.t <= end]


def outages(samples: Sequence[Sample], start: float, end: float) -> list[Outage]:
    """Maximal runs of failing samples in [start, end], each closed by the next good answer."""
    found: list[Outage] = []
    opened: float | None = None
    for s in _overlapping(samples, start, end):
        if not s.ok and opened is None:
            opened = max(s.t, start)
        elif s.ok and opened is not None:
            found.append(Outage(opened, max(opened, _arrived(s))))
            opened = None
    if opened is not None:
        found.append(Outage(opened, end))
    return found


def time_to_detect(samples: Sequence[Sample], inject_t: float, end: float) -> float | None:
    """Seconds from injection to the first failing sample (None: no impact seen)."""
    first = next((s for s in _overlapping(samples, inject_t, end) if not s.ok), None)
    return None if first is None else max(0.0, first.t - inject_t)


def recovered_at(
    samples: Sequence[Sample], inject_t: float, end: float, stabilization: float
) -> float | None:
    """When the probe was good again and stayed good for `stabilization` seconds.

    `inject_t` if it never failed; None if it never recovered (or the run ended before
    a full stabilisation window of good samples was seen).
    """
    span = _overlapping(samples, inject_t, end)
    last_bad = max((i for i, s in enumerate(span) if not s.ok), default=None)
    if last_bad is None:
        return inject_t
    after = span[last_bad + 1 :]
    if not after:
        return None
    back = _arrived(after[0])
    if after[-1].t < back + stabilization - 1e-9:
        return None
    return back


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (pct in (0, 100]); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100.0 * len(ordered)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class PhaseStats:
    samples: int
    good: int
    p50: float | None
    p95: float | None
    p99: float | None


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
