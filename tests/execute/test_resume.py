"""`gameday resume`: an interrupted or crashed drill continues from the first scenario
that did not finish, and the report covers the whole drill."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.waiting import wait_until
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT


def records(run_dir: Path) -> list[dict[str, object]]:
    path = run_dir / "journal.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.endswith("}")]


def second_scenario_observing(reports: Path) -> bool:
    dirs = list(reports.glob("three-step/*"))
    if not dirs:
        return False
    starts = [r for r in records(dirs[0]) if r["type"] == "scenario-start"]
    phases = [r for r in records(dirs[0]) if r["type"] == "phase" and r.get("phase") == "observe"]
    return len(starts) == 2 and len(phases) == 2


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL], ids=["interrupted", "crashed"])
def test_resume_continues_from_the_unfinished_scenario(
    stack: DemoStack, tmp_path: Path, sig: int
) -> None:
    p = stack.params()
    sets = [
        "--set",
        f"frontend_url={p['frontend_url']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
        "--set",
        f"proxy_admin={p['proxy_admin']}",
    ]
    proc = subprocess.Popen(
        [
            GAMEDAY,
            "run",
            str(DATA / "drills" / "three-step.yaml"),
            "--reports",
            str(tmp_path),
            *sets,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert wait_until(lambda: second_scenario_observing(tmp_path), 60, 0.02)
    proc.send_signal(sig)
    proc.communicate(timeout=60)
    assert proc.returncode == (130 if sig == signal.SIGINT else -signal.SIGKILL)
    (run_dir,) = tmp_path.glob("three-step/*")

    done = gameday("resume", str(run_dir))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "resuming three-step at scenario 2 of 3" in done.stdout
    if sig == signal.SIGKILL:  # the crash left the front end paused; resume recovered it first
        assert "recovered pause-frontend/process-pause: reverted" in done.stdout
    frontend = next(
        i["pid"] for i in stack.rpc().supervisor.getAllProcessInfo() if i["name"] == "frontend"
    )
    assert psutil.Process(frontend).status() != psutil.STATUS_STOPPED

    report = json.loads((run_dir / "report.json").read_text())
    assert [s["outcome"] for s in report["scenarios"]] == ["completed"] * 3
    starts = [r["index"] for r in records(run_dir) if r["type"] == "scenario-start"]
    assert starts == [0, 1, 1, 2]  # the first scenario was not run again
    again = gameday("resume", str(run_dir))
    assert again.returncode == 0 and "nothing to resume" in again.stdout
