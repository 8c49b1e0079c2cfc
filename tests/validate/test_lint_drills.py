"""`gameday lint` on a drill lints every scenario the drill includes (#12.5)."""

from __future__ import annotations

from pathlib import Path

from gameday.config import LintConfig
from gameday.lint import lint_paths
from tests.conftest import ROOT


def test_drill_lint_reaches_its_scenarios_and_reports_each_finding_once(tmp_path: Path) -> None:
    scenario = tmp_path / "scenarios" / "kill.yaml"
    scenario.parent.mkdir()
    original = (ROOT / "scenarios" / "local" / "web-replica-kill.yaml").read_text()
    scenario.write_text(original.replace("  owner: storefront-squad\n", ""))
    drill = tmp_path / "drills" / "weekly.yaml"
    drill.parent.mkdir()
    drill.write_text(
        "apiVersion: gameday/v1\nkind: Drill\nmetadata: {name: weekly}\n"
        "scenarios:\n  - ref: ../scenarios/kill.yaml\n"
    )
    count, found = lint_paths([drill], LintConfig())
    assert count == 1
    assert [(p.location.file, p.rule, p.severity) for p in found] == [
        (str(scenario), "missing-owner", "warning")
    ]
    count, again = lint_paths([drill, scenario], LintConfig())
    assert count == 2 and again == found


def test_clean_drill_lints_clean() -> None:
    assert lint_paths([ROOT / "drills"], LintConfig())[1] == []
