"""One runner injecting into a target at a time: an advisory file lock per target.

The lock covers the target, not one user's state: a host's local target, or a
Kubernetes cluster by its API server URL. Lock files live in one host-wide directory
(`$GAMEDAY_LOCK_DIR`, default `<tmp>/gameday-locks`, sticky and world-writable like
/tmp) so two users' runs against one cluster refuse each other too. The holder's pid,
process start time and run directory are written into the lock file.

The kernel drops the lock when its holder dies, even by SIGKILL, so a crashed run
never blocks the next one; `gameday recover` is what cleans up after it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import platform
import stat
import tempfile
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import psutil

from gameday.errors import RefusedError

LOCK_DIR = "GAMEDAY_LOCK_DIR"


def process_start(pid: int) -> float | None:
    """When process `pid` started (Unix time), or None if there is no such process.
    With the pid it names one process for good: a pid reused later starts later."""
    try:
        return round(psutil.Process(pid).create_time(), 2)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return None


def is_alive(pid: int, started: float | None) -> bool:
    """Whether the process `pid` that started at `started` still runs (a reused pid is
    not it). Without a start time (older journals) any process with that pid counts."""
    now = process_start(pid)
    if now is None:
        return False
    return started is None or abs(now - started) < 0.05


def lock_dir() -> Path:
    path = Path(os.environ.get(LOCK_DIR) or Path(tempfile.gettempdir()) / "gameday-locks")
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(PermissionError):
            os.chmod(path, 0o1777)  # shared by every user of the host, like /tmp
    return path


def target_key(kind: str, params: dict[str, Any], server: str | None = None) -> str:
    """The local target is this host; a cluster is its API server (`server`, from the
    target's identity), whatever kubeconfig or context names it; anything else is its
    kind plus its settings."""
    if kind == "local":
        return f"local-{os.uname().nodename}"
    basis = server.rstrip("/") if server else json.dumps(params, sort_keys=True)
    return f"{kind}-{hashlib.sha256(basis.encode()).hexdigest()[:16]}"


def holder(run_dir: Path | str) -> dict[str, Any]:
    """What this process writes into a lock it holds."""
    pid = os.getpid()
    return {
        "pid": pid,
        "pid_start": process_start(pid),
        "host": platform.node(),
        "user": os.getuid(),
        "run": str(run_dir),
    }


def describe(data: dict[str, Any]) -> str:
    return f"gameday pid {data.get('pid')} (run {data.get('run', '?')}, uid {data.get('user')})"


class TargetLock:
    def __init__(self, key: str, owner: dict[str, Any]):
        self.path = lock_dir() / f"{key}.lock"
        self.owner = owner
        self._handle: IO[str] | None = None

    def __enter__(self) -> TargetLock:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666)
        with contextlib.suppress(PermissionError):
            if stat.S_IMODE(os.fstat(fd).st_mode) != 0o666:
                os.fchmod(fd, 0o666)  # the next user must be able to lock it too
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            text = handle.read().strip()
            handle.close()
            try:
                other = describe(json.loads(text))
            except ValueError:
                other = text or "another gameday run"
            raise RefusedError(
                f"the target is locked by {other}",
                hint="wait for that run to finish; two runners must not inject into one target at once",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(self.owner))
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
