"""Continuous probe loops: one thread per probe, on a fixed schedule without drift.

Samples go to the journal as they are taken (the runner's `on_sample`); a loop keeps in
memory only the recent ones the runner still asks about (steady-state and verify holds,
stop-condition windows, wait_for), so memory and the cost of a sample stay flat however
long an observation runs.
"""

from __future__ import annotations

import bisect
import math
import threading
from collections.abc import Callable

from gameday.model.scenario import Probe, Scenario
from gameday.plugins.protocols import ProbeSession, Sample

OnSample = Callable[[str, Sample], None]

MIN_HORIZON = 30.0
"""Seconds of samples kept at least, whatever the scenario's windows (wait_for and the
live view look back a little)."""


class SampleWindow:
    """The samples of the last `horizon` seconds, in time order. Appending is amortised
    O(1) (old samples are dropped in chunks); `since(t)` is a binary search."""

    def __init__(self, horizon: float):
        self.horizon = horizon
        self._samples: list[Sample] = []
        self._times: list[float] = []
        self.count = 0
        """Samples appended in all (kept or dropped)."""

    def append(self, sample: Sample) -> None:
        self._samples.append(sample)
        self._times.append(sample.t)
        self.count += 1
        cut = bisect.bisect_left(self._times, sample.t - self.horizon)
        if cut > len(self._times) // 2:  # drop in chunks: each sample is moved O(1) times
            del self._samples[:cut]
            del self._times[:cut]

    def since(self, t: float) -> list[Sample]:
        return self._samples[bisect.bisect_left(self._times, t) :]

    def all(self) -> list[Sample]:
        return list(self._samples)


class ProbeLoop(threading.Thread):
    """Samples `session` every `probe.every` seconds until stopped."""

    def __init__(
        self,
        probe: Probe,
        session: ProbeSession,
        clock: Callable[[], float],
        on_sample: OnSample,
        horizon: float = MIN_HORIZON,
    ):
        super().__init__(name=f"probe-{probe.name}", daemon=True)
        self.probe, self.session, self.clock, self.on_sample = probe, session, clock, on_sample
        self.window = SampleWindow(horizon)
        self._lock = threading.Lock()
        self._stop_event = threading.Event()

    def run(self) -> None:
        every = self.probe.every
        start = self.clock()
        tick = 0
        while not self._stop_event.is_set():
            self.record(self.session.sample(self.clock()))
            now = self.clock()
            tick = max(tick + 1, math.floor((now - start) / every) + 1)
            self._stop_event.wait(max(0.0, start + tick * every - now))

    def record(self, sample: Sample) -> None:
        with self._lock:
            self.window.append(sample)
        self.on_sample(self.probe.name, sample)

    def since(self, t: float) -> list[Sample]:
        with self._lock:
            return self.window.since(t)

    def recent(self) -> list[Sample]:
        with self._lock:
            return self.window.all()

    def stop(self) -> None:
        self._stop_event.set()


class Sampler:
    """All probe loops of one scenario; recent samples by probe name."""

    def __init__(self, horizon: float = MIN_HORIZON) -> None:
        self.loops: dict[str, ProbeLoop] = {}
        self.horizon = horizon

    @classmethod
    def for_scenario(cls, s: Scenario) -> Sampler:
        """Keeps as much as the longest window the runner looks back over."""
        windows = [s.steady_state.window, s.recovery.stabilization]
        windows += [c.window for c in s.abort_when]
        return cls(max(MIN_HORIZON, 2 * max(windows)))

    def add(self, loop: ProbeLoop) -> None:
        loop.window.horizon = self.horizon
        self.loops[loop.probe.name] = loop
        loop.start()

    def samples(self, probe: str) -> list[Sample]:
        """The probe's recent samples (the last `horizon` seconds at least)."""
        return self.loops[probe].recent()

    def since(self, probe: str, t: float) -> list[Sample]:
        return self.loops[probe].since(t)

    def stop(self) -> None:
        for loop in self.loops.values():
            loop.stop()
        for loop in self.loops.values():
            loop.join(timeout=5)
            loop.session.close()
