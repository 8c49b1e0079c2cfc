"""`gameday demo` wall time against the drill's own floor, in the same run.

The floor is the time the demo drill declares it must take: for each scenario, the
steady-state window twice (before and after) plus the fault duration. Everything above
it is gameday's overhead (start-up, stack start/stop, recovery steps, reports).
Target: the whole demo under 120 s.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gameday.model.scenario import Drill
from gameday.validate import load

ROOT = Path(__file__).resolve().parents[1]
GAMEDAY = str(Path(sys.executable).with_name("gameday"))
TARGET = 120.0


def main() -> int:
    drill = load(ROOT / "drills" / "demo.yaml")
    assert isinstance(drill, Drill)
    floor = sum(
        2 * e.scenario.steady_state.window + e.scenario.fault.duration for e in drill.entries
    )
    with tempfile.TemporaryDirectory() as reports:
        start = time.perf_counter()
        done = subprocess.run(
            [GAMEDAY, "demo", "--reports", reports], cwd=ROOT, capture_output=True, text=True
        )
        took = time.perf_counter() - start
    if done.returncode != 0:
        print(done.stderr[-2000:])
        return 1
    print(
        f"demo: {took:.1f}s wall, declared floor {floor:.1f}s, overhead {took - floor:.1f}s "
        f"({len(drill.entries)} scenarios)"
    )
    print(f"demo: target < {TARGET:.0f}s: {'met' if took < TARGET else 'MISSED'}")
    return 0 if took < TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
