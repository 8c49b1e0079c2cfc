"""A facilitated game day end to end: `gameday run DRILL --live` in a pseudo-terminal.
The facilitator gives the go, a manual step is completed, and a note is added from a
second process; the approval, the note, the roles and hypothesis-beside-outcome all
reach the report."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import time
from pathlib import Path

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


def test_facilitated_drill_in_a_terminal(stack: DemoStack, tmp_path: Path) -> None:
    p = stack.params()
    term = Terminal(
        [
            GAMEDAY,
            "run",
            str(DATA / "local" / "facilitated.yaml"),
            "--live",
            "--operator",
            "alex",
            "--reports",
            str(tmp_path),
            "--set",
            f"frontend_url={p['frontend_url']}",
            "--set",
            f"supervisor_url={p['supervisor_url']}",
        ]
    )
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
