"""Where gameday keeps state outside run directories: safety copies and target locks."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from gameday.errors import StateError


def state_dir(create: bool = True) -> Path:
    """$GAMEDAY_STATE, default ~/.local/state/gameday (created 0700 unless `create` is
    False: a fault's `select` only names paths, it creates nothing)."""
    path = Path(os.environ.get("GAMEDAY_STATE", Path.home() / ".local" / "state" / "gameday"))
    if create:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def private_path(group: str, name: str) -> Path:
    """A path under state_dir()/group for data that may hold secrets; `write_private`
    creates the folder (0700) when it first writes there."""
    return state_dir(create=False) / group / name


def write_private(path: Path, data: object) -> None:
    """Writes JSON readable by its owner only (0600) and fsyncs it: a revert after a crash
    may depend on it. Never journaled, logged or rendered. All or nothing: the file appears
    complete (written aside, then renamed) or not at all, and a state directory that cannot
    take it (full, read-only) is a `StateError` before the change that needed it."""
    temp = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)  # the rename itself survives a crash
        finally:
            os.close(folder)
    except OSError as exc:
        where = "" if exc.filename in (None, str(path), str(temp)) else f"{exc.filename}: "
        raise StateError(
            f"cannot write {path}: {where}{exc.strerror or exc}",
            hint=f"gameday keeps what a revert needs under {state_dir(create=False)} "
            "($GAMEDAY_STATE): free space there, fix its permissions, or point "
            "GAMEDAY_STATE at a writable directory",
        ) from None
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


def read_private(path: Path) -> Any:
    """What `write_private` wrote; a file that cannot be read back (another user's, edited
    by hand) is a `StateError` naming it, so the revert that needed it fails as a revert
    does (journaled, left pending for `gameday recover`)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise StateError(
            f"cannot read {path}: {reason}",
            hint="it holds what the revert needs: run as the user that ran the drill, with "
            "the same GAMEDAY_STATE, or restore the file",
        ) from None
