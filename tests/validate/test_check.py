"""`check` (what `gameday validate` runs) reports exactly what `load` reports, without
building the domain model: on the whole library, the examples and every broken file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from gameday.errors import InputError, Problem
from gameday.validate import check, load
from tests.conftest import DATA, ROOT

FILES = sorted(
    {
        *(ROOT / "scenarios").rglob("*.yaml"),
        *(ROOT / "drills").rglob("*.yaml"),
        *(ROOT / "examples").rglob("*.yaml"),
        *DATA.rglob("*.yaml"),
    }
)


def problems(action: Callable[[Path], object], path: Path) -> list[Problem] | None:
    """The problems raised, or None when the file passed."""
    try:
        action(path)
    except InputError as exc:
        return exc.problems
    return None


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_check_reports_what_load_reports(path: Path) -> None:
    assert problems(check, path) == problems(load, path)


def test_the_comparison_sees_both_outcomes() -> None:
    """Negative control: the files above include valid and invalid ones."""
    outcomes = {problems(check, path) is None for path in FILES}
    assert outcomes == {True, False}
