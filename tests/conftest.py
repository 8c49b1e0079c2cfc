"""Shared fixtures: paths of the repository's real inputs."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


@pytest.fixture
def repo_root() -> Path:
    return ROOT
