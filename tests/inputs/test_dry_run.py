"""`gameday run --dry-run` changes nothing (#11.2): for every shipped local scenario and
drill, the files (stack data, state directory, working directory), the stack's
processes, listening sockets, supervisord programs and proxy toxics are identical
before and after, and the run exits 0 with verdict `dry-run`. A real run of the same
kind, measured the same way, does change the world: the comparison can fail."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, read_journal
from tests.cli.helpers import GAMEDAY
from tests.conftest import ROOT
from tests.inputs.world import settle, snapshot, stack_sets

LOCAL = [*sorted((ROOT / "scenarios" / "local").glob("*.yaml")), ROOT / "drills" / "demo.yaml"]
FORBIDDEN = {"approval", "injection-planned", "injection-applied", "step-start", "step-end"}


def run(stack: DemoStack, path: Path, tmp: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    sets = stack_sets(stack, path)
    env = {**os.environ, "GAMEDAY_STATE": str(tmp / "state"), "COLUMNS": "250", "NO_COLOR": "1"}
    argv = [GAMEDAY, "run", str(path), *sets, "--reports", str(tmp / "reports"), *extra]
    (tmp / "cwd").mkdir(exist_ok=True)
    return subprocess.run(
        argv, cwd=tmp / "cwd", env=env, capture_output=True, text=True, timeout=180
    )


@pytest.mark.parametrize("path", LOCAL, ids=[p.stem for p in LOCAL])
def test_dry_run_changes_nothing(stack: DemoStack, path: Path, tmp_path: Path) -> None:
    watched = (tmp_path / "state", tmp_path / "cwd")
    (tmp_path / "cwd").mkdir()
    settle(stack)
    before = snapshot(stack, *watched)
    done = run(stack, path, tmp_path, "--dry-run")
    after = snapshot(stack, *watched)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert before.differences(after) == [], output
    assert not (tmp_path / "state").exists(), "a dry run created the state directory"

    (run_dir,) = [p.parent for p in (tmp_path / "reports").glob(f"*/*/{JOURNAL}")]
    records = read_journal(run_dir / JOURNAL)
    assert not FORBIDDEN & {r["type"] for r in records}, "a dry run approved, injected or ran steps"
    ends = [r for r in records if r["type"] == "scenario-end"]
    assert ends and all(r["outcome"] == "dry-run" for r in ends), ends
    assert sum(r["type"] == "plan" for r in records) == len(ends), "every scenario lists its plan"
    report = json.loads((run_dir / "report.json").read_text())
    assert report["verdict"] == "dry-run"
    assert (
        "would inject" in output and "would run rollback step" in output
    ) or "rollback" not in path.read_text()


def test_data_writer_is_listed_not_sampled(stack: DemoStack, tmp_path: Path) -> None:
    done = run(stack, ROOT / "scenarios" / "local" / "store-data-loss.yaml", tmp_path, "--dry-run")
    output = done.stdout + done.stderr
    assert "not sampled in a dry run (sampling could change something): writes" in output
    assert "would run recovery step 2 'restore from backup and replay' (http" in output
    assert '"url": "' + stack.params()["store_url"] + '/admin/restore"' in output


def test_the_comparison_sees_a_real_run(stack: DemoStack, tmp_path: Path) -> None:
    """Negative control: the same snapshot after a real process-kill differs."""
    (tmp_path / "cwd").mkdir()
    before = snapshot(stack, tmp_path / "cwd")
    done = run(stack, ROOT / "scenarios" / "local" / "web-replica-kill.yaml", tmp_path)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    changed = before.differences(snapshot(stack, tmp_path / "cwd"))
    assert any(c.startswith("processes") for c in changed), changed
