"""Shared fixtures: paths of the repository's real inputs."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # Started in the background (nohup, `cmd &` in a script), pytest and every process it
    # spawns would ignore SIGINT, and the tests that press Ctrl-C on a runner would see
    # nothing happen. A handled signal is reset to the default on exec: the runners start
    # with SIGINT as on a terminal.
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


TIERS = {
    "cluster": ("kubeconfig", "api", "workload"),
    "monitoring": ("monitoring", "pushgateway", "prometheus"),
    "browser": ("chromium", "browser"),
    "demo": ("stack", "run_scenario"),
}
"""Test tiers by the real component a test needs, read off the fixtures it uses (their
closure), so a new test lands in the right tier without anyone marking it."""
TIER_DIRS = {"kubernetes": "cluster", "monitoring": "monitoring", "dr": "db", "live": "demo"}
"""Directories whose every test needs that component (e.g. started by a module fixture)."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        parts = item.path.relative_to(ROOT / "tests").parts
        tiers = {tier for tier, names in TIERS.items() if used & set(names)}
        tiers |= {TIER_DIRS[part] for part in parts[:-1] if part in TIER_DIRS}
        if "browser" in item.path.name:
            tiers.add("browser")
        for tier in sorted(tiers):
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session", autouse=True)
def lock_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Target locks are host-wide and the state directory (undo records, running-drill
    markers) is per user: each test session gets its own of both, so it neither refuses
    nor is confused by another session's runs, nor by what earlier runs on this machine
    left in ~/.local/state (subprocesses inherit both)."""
    path = tmp_path_factory.mktemp("locks")
    state = tmp_path_factory.mktemp("state")
    saved = {name: os.environ.get(name) for name in ("GAMEDAY_LOCK_DIR", "GAMEDAY_STATE")}
    os.environ["GAMEDAY_LOCK_DIR"] = str(path)
    os.environ["GAMEDAY_STATE"] = str(state)
    yield path
    for name, before in saved.items():
        if before is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = before


@pytest.fixture(scope="session")
def stack() -> Iterator[DemoStack]:
    """The real demo system (supervisord, store, two web replicas, front end, fault proxy)."""
    started = DemoStack.start()
    yield started
    forced = started.stop()
    assert forced == [], f"processes had to be killed at teardown: {forced}"
