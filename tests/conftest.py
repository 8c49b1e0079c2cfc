"""Shared fixtures: paths of the repository's real inputs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def stack() -> Iterator[DemoStack]:
    """The real demo system (supervisord, store, two web replicas, front end, fault proxy)."""
    started = DemoStack.start()
    yield started
    forced = started.stop()
    assert forced == [], f"processes had to be killed at teardown: {forced}"
