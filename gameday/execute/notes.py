"""Notes from the room: `gameday note "text"` in any terminal appends a line to the
running drill's inbox (`notes.inbox` in its run directory); the runner, the journal's
only writer, moves each into the journal as a `note` record with its time.

Running drills are listed under the state directory (`running/<run-id>`), so `gameday
note` finds the drill without being told where its reports go.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from pathlib import Path
from typing import Any

from gameday.errors import UsageError
from gameday.execute.journal import JournalWriter
from gameday.execute.lock import is_alive, process_start
from gameday.model.journal import Note
from gameday.state import state_dir

INBOX = "notes.inbox"
POLL = 0.3


def _running_dir() -> Path:
    folder = state_dir() / "running"
    folder.mkdir(exist_ok=True, mode=0o700)
    return folder


def register(run_dir: Path) -> Path:
    marker = _running_dir() / run_dir.name
    me = os.getpid()
    marker.write_text(
        json.dumps({"run_dir": str(run_dir.resolve()), "pid": me, "pid_start": process_start(me)})
    )
    return marker


def running_runs(pid: int | None = None) -> list[Path]:
    """Run directories of drills running now; with `pid`, only that runner's. A marker
    whose runner is gone (SIGKILLed, or its pid now belongs to another process) is
    removed, so it can never make `gameday note` see two drills."""
    found = []
    for marker in sorted(_running_dir().iterdir()):
        try:
            data = json.loads(marker.read_text())
            runner, started, run = int(data["pid"]), data.get("pid_start"), data["run_dir"]
            written = marker.stat().st_mtime
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # unreadable (another user's, or being written): not ours to judge
        if not isinstance(run, str) or runner <= 0 or not _is_runner(runner, started, written):
            with contextlib.suppress(OSError):  # corrupt, or its runner is gone
                marker.unlink()
            continue
        if pid is None or runner == pid:
            found.append(Path(run))
    return found


def _is_runner(pid: int, started: object, written: float) -> bool:
    """Whether `pid` is still the runner that wrote a marker at `written`. Markers from
    before `pid_start` was recorded: a process that started after the marker was
    written cannot have written it."""
    if isinstance(started, int | float):
        return is_alive(pid, started)
    now = process_start(pid)
    return now is not None and now <= written + 1


def add_note(text: str, author: str, run_dir: Path | None = None) -> Path:
    """Appends a note to a running drill's inbox; returns its run directory."""
    if run_dir is None:
        runs = running_runs()
        if len(runs) != 1:
            raise UsageError(
                "no drill is running" if not runs else f"{len(runs)} drills are running",
                hint="name the run: gameday note --run reports/DRILL/RUN_ID 'text'",
            )
        run_dir = runs[0]
    if not (run_dir / "journal.jsonl").exists():
        raise UsageError(f"{run_dir} is not a run directory", hint="it holds journal.jsonl")
    line = json.dumps({"text": text, "author": author, "wall": time.time()}) + "\n"
    fd = os.open(run_dir / INBOX, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())  # one write: lines from several terminals never interleave
    finally:
        os.close(fd)
    return run_dir


class NoteInbox(threading.Thread):
    """Moves inbox lines into the journal, stamped with the scenario running then."""

    def __init__(self, run_dir: Path, journal: JournalWriter, current: Any):
        super().__init__(name="notes", daemon=True)
        self.path, self.journal, self.current = run_dir / INBOX, journal, current
        self.offset = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(POLL):
            self.drain()

    def drain(self) -> None:
        try:
            with open(self.path, "rb") as inbox:
                inbox.seek(self.offset)
                data = inbox.read()
        except FileNotFoundError:
            return
        complete = data[: data.rfind(b"\n") + 1]
        self.offset += len(complete)
        for line in complete.decode(errors="replace").splitlines():
            try:
                note = json.loads(line)
            except ValueError:
                continue
            wall = note.get("wall")
            self.journal.write(
                Note(
                    scenario=self.current(),
                    text=str(note.get("text", ""))[:2000],
                    author=str(note.get("author", "")),
                    noted_wall=float(wall) if isinstance(wall, int | float) else None,
                ),
                sync=True,
            )

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=2)
        self.drain()
