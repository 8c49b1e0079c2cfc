"""Mistakes that span sections are located errors at validate time (#12.5), not run-time
surprises: a supervisor param without a supervisor, `rpo` without a data writer, an
Alertmanager without a URL, a `count` above the blast radius."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.validate import load
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "data" / "schema"

CASES = {
    "invalid/service-without-supervisor.yaml": (
        25,
        "`service` needs the target's `supervisor`, and the `local` target sets none",
        "add `supervisor:` under `target:`",
    ),
    "invalid/rpo-without-writer.yaml": (
        29,
        "`rpo` is set, but no probe measures lost writes",
        "data-writer",
    ),
    "invalid/alertmanager-without-url.yaml": (
        27,
        "`source: alertmanager` needs `url`",
        None,
    ),
    "unchecked/static-checks.yaml": (
        25,
        "`count: 2` can select more than `blast_radius.max_targets: 1` allows",
        "lower `count` to 1",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cross_section_mistake_is_one_located_error(name: str) -> None:
    line, message, hint = CASES[name]
    with pytest.raises(InputError) as caught:
        load(FIXTURES / name)
    [problem] = caught.value.problems
    assert problem.location.line == line and message in problem.message
    assert hint is None or hint in (problem.hint or "")


@pytest.mark.parametrize(
    "name", ["valid/service-with-supervisor.yaml", "valid/rpo-with-writer.yaml"]
)
def test_the_fixed_version_loads(name: str) -> None:
    assert load(FIXTURES / name).name


def test_count_within_the_blast_radius_loads(tmp_path: Path) -> None:
    text = (FIXTURES / "unchecked" / "static-checks.yaml").read_text()
    fixed = tmp_path / "s.yaml"
    fixed.write_text(text.replace("count: 2}", "count: 1}"))
    assert load(fixed).fault.max_targets == 1  # type: ignore[union-attr]
