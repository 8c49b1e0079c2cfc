"""The annotated examples in docs/format.md validate, so the docs cannot drift."""

from __future__ import annotations

import re
from pathlib import Path

from gameday.model.scenario import Drill, Scenario
from gameday.validate import load
from tests.conftest import ROOT


def test_format_doc_examples_validate(tmp_path: Path) -> None:
    text = (ROOT / "docs" / "format.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL) if "apiVersion:" in b]
    assert len(blocks) == 2
    scenario_file, drill_file = tmp_path / "scenario.yaml", tmp_path / "drills" / "drill.yaml"
    scenario_file.write_text(blocks[0])
    assert isinstance(load(scenario_file), Scenario)
    # the drill example refers to the library by relative path, as a real drills/ file would
    drill_file.parent.mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    drill_file.write_text(blocks[1])
    assert isinstance(load(drill_file), Drill)
