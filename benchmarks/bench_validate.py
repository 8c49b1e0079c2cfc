"""Validation throughput: 1,000 generated scenario files validated in one process.

Baseline in the same run: parsing the same files with PyYAML alone (the C loader where
available), the floor any YAML-based validator pays. Target: at least 500 files/s.
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


def best_of(runs: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = generate(folder)
        check_paths([paths[0]])  # warm up: plugin discovery, first imports
        baseline = best_of(3, lambda: [yaml.load(p.read_text(), Loader=loader) for p in paths])
        results: list[tuple[int, list[Problem]]] = []
        gameday_time = best_of(3, lambda: results.append(check_paths([folder])))
        count, problems = results[-1]
    assert count == FILES and problems == [], problems[:3]
    rate, base_rate = FILES / gameday_time, FILES / baseline
    print(
        f"validate: {FILES} files in {gameday_time:.3f}s = {rate:.0f} files/s "
        f"(baseline yaml.load only: {base_rate:.0f} files/s; gameday costs {gameday_time / baseline:.1f}x the parse)"
    )
    print(f"validate: target >= {TARGET:.0f} files/s: {'met' if rate >= TARGET else 'MISSED'}")
    return 0 if rate >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
