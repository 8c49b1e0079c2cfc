"""A facilitated game day end to end: `gameday run DRILL --live` in a pseudo-terminal.
The facilitator gives the go, a manual step is completed, and a note is added from a
second process; the approval, the note, the roles and hypothesis-beside-outcome all
reach the report."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psutil
import pytest

from gameday.demo.stack import DemoStack
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    def __init__(self, argv: list[str]):
        self.master, slave = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=env
        )
        os.close(slave)
        self.seen = ""

    def expect(self, pattern: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.seen):
            left = deadline - time.monotonic()
            assert left > 0, f"never saw {pattern!r}; screen so far:\n{self.seen[-3000:]}"
            ready, _, _ = select.select([self.master], [], [], min(left, 0.5))
            if ready:
                try:
                    self.seen += ANSI.sub("", os.read(self.master, 65536).decode(errors="replace"))
                except OSError:  # the child closed the terminal
                    assert re.search(pattern, self.seen), self.seen[-3000:]
                    return

    def send(self, text: str) -> None:
        os.write(self.master, text.encode())

    def wait(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    self.seen += ANSI.sub("", os.read(self.master, 65536).decode(errors="replace"))
                except OSError:
                    break
        return self.proc.wait(timeout=max(1.0, deadline - time.monotonic()))

    def close(self) -> None:
        """A runner the test left waiting (it failed half way) is stopped as an operator
        would (SIGTERM reverts and releases the target lock), killed if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        os.close(self.master)


@pytest.fixture
def terminal() -> Iterator[Callable[[list[str]], Terminal]]:
    opened: list[Terminal] = []

    def open_terminal(argv: list[str]) -> Terminal:
        opened.append(Terminal(argv))
        return opened[-1]

    yield open_terminal
    for term in opened:
        term.close()


def facilitated(stack: DemoStack, tmp_path: Path, scenario: Path, *extra: str) -> list[str]:
    p = stack.params()
    return [
        GAMEDAY,
        "run",
        str(scenario),
        "--live",
        "--operator",
        "alex",
        "--reports",
        str(tmp_path),
        "--set",
        f"frontend_url={p['frontend_url']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
        *extra,
    ]


def test_facilitated_drill_in_a_terminal(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    term = terminal(facilitated(stack, tmp_path, DATA / "local" / "facilitated.yaml"))
    term.expect(r"process-pause for 4s will touch 1")
    term.expect(r"\[go\? y/n\]")
    term.send("y\r")
    term.expect(r"injected process-pause")
    noted = gameday("note", "frontend froze; checkout queue grew <fast>", "--author", "sam")
    assert noted.returncode == 0 and "noted in" in noted.stdout, noted.stderr
    term.expect(r"\[panel 3\] and confirm traffic is back", timeout=60)  # markup not eaten
    term.expect(r"\[done\? y/n\]")
    term.send("y\r")
    assert term.wait(90) in (0, 1), term.seen[-3000:]

    (run_dir,) = tmp_path.glob("facilitated/*")
    html = (run_dir / "report.html").read_text()
    assert "go from alex" in html
    assert "frontend froze; checkout queue grew &lt;fast&gt;" in html and "sam" in html
    assert "Alex Facilitator" in html and "sre-guild" in html
    assert "The front end freezes while paused" in html and "recovered in" in html
    md = (run_dir / "report.md").read_text()
    assert "Note 1 at" in md and "(sam): frontend froze" in md
    assert "- Expected: The front end freezes" in md and "- Happened: " in md
    steps = re.search(r"on-call checks the dashboard.*?(\d+\.\d+)s", md)
    assert steps, md  # the manual step was timed


def test_note_without_a_running_drill_is_a_clear_error(tmp_path: Path) -> None:
    done = gameday("note", "hello", "--run", str(tmp_path))
    assert done.returncode == 2 and "is not a run directory" in done.stdout + done.stderr


def journal(tmp_path: Path, name: str) -> list[dict[str, object]]:
    (run_dir,) = tmp_path.glob(f"{name}/*")
    lines = (run_dir / "journal.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_no_go_in_time_is_no_go_and_nothing_is_injected(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    scenario = DATA / "local" / "facilitated-pause.yaml"
    term = terminal(facilitated(stack, tmp_path, scenario, "--approval-timeout", "2s"))
    term.expect(r"\[go\? y/n\]")
    code = term.wait(60)  # nobody answers
    events = journal(tmp_path, "facilitated-pause")
    (approval,) = [e for e in events if e["type"] == "approval"]
    assert approval["go"] is False and "no answer within 2s" in str(approval["by"])
    assert not [e for e in events if e["type"] == "injection-applied"], "nothing injected"
    assert code == 1, term.seen[-2000:]  # not run: the drill did not pass
    assert "not-run" in term.seen and "no go from the facilitator" in term.seen


def test_input_ending_at_the_go_prompt_is_no_go_and_says_so(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    """Ctrl-D at the question: no go at once, journaled as the input's end, not as a wait
    of --approval-timeout that never happened."""
    scenario = DATA / "local" / "facilitated-pause.yaml"
    term = terminal(facilitated(stack, tmp_path, scenario, "--approval-timeout", "5m"))
    term.expect(r"\[go\? y/n\]")
    term.send("\x04")  # end of input on a terminal
    code = term.wait(60)
    events = journal(tmp_path, "facilitated-pause")
    (approval,) = [e for e in events if e["type"] == "approval"]
    assert approval["go"] is False and "the input ended after" in str(approval["by"]), approval
    assert "within 300s" not in str(approval["by"])
    assert not [e for e in events if e["type"] == "injection-applied"], "nothing injected"
    assert code == 1, term.seen[-2000:]


def test_an_unanswered_manual_step_fails_and_the_fault_is_reverted(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    text = (DATA / "local" / "facilitated-pause.yaml").read_text()
    assert "timeout: 2m" in text
    scenario = tmp_path / "facilitated-pause.yaml"
    scenario.write_text(text.replace("timeout: 2m", "timeout: 3s"))
    term = terminal(facilitated(stack, tmp_path, scenario))
    term.expect(r"\[go\? y/n\]")
    term.send("y\r")
    term.expect(r"\[panel 3\] and confirm traffic is back", timeout=60)
    started = time.monotonic()
    code = term.wait(60)  # nobody answers the manual step
    assert time.monotonic() - started < 30, "the runner waited past the step's timeout"
    events = journal(tmp_path, "facilitated-pause")
    (manual,) = [
        e for e in events if e["type"] == "step-end" and e["name"] == "on-call checks the dashboard"
    ]
    assert manual["ok"] is False and "the operator gave no answer within 3s" in str(
        manual["detail"]
    )
    assert [e for e in events if e["type"] == "injection-reverted"], "the pause was undone"
    assert code == 5, term.seen[-2000:]  # recovery failed: documented exit code 5
    (frontend,) = [i for i in stack.rpc().supervisor.getAllProcessInfo() if i["name"] == "frontend"]
    assert psutil.Process(frontend["pid"]).status() != psutil.STATUS_STOPPED


def frontend_running(stack: DemoStack) -> bool:
    (frontend,) = [i for i in stack.rpc().supervisor.getAllProcessInfo() if i["name"] == "frontend"]
    return bool(psutil.Process(frontend["pid"]).status() != psutil.STATUS_STOPPED)


def test_ctrl_c_at_the_go_prompt_injects_nothing(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    scenario = DATA / "local" / "facilitated-pause.yaml"
    term = terminal(facilitated(stack, tmp_path, scenario))
    term.expect(r"\[go\? y/n\]")
    term.proc.send_signal(signal.SIGINT)
    code = term.wait(60)
    events = journal(tmp_path, "facilitated-pause")
    assert not [e for e in events if e["type"] == "injection-applied"], "nothing injected"
    (end,) = [e for e in events if e["type"] == "scenario-end"]
    assert end["outcome"] == "interrupted", end
    assert code == 130, term.seen[-2000:]
    assert frontend_running(stack)


def test_ctrl_c_during_a_manual_step_reverts_the_fault(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    scenario = DATA / "local" / "facilitated-pause.yaml"
    term = terminal(facilitated(stack, tmp_path, scenario))
    term.expect(r"\[go\? y/n\]")
    term.send("y\r")
    term.expect(r"\[panel 3\] and confirm traffic is back", timeout=60)
    term.expect(r"\[done\? y/n\]")
    term.proc.send_signal(signal.SIGINT)
    code = term.wait(60)
    events = journal(tmp_path, "facilitated-pause")
    assert [e for e in events if e["type"] == "injection-applied"]
    assert [e for e in events if e["type"] == "injection-reverted"], "the pause was undone"
    (end,) = [e for e in events if e["type"] == "scenario-end"]
    assert end["outcome"] == "interrupted", end
    assert code == 130, term.seen[-2000:]
    assert frontend_running(stack)


def test_a_go_that_timed_out_releases_the_target_for_the_next_scenario(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    """The first scenario's go times out; the second, on the same target, can still
    take the target lock (a lock held on would refuse it) and runs to its end."""
    shutil.copy(DATA / "local" / "facilitated-pause.yaml", tmp_path)
    drill = tmp_path / "twice.yaml"
    drill.write_text(
        "apiVersion: gameday/v1\nkind: Drill\nmetadata: {name: twice, owner: tests}\n"
        "scenarios:\n  - ref: facilitated-pause.yaml\n  - ref: facilitated-pause.yaml\n"
    )
    term = terminal(facilitated(stack, tmp_path, drill, "--approval-timeout", "2s"))
    term.expect(r"\[go\? y/n\]")  # nobody answers the first
    term.expect(r"no go from the facilitator[\s\S]*\[go\? y/n\]", timeout=30)  # the second
    term.send("y\r")
    term.expect(r"\[done\? y/n\]")
    term.send("y\r")
    assert term.wait(90) in (0, 1), term.seen[-3000:]
    events = journal(tmp_path, "twice")
    approvals = [e["go"] for e in events if e["type"] == "approval"]
    assert approvals == [False, True], approvals
    outcomes = [e["outcome"] for e in events if e["type"] == "scenario-end"]
    assert outcomes[0] == "not-run" and outcomes[1] != "refused", outcomes
    assert len([e for e in events if e["type"] == "injection-applied"]) == 1
    assert [e for e in events if e["type"] == "injection-reverted"]
    assert frontend_running(stack)


def test_the_wait_for_the_go_does_not_eat_the_scenario_deadline(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    """A go given later than the scenario's `deadline` after its start (within
    --approval-timeout) still runs the whole scenario: the deadline bounds the drill's
    work, the approval timeout bounds the wait for a human."""
    text = (DATA / "local" / "facilitated-pause.yaml").read_text()
    scenario = tmp_path / "facilitated-pause.yaml"
    scenario.write_text(text + "deadline: 12s\n")
    term = terminal(facilitated(stack, tmp_path, scenario, "--approval-timeout", "1m"))
    term.expect(r"\[go\? y/n\]")
    time.sleep(13)  # the room discusses the blast radius
    term.send("y\r")
    term.expect(r"\[done\? y/n\]", timeout=30)
    term.send("y\r")
    assert term.wait(60) in (0, 1), term.seen[-3000:]
    events = journal(tmp_path, "facilitated-pause")
    (end,) = [e for e in events if e["type"] == "scenario-end"]
    assert "deadline" not in str(end["reason"]), end
    assert [e for e in events if e["type"] == "injection-applied"]
    assert [e for e in events if e["type"] == "injection-reverted"]


def test_a_key_pressed_before_the_question_is_not_the_go(
    stack: DemoStack, tmp_path: Path, terminal: Callable[[list[str]], Terminal]
) -> None:
    """An Enter pressed while the logs scroll (an empty line is yes) must not approve a
    fault its facilitator has not seen yet: only what is typed after the question counts."""
    scenario = DATA / "local" / "facilitated-pause.yaml"
    term = terminal(facilitated(stack, tmp_path, scenario, "--approval-timeout", "3s"))
    term.send("\r")  # long before the question: the runner is still starting
    term.expect(r"\[go\? y/n\]")
    code = term.wait(60)
    events = journal(tmp_path, "facilitated-pause")
    (approval,) = [e for e in events if e["type"] == "approval"]
    assert approval["go"] is False and "no answer within 3s" in str(approval["by"]), approval
    assert not [e for e in events if e["type"] == "injection-applied"], "nothing injected"
    assert code == 1, term.seen[-2000:]
