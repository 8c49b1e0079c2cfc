"""CLI start-up: `gameday --help` against a bare interpreter start in the same run.

Target: under 0.3 s (heavy clients are imported lazily, inside the commands).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

GAMEDAY = str(Path(sys.executable).with_name("gameday"))
RUNS = 10
TARGET = 0.3


def median_seconds(argv: list[str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    baseline = median_seconds([sys.executable, "-c", "pass"])
    help_time = median_seconds([GAMEDAY, "--help"])
    validate_help = median_seconds([GAMEDAY, "validate", "--help"])
    print(
        f"startup: python -c pass {baseline * 1000:.0f}ms (baseline), gameday --help {help_time * 1000:.0f}ms, "
        f"gameday validate --help {validate_help * 1000:.0f}ms (median of {RUNS})"
    )
    print(
        f"startup: target gameday --help < {TARGET * 1000:.0f}ms: {'met' if help_time < TARGET else 'MISSED'}"
    )
    return 0 if help_time < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
