"""An hour of observation at 10 Hz on three probes with a stop condition: CPU and RSS
per simulated minute must stay flat (issue #16).

Samples are simulated (an hour of samples fed in about 40 s) through the runner's real
per-sample path: `ScenarioRun._on_sample` (journal,
view, stop-condition window) over the real `Sampler`, `JournalWriter` and `PlainView`.
The same-run baseline is the previous design, every sample held and each stop-condition
check scanning the probe's whole history, fed ten simulated minutes.

Targets: CPU per minute after an hour within 1.5x of a fresh run's (measured alternately); RSS growth over the
second half-hour <= 2 MiB (the first minutes warm the allocator and the journal's
buffers; after that nothing may grow with the sample count).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console

from gameday.execute.journal import Clock, JournalWriter
from gameday.execute.runner import RunOptions, ScenarioRun
from gameday.execute.sampling import ProbeLoop, SampleWindow
from gameday.execute.view import PlainView
from gameday.model.scenario import Scenario
from gameday.plugins.protocols import Injection, Sample
from gameday.validate import load

ROOT = Path(__file__).resolve().parents[1]
RATE, MINUTES, BASELINE_MINUTES = 10, 60, 10
WARM_UP, ALTERNATIONS = 2, 9
PACE = 0.6
"""Wall seconds per simulated minute (beyond the CPU it takes)."""


class HeldWindow(SampleWindow):
    """The previous design: every sample kept, `since` scanning all of them."""

    def append(self, sample: Sample) -> None:
        self._samples.append(sample)
        self.count += 1

    def since(self, t: float) -> list[Sample]:
        return [s for s in self._samples if s.t >= t]


class Idle:
    def sample(self, t: float) -> Sample:
        raise AssertionError("simulated: never sampled")

    def close(self) -> None:
        pass


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def harness(work: Path, window: type[SampleWindow]) -> tuple[ScenarioRun, list[ProbeLoop]]:
    scenario = load(ROOT / "scenarios" / "local" / "web-replica-kill.yaml")
    assert isinstance(scenario, Scenario) and scenario.abort_when
    journal = JournalWriter(work / "journal.jsonl", Clock())
    view = PlainView(Console(file=open(os.devnull, "w")))  # noqa: SIM115
    run = ScenarioRun(scenario, journal, view, RunOptions(auto_approve=True))
    loops = []
    for probe in scenario.steady_state.probes:
        loop = ProbeLoop(probe, Idle(), journal.clock, run._on_sample)
        loop.window = window(run.sampler.horizon)
        run.sampler.loops[probe.name] = loop  # fed by hand, never started
        loops.append(loop)
    run.inject_t = 0.0
    run.outstanding = [("sim", Injection("process-kill", ("pid:0 sim",)))]
    return run, loops


class Observation:
    """One simulated run, fed a minute at a time."""

    def __init__(self, work: Path, window: type[SampleWindow]) -> None:
        self.run, self.loops = harness(work, window)
        self.t = 0.0
        self.minutes: list[tuple[float, float]] = []
        """(CPU seconds, RSS MiB) at the end of each simulated minute."""

    def minute(self) -> float:
        cpu = time.process_time()
        for _ in range(60 * RATE):
            self.t += 1 / RATE
            for loop in self.loops:
                loop.record(Sample(self.t, True, 0.002, 200.0, "HTTP 200"))
        self.run.journal.flush()
        spent = time.process_time() - cpu
        self.minutes.append((spent, rss_mib()))
        # The view's summary (every second) and the journal's flusher (every 0.5 s) run
        # on the wall clock: give each simulated minute the wall time they need to run
        # at least once, as a real minute would, or their buffers measure the simulation.
        time.sleep(PACE)
        return spent

    def close(self) -> None:
        assert not self.run.abort.is_set()
        self.run.journal.close()


def observe(work: Path, window: type[SampleWindow], minutes: int) -> list[tuple[float, float]]:
    """(CPU seconds, RSS MiB) at the end of each simulated minute."""
    observation = Observation(work, window)
    for _ in range(minutes):
        observation.minute()
    observation.close()
    return observation.minutes


def late_against_fresh(work: Path, late: Observation) -> tuple[float, float]:
    """Median CPU of `late`'s next minutes and of a fresh run's early minutes, taken
    alternately, so that a slower phase of a shared machine (seen here: every minute 70%
    dearer for ten minutes at a time) weighs on both sides alike."""
    fresh = Observation(work, SampleWindow)
    for _ in range(WARM_UP):
        fresh.minute()
    late_cpu, fresh_cpu = [], []
    for _ in range(ALTERNATIONS):
        late_cpu.append(late.minute())
        fresh_cpu.append(fresh.minute())
    fresh.close()
    return statistics.median(late_cpu), statistics.median(fresh_cpu)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("new", "fresh", "old"):
            (Path(tmp) / name).mkdir()
        long = Observation(Path(tmp) / "new", SampleWindow)
        for _ in range(MINUTES):
            long.minute()
        late, early = late_against_fresh(Path(tmp) / "fresh", long)
        long.close()
        new = long.minutes
        old = observe(Path(tmp) / "old", HeldWindow, BASELINE_MINUTES)
    print(f"long-observation: {MINUTES} simulated min, 3 probes at {RATE} Hz, stop condition on")
    for m in (0, 9, 29, MINUTES - 1):
        cpu, rss = new[m]
        print(f"long-observation: minute {m + 1:2d}: CPU {cpu * 1000:5.0f} ms, RSS {rss:.1f} MiB")
    print(
        f"long-observation: baseline (every sample held, whole-history scans), minute 1: "
        f"CPU {old[0][0] * 1000:.0f} ms; minute {BASELINE_MINUTES}: CPU {old[-1][0] * 1000:.0f} ms, "
        f"RSS +{old[-1][1] - old[0][1]:.1f} MiB"
    )
    print(
        f"long-observation: minutes {MINUTES + 1}-{MINUTES + ALTERNATIONS} (median CPU "
        f"{late * 1000:.1f} ms) against a fresh run's minutes {WARM_UP + 1}-"
        f"{WARM_UP + ALTERNATIONS} ({early * 1000:.1f} ms), taken alternately"
    )
    growth = new[-1][1] - new[MINUTES // 2 - 1][1]
    cpu_ok, rss_ok = late <= 1.5 * early, growth <= 2.0
    print(
        f"long-observation: CPU after an hour / CPU fresh {late / early:.2f}x (target <= 1.5x): "
        f"{'met' if cpu_ok else 'MISSED'}"
    )
    print(
        f"long-observation: RSS growth minute {MINUTES // 2} -> {MINUTES}: {growth:.1f} MiB "
        f"(target <= 2 MiB): {'met' if rss_ok else 'MISSED'}"
    )
    return 0 if cpu_ok and rss_ok else 1


if __name__ == "__main__":
    sys.exit(main())
