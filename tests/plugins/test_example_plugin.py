"""docs/plugins.md works: the example plugin package under examples/plugins/ is built and
installed with pip (into a folder of its own, put on the path of the gameday process),
its entry points register a fault and a probe, and a scenario using both runs for real:
the fault lands, the probe sees it, the revert restores the file byte for byte."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import gameday
from tests.conftest import ROOT

PACKAGE = ROOT / "examples" / "plugins" / "gameday-config-chaos"
SCENARIO = PACKAGE / "scenarios" / "config-garble.yaml"
SETTINGS = '{"mode": "live", "workers": 4}\n'


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("plugin-site")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(PACKAGE)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (site / "gameday_config_chaos-0.1.0.dist-info" / "entry_points.txt").is_file()
    return site


def test_without_the_package_the_scenario_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The negative control: the plugin types come from the package, nowhere else."""
    monkeypatch.delenv("PYTHONPATH", raising=False)
    done = gameday("validate", str(SCENARIO), cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown fault type `config-garble`" in done.stderr
    assert "unknown probe type `json-field`" in done.stderr


def test_installed_plugin_runs_a_scenario(
    installed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHONPATH", f"{installed}{os.pathsep}{os.environ.get('PYTHONPATH', '')}")
    checked = gameday("validate", str(SCENARIO), cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr  # its Params models check the scenario
    settings = tmp_path / "settings.json"
    settings.write_text(SETTINGS)
    reports = tmp_path / "reports"
    done = gameday(
        "run", str(SCENARIO), "--set", f"config={settings}", "--reports", str(reports), "--plain",
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "fault confirmed" in done.stderr and "holds the garbage" in done.stderr
    assert settings.read_text() == SETTINGS  # reverted byte for byte
    (report,) = reports.glob("config-garble/*/report.json")
    (scenario,) = json.loads(report.read_text())["scenarios"]
    assert scenario["verdict"] == "pass", scenario["reasons"]
    (probe,) = scenario["probes"]
    assert probe["name"] == "settings" and probe["outage_total"] > 1.0  # it saw the garbage
