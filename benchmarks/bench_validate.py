"""Validation throughput: 1,000 generated scenario files validated in one process.

Baseline in the same run: parsing the same files with PyYAML alone (the C loader where
available), the floor any YAML-based validator pays, measured alternately with gameday.
Target: at least 500 files/s, or, on a machine slower than the one the target was set on
(CI's runners share their cores; a neighbour can make every instruction 70% dearer for
minutes), the same cost relative to the parse: at most 6x it (500 files/s against the
~3,000 files/s PyYAML parses there).
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from gameday.errors import Problem
from gameday.validate import check_paths

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "scenarios").rglob("*.yaml"))
FILES = 1000
TARGET = 500.0
MAX_COST_OF_PARSE = 6.0


def generate(folder: Path) -> list[Path]:
    texts = [p.read_text() for p in SOURCES]
    paths = []
    for i in range(FILES):
        text = texts[i % len(texts)]
        name = text.split("  name: ", 1)[1].split("\n", 1)[0]
        path = folder / f"s{i:04d}.yaml"
        path.write_text(text.replace(f"  name: {name}\n", f"  name: {name}-{i}\n", 1))
        paths.append(path)
    return paths


def alternately(runs: int, *actions: Callable[[], object]) -> list[float]:
    """The best wall time of each action over `runs` rounds, taken in turn."""
    best = [float("inf")] * len(actions)
    for _ in range(runs):
        for i, action in enumerate(actions):
            start = time.perf_counter()
            action()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder)
        check_paths([paths[0]])  # warm up: plugin discovery, first imports
        results: list[tuple[int, list[Problem]]] = []
        baseline, gameday_time = alternately(
            3,
            lambda: [yaml.load(p.read_text(), Loader=loader) for p in paths],
            lambda: results.append(check_paths([folder])),
        )
        count, problems = results[-1]
    assert count == FILES and problems == [], problems[:3]
    rate, base_rate, cost = FILES / gameday_time, FILES / baseline, gameday_time / baseline
    print(
        f"validate: {FILES} files in {gameday_time:.3f}s = {rate:.0f} files/s "
        f"(baseline yaml.load only: {base_rate:.0f} files/s; gameday costs {cost:.1f}x the parse)"
    )
    met = rate >= TARGET or cost <= MAX_COST_OF_PARSE
    print(
        f"validate: target >= {TARGET:.0f} files/s, or <= {MAX_COST_OF_PARSE:g}x the parse on a "
        f"slower machine: {'met' if met else 'MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
