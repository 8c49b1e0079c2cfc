"""Runs `gameday run` as a real subprocess and freezes a dependency (SIGSTOP) the moment
a chosen journal record appears, optionally thawing it (SIGCONT) later; measures how
long the run took to end after the dependency hung.

`ended - frozen` is what the issue asks for ("the run never hangs, ends within the
deadline plus a small grace"); every case prints it as `HANG-TO-END <case> <seconds>`
so the longest can be read off a test run with `-s`.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gameday.execute.journal import JOURNAL, read_journal

Record = dict[str, Any]


@dataclass
class Hung:
    """What happened in one run with a frozen dependency."""

    code: int
    records: list[Record]
    run_dir: Path
    frozen_at: float | None
    ended_at: float
    output: str
    thawed_at: float | None = None
    timeline: list[str] = field(default_factory=list)

    @property
    def hang_to_end(self) -> float:
        assert self.frozen_at is not None, "the trigger record never appeared"
        return self.ended_at - self.frozen_at

    def of(self, type_: str) -> list[Record]:
        return [r for r in self.records if r["type"] == type_]

    @property
    def end(self) -> Record:
        (end,) = self.of("scenario-end")
        return end


def env(tmp: Path, **timeouts: str) -> dict[str, str]:
    environment = dict(os.environ)
    environment.update(
        GAMEDAY_STATE=str(tmp / "state"),
        GAMEDAY_LOCK_DIR=str(tmp / "locks"),
        **timeouts,
    )
    return environment


def write_scenario(path: Path, scenario: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    return path


def run_freezing(
    scenario: Path,
    reports: Path,
    environment: dict[str, str],
    trigger: Callable[[Record], bool] | None,
    pids: list[int],
    *,
    thaw_after: float | None = None,
    args: tuple[str, ...] = (),
    hard_limit: float = 240.0,
    case: str = "",
) -> Hung:
    """Starts the run; when `trigger` matches a journal record, SIGSTOPs `pids`; SIGCONTs
    them `thaw_after` seconds later (else the caller thaws them after the run).
    Fails the test if the run is still going after `hard_limit` seconds."""
    command = [sys.executable, "-m", "gameday", "run", str(scenario), "--auto-approve"]
    command += ["--reports", str(reports), *args]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=environment
    )
    frozen_at: float | None = None
    thawed_at: float | None = None
    started = time.monotonic()
    try:
        while process.poll() is None:
            now = time.monotonic()
            assert now - started < hard_limit, f"the run hung: still running after {hard_limit}s"
            if frozen_at is None and trigger is not None and _seen(reports, trigger):
                signal_all(pids, signal.SIGSTOP)
                frozen_at = time.monotonic()
            thaw = frozen_at is not None and thaw_after is not None and thawed_at is None
            if thaw and now - (frozen_at or now) >= (thaw_after or 0.0):
                signal_all(pids, signal.SIGCONT)
                thawed_at = time.monotonic()
            time.sleep(0.01)
        ended_at = time.monotonic()
    finally:
        if process.poll() is None:
            process.kill()
    output = process.stdout.read().decode(errors="replace") if process.stdout else ""
    (journal,) = list(reports.glob(f"*/*/{JOURNAL}"))
    hung = Hung(
        process.returncode,
        read_journal(journal),
        journal.parent,
        frozen_at,
        ended_at,
        output,
        thawed_at,
    )
    if frozen_at is not None:
        print(f"HANG-TO-END {case} {hung.hang_to_end:.2f}s exit {hung.code}")
    assert hung.code >= 0, f"the runner died of signal {-hung.code}:\n{output[-3000:]}"
    return hung


def _seen(reports: Path, trigger: Callable[[Record], bool]) -> bool:
    return any(trigger(r) for r in _records(reports))


def _records(reports: Path) -> list[Record]:
    found = list(reports.glob(f"*/*/{JOURNAL}"))
    if not found:
        return []
    records = []
    for line in found[0].read_text().splitlines():
        with contextlib.suppress(ValueError):
            records.append(json.loads(line))
    return records


def signal_all(pids: list[int], sig: signal.Signals) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


@contextlib.contextmanager
def thawed_afterwards(pids: list[int]) -> Iterator[None]:
    """Whatever happens in the test, the frozen processes are resumed."""
    try:
        yield
    finally:
        signal_all(pids, signal.SIGCONT)


def recover(run_dir: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gameday", "recover", str(run_dir)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )


def record(type_: str, **fields: Any) -> Callable[[Record], bool]:
    return lambda r: r.get("type") == type_ and all(r.get(k) == v for k, v in fields.items())
