"""The runner as a user runs it: a real `gameday` process, signals, a terminal."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import read_journal
from gameday.execute.waiting import wait_until
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT


def demo_leftovers() -> set[str]:
    """Processes and temp dirs that only the demo creates."""
    found = set()
    for proc in psutil.process_iter(["pid", "cmdline"]):
        line = " ".join(proc.info["cmdline"] or [])
        if (
            "supervisor.supervisord" in line
            or "gameday.demo.services" in line
            or "gameday proxy" in line
        ):
            found.add(f"pid {proc.info['pid']}: {line[:80]}")
    found |= {str(p) for p in Path("/tmp").glob("gameday-demo-*")}
    return found


def listening_ports() -> set[int]:
    return {
        c.laddr.port
        for c in psutil.net_connections("tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr  # a listening socket has an address
    }


def test_demo_runs_the_drill_reports_and_leaves_nothing_behind(tmp_path: Path) -> None:
    before_ports, before = listening_ports(), demo_leftovers()
    started = time.monotonic()
    done = gameday("demo", "--reports", str(tmp_path), timeout=300)
    took = time.monotonic() - started
    print(f"\ngameday demo took {took:.1f}s (target: under 120s)")
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("web-replica-kill", "frontend-latency", "store-outage", "store-data-loss"):
        assert name in done.stdout
    (run_dir,) = (tmp_path / "demo").iterdir()
    report = json.loads((run_dir / "report.json").read_text())
    assert [s["outcome"] for s in report["scenarios"]] == ["completed"] * 4
    assert f"report: {run_dir / 'report.html'}" in done.stdout
    assert "nothing left running" in done.stderr
    assert demo_leftovers() - before == set()
    assert listening_ports() - before_ports == set()


def pause_run_argv(stack: DemoStack, reports: Path, pause: str) -> list[str]:
    """`gameday run` of the pause-frontend test scenario against the session's stack."""
    params = stack.params()
    return [
        GAMEDAY,
        "run",
        str(DATA / "local" / "pause-frontend.yaml"),
        "--reports",
        str(reports),
        "--set",
        f"frontend_url={params['frontend_url']}",
        "--set",
        f"supervisor_url={params['supervisor_url']}",
        "--set",
        pause,
    ]


def start_run(tmp_path: Path, stack: DemoStack, pause: str) -> tuple[subprocess.Popen[str], Path]:
    proc = subprocess.Popen(
        pause_run_argv(stack, tmp_path, f"pause={pause}"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return proc, tmp_path / "pause-frontend"


def journal_types(reports: Path) -> list[str]:
    journals = list(reports.glob("*/journal.jsonl"))
    if not journals:
        return []
    return [
        json.loads(line)["type"]
        for line in journals[0].read_text().splitlines()
        if line.endswith("}")
    ]


def frontend_state(stack: DemoStack) -> str:
    pid = next(
        i["pid"] for i in stack.rpc().supervisor.getAllProcessInfo() if i["name"] == "frontend"
    )
    return str(psutil.Process(pid).status())


@pytest.mark.parametrize(
    "signals",
    [[signal.SIGINT], [signal.SIGTERM], [signal.SIGINT, signal.SIGINT]],
    ids=["sigint", "sigterm", "double-sigint"],
)
def test_interrupt_during_observe_reverts_and_exits_130(
    tmp_path: Path, stack: DemoStack, signals: list[int]
) -> None:
    proc, reports = start_run(tmp_path, stack, pause="30s")
    assert wait_until(lambda: "injection-applied" in journal_types(reports), 30, 0.05)
    assert frontend_state(stack) == psutil.STATUS_STOPPED  # the fault is really on
    for sig in signals:
        proc.send_signal(sig)
        time.sleep(0.05)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr[-2000:]
    types = journal_types(reports)
    assert types.index("injection-reverted") > types.index("injection-applied")
    assert frontend_state(stack) != psutil.STATUS_STOPPED
    (run_dir,) = reports.iterdir()
    end = [r for r in read_journal(run_dir / "journal.jsonl") if r["type"] == "scenario-end"]
    assert [r["outcome"] for r in end] == ["interrupted"]  # written inside the shield
    if len(signals) == 1:
        report = json.loads((run_dir / "report.json").read_text())
        assert report["scenarios"][0]["outcome"] == "interrupted"
    # A second signal may land after the rollback, while scores and reports are written:
    # it stops those at once (`gameday report RUN_DIR` renders them later), never the revert.


def test_scenario_deadline_aborts_and_reverts(
    run_scenario: Any, stack: DemoStack, tmp_path: Path
) -> None:
    text = (DATA / "local" / "pause-frontend.yaml").read_text() + "deadline: 3s\n"
    path = tmp_path / "deadline.yaml"
    path.write_text(text)
    ran = run_scenario(path, pause="30s")
    assert ran.scenario.outcome == "aborted" and "deadline" in ran.scenario.reasons[0]
    assert ran.scenario.markers["revert"] - ran.scenario.markers["start"] < 4.0
    assert frontend_state(stack) != psutil.STATUS_STOPPED


def test_live_view_on_a_terminal(tmp_path: Path, stack: DemoStack) -> None:
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        pause_run_argv(stack, tmp_path, "pause=1s"),
        cwd=ROOT,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        env={**os.environ, "COLUMNS": "120"},
    )
    os.close(secondary)
    screen = b""
    answered = False
    while True:
        ready, _, _ = select.select([main], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
        if not answered and b"[go? y/n]" in screen:  # on a terminal, the facilitator's go
            os.write(main, b"y\r")
            answered = True
    proc.wait(timeout=30)
    assert answered, "no go was asked for on a terminal"
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode(errors="replace"))
    assert "phase: observe" in text and "s left" in text  # the live panel with its countdown
    assert b"\x1b[" in screen  # drawn with terminal control sequences
    assert "scenario pause-frontend" in text  # log lines printed above the panel
    assert proc.returncode == 0
