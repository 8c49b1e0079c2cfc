"""The shipped scenario library and drills validate, and lint clean."""

from __future__ import annotations

import pytest

from gameday.config import LintConfig
from gameday.lint import lint_paths
from gameday.model.scenario import Drill, Scenario
from gameday.validate import check_paths, load
from tests.conftest import ROOT

LIBRARY = sorted((ROOT / "scenarios").rglob("*.yaml"))
DRILLS = sorted((ROOT / "drills").glob("*.yaml"))


def test_library_has_local_and_kubernetes_scenarios_and_two_drills() -> None:
    kinds = {load(p).target.kind for p in LIBRARY if isinstance(load(p), Scenario)}  # type: ignore[union-attr]
    assert len(LIBRARY) >= 6 and kinds == {"local", "kubernetes"}
    assert len(DRILLS) >= 2


@pytest.mark.parametrize("path", LIBRARY + DRILLS, ids=lambda p: p.name)
def test_every_file_validates(path: object) -> None:
    count, problems = check_paths([path])  # type: ignore[list-item]
    assert (count, problems) == (1, [])


def test_library_lints_without_findings() -> None:
    count, problems = lint_paths([ROOT / "scenarios"], LintConfig())
    assert count == len(LIBRARY) and problems == []


def test_drill_resolves_scenarios_with_weights_and_params() -> None:
    drill = load(ROOT / "drills" / "storefront-weekly.yaml")
    assert isinstance(drill, Drill)
    assert [(e.scenario.name, e.weight) for e in drill.entries] == [
        ("checkout-pod-delete", 2.0),
        ("catalog-scale-to-zero", 1.0),
        ("payments-namespace-restore", 3.0),
    ]
    payments = drill.entries[2].scenario
    assert payments.fault.params.namespace == "payments-staging"  # type: ignore[attr-defined]
    assert drill.facilitator == "alex" and drill.participants == ("alex", "sam", "priya")
