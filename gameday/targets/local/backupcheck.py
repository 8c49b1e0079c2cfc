"""`backup-check` action: the backup a restore is about to use exists, is younger than
a bound, and is intact. Built for drills that must not pass on stale data.

The backup's time comes from PostgreSQL's `backup_label` (`START TIME`) when the path is
a base backup, else from the newest modification time in it. Integrity is an argv
that must exit 0 (`pg_verifybackup DIR`, `redis-check-rdb FILE`, `mariadb-check ...`)
and/or a SHA-256 checksum file written when the backup was taken (`sha256sum` format).
The findings are journaled as the step's data (the report's restore story uses them).
"""

from __future__ import annotations

import datetime
import hashlib
import os
import re
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import ActionContext, StepOutcome
from gameday.spec.base import PluginParams
from gameday.spec.units import Duration
from gameday.targets.local.command import run_argv

START_TIME = re.compile(r"^START TIME: (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (\S+)$", re.M)
LABEL = re.compile(r"^LABEL: (.*)$", re.M)


class BackupCheckParams(PluginParams):
    path: str = Field(description="The backup: a file, or a directory (a base backup).")
    max_age: Duration = Field(description="Oldest acceptable backup, in seconds (`24h`).")
    integrity: list[str] | None = Field(
        None,
        min_length=1,
        description="A command that exits 0 only for an intact backup, e.g. "
        "[pg_verifybackup, DIR] or [redis-check-rdb, FILE].",
    )
    sha256_file: str | None = Field(
        None, description="A `sha256sum` file written with the backup; the file must match it."
    )
    user: str | None = Field(None, description="Run `integrity` as this user.")


def backup_time(path: Path) -> tuple[float, str, str | None]:
    """(Unix time the backup was taken, how that was found out, its label if any)."""
    label_file = path / "backup_label"
    if path.is_dir() and label_file.is_file():
        text = label_file.read_text(errors="replace")
        found = START_TIME.search(text)
        label = LABEL.search(text)
        if found:
            stamp = datetime.datetime.strptime(found.group(1), "%Y-%m-%d %H:%M:%S")
            if found.group(2) not in ("UTC", "GMT"):
                raise TargetError(
                    f"{label_file}: START TIME is in {found.group(2)}, not UTC",
                    hint="run PostgreSQL with `log_timezone = UTC`",
                )
            taken = stamp.replace(tzinfo=datetime.UTC).timestamp()
            return taken, "backup_label START TIME", label.group(1) if label else None
    if path.is_file():
        return path.stat().st_mtime, "file modification time", None
    newest = path.stat().st_mtime
    for root, _dirs, files in os.walk(path):
        for name in files:
            newest = max(newest, os.lstat(os.path.join(root, name)).st_mtime)
    return newest, "newest modification time in the tree", None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class BackupCheck:
    name: ClassVar[str] = "backup-check"
    Params: ClassVar[type[BackupCheckParams]] = BackupCheckParams

    def run(self, params: BackupCheckParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        path = Path(params.path)
        if not path.exists():
            return StepOutcome(False, f"no backup at {path}", data={"path": str(path)})
        try:
            taken, source, label = backup_time(path)
        except TargetError as exc:
            hint = f" (hint: {exc.hint})" if exc.hint else ""
            return StepOutcome(False, exc.message + hint, data={"path": str(path)})
        age = time.time() - taken
        data: dict[str, Any] = {
            "path": str(path),
            "label": label,
            "taken_wall": round(taken, 3),
            "age": round(age, 3),
            "age_source": source,
            "max_age": params.max_age,
        }
        problems = []
        if age > params.max_age:
            problems.append(f"stale: {age:.0f}s old ({source}), bound {params.max_age:g}s")
        output = ""
        if params.integrity is not None:
            status, output = run_argv(
                params.integrity, user=params.user, cwd=None, env={}, timeout=timeout
            )
            data["integrity_exit"] = status
            if status != 0:
                problems.append(f"integrity check {params.integrity[0]} exited {status}")
        if params.sha256_file is not None:
            if not path.is_file():
                problems.append("sha256_file needs the backup to be a single file")
            else:
                expected = Path(params.sha256_file).read_text().split()[0].lower()
                actual = _sha256(path)
                data["sha256"] = actual
                if actual != expected:
                    problems.append(f"checksum mismatch: {actual[:16]}... != {expected[:16]}...")
        ctx.facts["backup"] = data
        named = f" `{label}`" if label else ""
        if problems:
            return StepOutcome(
                False, f"backup{named} at {path}: " + "; ".join(problems), output, data
            )
        return StepOutcome(
            True,
            f"backup{named} is {age:.0f}s old (bound {params.max_age:g}s), intact",
            output,
            data,
        )
