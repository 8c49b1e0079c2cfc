"""One runner injecting into a target at a time: an advisory file lock per target.

The kernel drops the lock when its holder dies, even by SIGKILL, so a crashed run
never blocks the next one; `gameday recover` is what cleans up after it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from types import TracebackType
from typing import IO, Any

import psutil

from gameday.errors import RefusedError
from gameday.state import state_dir


def process_start(pid: int) -> float | None:
    """When process `pid` started (Unix time), or None if there is no such process.
    With the pid it names one process for good: a pid reused later starts later."""
    try:
        return round(psutil.Process(pid).create_time(), 2)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def target_key(kind: str, params: dict[str, Any]) -> str:
    """The local target is this host; any other target is its kind plus its settings."""
    if kind == "local":
        return f"local-{os.uname().nodename}"
    digest = hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()[:16]
    return f"{kind}-{digest}"


class TargetLock:
    def __init__(self, key: str, holder: str):
        self.path = state_dir() / "locks" / f"{key}.lock"
        self.holder = holder
        self._handle: IO[str] | None = None

    def __enter__(self) -> TargetLock:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            other = handle.read().strip() or "another gameday run"
            handle.close()
            raise RefusedError(
                f"the target is locked by {other}",
                hint="wait for that run to finish; two runners must not inject into one target at once",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(self.holder)
        handle.flush()
        self._handle = handle
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
