"""`gameday ARGS...` in this process, with the CPU time (all threads) at its phase
boundaries, written as JSON to OUT: python gameday_phases.py OUT ARGS...

For the vs-chaostoolkit benchmark's note on where gameday's CPU goes: startup (imports,
load, validate, options) until the run starts, the drill (probe threads, journal,
faults), the reports (score, render), and exit.
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def main() -> None:
    out, args = Path(sys.argv[1]), sys.argv[2:]
    marks: list[tuple[str, float, int]] = []

    def mark(name: str) -> None:
        marks.append((name, time.process_time(), len(sys.modules)))

    def timed(module: Any, name: str) -> None:
        original: Callable[..., Any] = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*a: Any, **k: Any) -> Any:
            mark(f"{name}-start")
            try:
                return original(*a, **k)
            finally:
                mark(f"{name}-end")

        setattr(module, name, wrapper)

    import gameday.execute.run
    import gameday.pipeline

    timed(gameday.execute.run, "execute")
    timed(gameday.pipeline, "finish")

    def dump() -> None:
        mark("exit")
        out.write_text(json.dumps(marks))

    atexit.register(dump)
    sys.argv = ["gameday", *args]
    from gameday.cli.entry import main as gameday_main

    gameday_main()


if __name__ == "__main__":
    main()
