"""A full disk loses nothing (#11.6), on a real, small tmpfs filled while a fault is live:
the runner reverts at once, the journal on that disk stays line-complete, the whole
journal and the report go to the spill directory, and the run exits as an error (6)."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, MIN_FREE, SPILL_DIR, read_records
from gameday.execute.waiting import wait_until
from gameday.model import journal as j
from tests.cli.helpers import GAMEDAY
from tests.conftest import DATA, ROOT


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        message = f"cannot mount a tmpfs here (needs root): {done.stderr.strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI runs as root: the full-disk test must run there
        pytest.skip(message)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(folder: Path) -> None:
    """Writes zeros until the file system says it is full."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
    finally:
        os.close(fd)


def _frontend(stack: DemoStack) -> psutil.Process:
    info = {i["name"]: i for i in stack.rpc().supervisor.getAllProcessInfo()}
    return psutil.Process(info["frontend"]["pid"])


def _run(
    stack: DemoStack, reports: Path, spill: Path, min_free: int, pause: str
) -> subprocess.Popen[str]:
    p = stack.params()
    env = {**os.environ, MIN_FREE: str(min_free), SPILL_DIR: str(spill)}
    return subprocess.Popen(
        [
            GAMEDAY,
            "run",
            str(DATA / "local" / "pause-frontend.yaml"),
            "--reports",
            str(reports),
            "--set",
            f"frontend_url={p['frontend_url']}",
            "--set",
            f"supervisor_url={p['supervisor_url']}",
            "--set",
            f"pause={pause}",
        ],
        cwd=ROOT,
        env={**env, "COLUMNS": "200", "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_disk_full_mid_run_reverts_at_once_and_loses_nothing(
    stack: DemoStack, small_disk: Path, tmp_path: Path
) -> None:
    spill = tmp_path / "spill"

    def journals() -> list[Path]:
        return list(small_disk.glob("pause-frontend/*/journal.jsonl"))

    proc = _run(stack, small_disk, spill, 64 * 1024, "30s")
    try:
        assert wait_until(
            lambda: bool(journals()) and '"injection-applied"' in journals()[0].read_text(),
            30,
            0.05,
        ), proc.communicate(timeout=30)
        assert _frontend(stack).status() == psutil.STATUS_STOPPED
        filled = time.monotonic()
        _fill(small_disk)
        # tmpfs hands out whole pages: the journal's last page still takes a few seconds of
        # samples before a write fails. The revert must follow that failure at once.
        assert wait_until(lambda: _frontend(stack).status() != psutil.STATUS_STOPPED, 25, 0.02)
        reverted_after = time.monotonic() - filled
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        with contextlib.suppress(psutil.Error):
            _frontend(stack).resume()
    assert proc.returncode == 6, out[-3000:] + err[-3000:]
    (run_dir,) = [p.parent for p in journals()]

    on_disk = (run_dir / JOURNAL).read_bytes()
    assert on_disk.endswith(b"\n")
    for line in on_disk.decode().splitlines():  # line-complete: every line is a record
        json.loads(line)

    whole = spill / "pause-frontend" / run_dir.name
    records = read_records(whole / JOURNAL)
    assert [r.seq for r in records] == list(range(1, len(records) + 1))  # nothing lost
    assert (
        on_disk.decode().splitlines()
        == (whole / JOURNAL).read_text().splitlines()[: len(on_disk.decode().splitlines())]
    )
    kept = len(on_disk.decode().splitlines())
    failed_at = max(  # when the last record that made it to the disk was written
        r.s[-1][0] if isinstance(r, j.Samples) and r.s else r.t for r in records[:kept]
    )
    (reverted,) = [r for r in records if isinstance(r, j.InjectionReverted)]
    print(
        f"\nfull disk: the first write failed within {reverted.t - failed_at:.2f}s before "
        f"the revert; reverted {reverted_after:.2f}s after the disk was filled"
    )
    assert reverted.t - failed_at < 1.5  # samples flush every 0.5 s; then the revert
    (end,) = [r for r in records if isinstance(r, j.ScenarioEnd)]
    assert end.outcome == "error" and "cannot write the journal" in end.reason
    (run_end,) = [r for r in records if isinstance(r, j.RunEnd)]
    assert run_end.error and "No space left on device" in run_end.reason
    assert (whole / "report.html").is_file() and (whole / "report.json").is_file()
    assert f"report written to {whole} instead" in err.replace("\n", "")
    assert json.loads((whole / "report.json").read_text())["scenarios"][0]["outcome"] == "error"

    again = subprocess.run(  # the disk is still full: `report` re-renders into the spill
        [GAMEDAY, "report", str(run_dir)],
        env={**os.environ, SPILL_DIR: str(spill), "COLUMNS": "200", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 6, again.stdout + again.stderr
    assert "report written to" in again.stderr.replace("\n", "")


def test_a_disk_without_room_is_refused_before_anything_is_injected(
    stack: DemoStack, small_disk: Path, tmp_path: Path
) -> None:
    pid = _frontend(stack).pid
    proc = _run(stack, small_disk, tmp_path / "spill", 4 * 1024 * 1024, "2s")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 6, out[-2000:] + err[-2000:]
    assert "bytes free for the journal" in (out + err).replace("\n", " ")
    assert _frontend(stack).pid == pid and _frontend(stack).status() != psutil.STATUS_STOPPED
    for journal in small_disk.glob("*/*/journal.jsonl"):
        assert "injection" not in journal.read_text()
