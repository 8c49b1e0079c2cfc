"""CLI start-up: `gameday --help` and `--version` against a bare interpreter start, in
the same run.

Target (issue #16): `gameday --help` and `gameday --version` <= 0.1 s wall, the median
of alternating runs. The target assumes a bare `python -c pass` of about 20 ms; on a
slower (or busier) machine it scales with the baseline measured here: <= 5x it.
Also reported: each command's CPU (user+sys of the child) and `gameday validate --help`
(Typer plus one command module), which has no target of its own.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

GAMEDAY = str(Path(sys.executable).with_name("gameday"))
RUNS = int(os.environ.get("GAMEDAY_BENCH_RUNS", "15"))
TARGET, BASELINE_ASSUMED = 0.1, 0.02
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "gameday --help": [GAMEDAY, "--help"],
    "gameday --version": [GAMEDAY, "--version"],
    "gameday validate --help": [GAMEDAY, "validate", "--help"],
}


def timed(argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of argv as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in COMMANDS}
    for argv in COMMANDS.values():  # warm-up: page cache, bytecode
        timed(argv)
    for _ in range(RUNS):  # alternating, so drift in the machine's speed hits all alike
        for name, argv in COMMANDS.items():
            samples[name].append(timed(argv))
    wall = {name: statistics.median(w for w, _ in runs) for name, runs in samples.items()}
    cpu = {name: statistics.median(c for _, c in runs) for name, runs in samples.items()}
    baseline = wall["python -c pass"]
    for name in COMMANDS:
        print(
            f"startup: {name:24s} wall {wall[name] * 1000:4.0f} ms  CPU {cpu[name] * 1000:4.0f} ms"
            f"  ({wall[name] / baseline:.1f}x the bare interpreter; median of {RUNS})"
        )
    limit = max(TARGET, TARGET / BASELINE_ASSUMED * baseline)
    ok = True
    for name in ("gameday --help", "gameday --version"):
        met = wall[name] <= limit
        ok &= met
        print(
            f"startup: target {name} <= {limit * 1000:.0f} ms wall "
            f"({TARGET * 1000:.0f} ms, or {TARGET / BASELINE_ASSUMED:.0f}x a slow baseline): "
            f"{'met' if met else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
