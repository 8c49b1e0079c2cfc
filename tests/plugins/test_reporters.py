"""Reporters are a plugin group: a third-party package that declares a
`gameday.reporters` entry point gets its file written into every run directory, with
no change to gameday. The package here is a real distribution on `sys.path` (a
module plus its `.dist-info` with `entry_points.txt`), found by importlib.metadata the
way an installed wheel is."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gameday.plugins.registry import registry
from tests.conftest import ROOT
from tests.plugins.minimal import minimal_scenario

SCENARIO = minimal_scenario("reporter-check")

REPORTER = """
class CsvReport:
    name = "csv"
    filename = "scores.csv"

    def render(self, card):
        rows = ["scenario,verdict"] + [f"{s.name},{s.verdict}" for s in card.scenarios]
        return "\\n".join(rows) + "\\n"
"""


def install_fake_package(site: Path) -> None:
    (site / "gd_csv_report.py").write_text(REPORTER)
    info = site / "gd_csv_report-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: gd-csv-report\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[gameday.reporters]\ncsv = gd_csv_report:CsvReport\n")


def gameday(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gameday", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_built_in_reporters_are_registered_by_entry_point() -> None:
    assert registry("reporter").names() == ["html", "json", "junit", "markdown"]


def test_a_third_party_reporter_writes_its_file(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_fake_package(site)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)]),
        "GAMEDAY_STATE": str(tmp_path / "state"),
    }
    done = gameday(["run", "--dry-run", "s.yaml", "--reports", "reports"], env, tmp_path)
    run_dir = next((tmp_path / "reports" / "reporter-check").iterdir())
    assert {"report.html", "report.json", "report.md", "junit.xml"} <= {
        p.name for p in run_dir.iterdir()
    }, done.stderr
    assert (run_dir / "scores.csv").read_text().startswith("scenario,verdict\nreporter-check,")
    # re-rendering with `gameday report` uses the same plugin group
    (run_dir / "scores.csv").unlink()
    again = gameday(["report", str(run_dir)], env, tmp_path)
    assert (run_dir / "scores.csv").exists(), again.stderr
    # without the package, no csv: the file really comes from the plugin
    (run_dir / "scores.csv").unlink()
    plain = {**env, "PYTHONPATH": str(ROOT)}
    gameday(["report", str(run_dir)], plain, tmp_path)
    assert not (run_dir / "scores.csv").exists()
