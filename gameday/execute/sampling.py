"""Continuous probe loops: one thread per probe, on a fixed schedule without drift."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable

from gameday.model.scenario import Probe
from gameday.plugins.protocols import ProbeSession, Sample

OnSample = Callable[[str, Sample], None]


class ProbeLoop(threading.Thread):
    """Samples `session` every `probe.every` seconds until stopped."""

    def __init__(
        self, probe: Probe, session: ProbeSession, clock: Callable[[], float], on_sample: OnSample
    ):
        super().__init__(name=f"probe-{probe.name}", daemon=True)
        self.probe, self.session, self.clock, self.on_sample = probe, session, clock, on_sample
        self.samples: list[Sample] = []
        self._stop_event = threading.Event()

    def run(self) -> None:
        every = self.probe.every
        start = self.clock()
        tick = 0
        while not self._stop_event.is_set():
            sample = self.session.sample(self.clock())
            self.samples.append(sample)
            self.on_sample(self.probe.name, sample)
            now = self.clock()
            tick = max(tick + 1, math.floor((now - start) / every) + 1)
            self._stop_event.wait(max(0.0, start + tick * every - now))

    def stop(self) -> None:
        self._stop_event.set()


class Sampler:
    """All probe loops of one scenario, with the latest samples by probe name."""

    def __init__(self) -> None:
        self.loops: dict[str, ProbeLoop] = {}

    def add(self, loop: ProbeLoop) -> None:
        self.loops[loop.probe.name] = loop
        loop.start()

    def samples(self, probe: str) -> list[Sample]:
        return list(self.loops[probe].samples)

    def since(self, probe: str, t: float) -> list[Sample]:
        return [s for s in self.loops[probe].samples if s.t >= t]

    def stop(self) -> None:
        for loop in self.loops.values():
            loop.stop()
        for loop in self.loops.values():
            loop.join(timeout=5)
            loop.session.close()
