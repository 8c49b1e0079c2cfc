"""`gameday note` finds the one drill running now. Markers left by runners that died
(SIGKILL leaves them) must never count, even when their pid now belongs to another
process: on a busy CI machine pids are reused, and two "running" drills made the note
fail and the facilitated drill wait for ever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gameday.errors import UsageError
from gameday.execute import notes


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    return tmp_path / "state"


@pytest.fixture
def other_process() -> Iterator[int]:
    """A live process that is not a gameday runner (a reused pid)."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()


def run_dir(tmp_path: Path, name: str) -> Path:
    path = tmp_path / "reports" / name
    path.mkdir(parents=True)
    (path / "journal.jsonl").write_text("")
    return path


def plant(state: Path, run: Path, data: dict[str, object], age: float = 0.0) -> Path:
    marker = state / "running" / run.name
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"run_dir": str(run), **data}))
    if age:
        then = time.time() - age
        os.utime(marker, (then, then))
    return marker


def test_the_one_running_drill_gets_the_note(state: Path, tmp_path: Path) -> None:
    mine = run_dir(tmp_path, "20261128T000000Z-aaaaaa")
    marker = notes.register(mine)
    assert notes.running_runs() == [mine.resolve()]
    assert notes.add_note("db failover started", "sam") == mine.resolve()
    line = json.loads((mine / notes.INBOX).read_text())
    assert line["text"] == "db failover started" and line["author"] == "sam"
    marker.unlink()
    with pytest.raises(UsageError, match="no drill is running"):
        notes.add_note("too late", "sam")


def test_a_reused_pid_is_not_a_running_drill(
    state: Path, tmp_path: Path, other_process: int
) -> None:
    mine = run_dir(tmp_path, "20261128T000000Z-aaaaaa")
    notes.register(mine)
    # a runner that was SIGKILLed: its pid now names a process started later
    dead = plant(
        state,
        run_dir(tmp_path, "20261127T000000Z-bbbbbb"),
        {"pid": other_process, "pid_start": 1.0},
    )
    # an older marker without a start time: the process started after it was written
    legacy = plant(
        state, run_dir(tmp_path, "20261126T000000Z-cccccc"), {"pid": other_process}, age=3600
    )
    assert notes.running_runs() == [mine.resolve()]
    assert notes.add_note("still works", "sam") == mine.resolve()
    assert not dead.exists() and not legacy.exists(), "markers of dead runners are cleared"


def test_two_live_drills_need_a_run_named(state: Path, tmp_path: Path) -> None:
    first = run_dir(tmp_path, "20261128T000000Z-aaaaaa")
    notes.register(first)
    # another live runner: this test process's parent, which started before its marker
    plant(state, run_dir(tmp_path, "20261128T000001Z-bbbbbb"), {"pid": os.getppid()})
    with pytest.raises(UsageError, match="2 drills are running") as raised:
        notes.add_note("which one?", "sam")
    assert "--run" in (raised.value.hint or "")
    assert notes.add_note("this one", "sam", first) == first


@pytest.mark.parametrize(
    "content",
    [
        {"pid": -1, "run_dir": "/x"},  # psutil refuses negative pids
        {"pid": 0, "run_dir": "/x"},
        {"pid": 10**30, "run_dir": "/x"},
        {"pid": "PID"},  # the runner's own pid below, but no run_dir
        {"pid": "PID", "pid_start": "START", "run_dir": None},
        {"pid": "PID", "pid_start": "START", "run_dir": 7},
        [1, 2],
        "text",
        None,
    ],
)
def test_a_corrupt_marker_never_breaks_the_note(
    state: Path, tmp_path: Path, content: object
) -> None:
    mine = run_dir(tmp_path, "20261128T000000Z-aaaaaa")
    notes.register(mine)
    me = json.loads((state / "running" / mine.name).read_text())
    text = json.dumps(content).replace('"PID"', str(me["pid"]))
    (state / "running" / "20261128T000001Z-bbbbbb").write_text(
        text.replace('"START"', str(me["pid_start"]))
    )
    assert notes.running_runs() == [mine.resolve()]
    assert notes.add_note("still works", "sam") == mine.resolve()


def test_unreadable_markers_are_skipped(state: Path, tmp_path: Path) -> None:
    mine = run_dir(tmp_path, "20261128T000000Z-aaaaaa")
    notes.register(mine)
    (state / "running" / "20261128T000001Z-bbbbbb").mkdir()  # not a file
    (state / "running" / "20261128T000002Z-cccccc").write_bytes(b"\xff\xfe{")
    (state / "running" / "20261128T000003Z-dddddd").write_text('{"pid": 1')  # half written
    assert notes.running_runs() == [mine.resolve()]
