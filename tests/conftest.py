"""Shared fixtures: paths of the repository's real inputs."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from tests.tiers import MARKERS, TIER_DIRS, TIERS, SpawnReader, Spawns

if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    # Started in the background (nohup, `cmd &` in a script), pytest and every process it
    # spawns would ignore SIGINT, and the tests that press Ctrl-C on a runner would see
    # nothing happen. A handled signal is reset to the default on exec: the runners start
    # with SIGINT as on a terminal.
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


SPAWNS = Spawns()
"""The processes each running test started (see tests/tiers.py)."""
sys.addaudithook(SPAWNS.audit)  # once: this module is imported once per session


def tiers_of(item: pytest.Item, reader: SpawnReader) -> set[str]:
    """The tiers of a test, read off its fixtures (their closure), its directory, its
    name and the code it and its fixtures reach; marks its author put on count too."""
    used = set(getattr(item, "fixturenames", ()))
    parts = item.path.relative_to(ROOT / "tests").parts
    tiers = {tier for tier, names in TIERS.items() if used & set(names)}
    tiers |= {TIER_DIRS[part] for part in parts[:-1] if part in TIER_DIRS}
    if "browser" in item.path.name:
        tiers.add("browser")
    tiers |= {mark.name for mark in item.iter_markers() if mark.name in MARKERS}
    if "slow" not in tiers and _starts_processes(item, reader):
        tiers.add("slow")
    return tiers


def _starts_processes(item: pytest.Item, reader: SpawnReader) -> bool:
    if reader.starts_processes(getattr(item, "function", None)):
        return True
    info = getattr(item, "_fixtureinfo", None)
    definitions = info.name2fixturedefs.values() if info else ()
    return any(reader.starts_processes(defs[-1].func) for defs in definitions if defs)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    reader = SpawnReader()
    for item in items:
        for tier in sorted(tiers_of(item, reader) or {"pure"}):
            item.add_marker(getattr(pytest.mark, tier))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, object, object]:
    SPAWNS.running = item.nodeid
    try:
        return (yield)
    finally:
        SPAWNS.running = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    yield
    started = SPAWNS.started.get(item.nodeid)
    if started and item.get_closest_marker("pure"):
        pytest.fail(
            f"a pure test (the inner loop, `pytest -m pure`) started a process: {started}\n"
            "mark it @pytest.mark.slow, or tell tests/tiers.py how to see it (SPAWNING)",
            pytrace=False,
        )


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
