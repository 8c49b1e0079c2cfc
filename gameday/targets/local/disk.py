"""`disk-fill` (a preallocated file, removed on revert) and `file-delete` (with a
safety copy kept outside the target, put back on revert only if recovery did not)."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import uuid
from pathlib import Path
from typing import ClassVar

from pydantic import Field, model_validator

from gameday.errors import RefusedError, TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams, exactly_one
from gameday.spec.units import Ratio, Size
from gameday.state import state_dir


class DiskFillParams(PluginParams):
    schema_rules = (exactly_one("size", "percent"),)

    path: str = Field(description="Directory on the filesystem to fill.")
    size: Size | None = Field(None, description="Bytes to write, e.g. 500MiB.")
    percent: Ratio | None = Field(
        None, description="Fill the filesystem until this fraction is used."
    )

    @model_validator(mode="after")
    def _one(self) -> DiskFillParams:
        if (self.size is None) == (self.percent is None):
            raise ValueError("give exactly one of `size` or `percent`")
        return self


class DiskFill:
    name: ClassVar[str] = "disk-fill"
    Params: ClassVar[type[DiskFillParams]] = DiskFillParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = False
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.FILES, "file", ("path",))

    def select(self, params: DiskFillParams, target: object) -> Injection:
        directory = Path(params.path)
        if not directory.is_dir():
            return Injection(self.name, (), evidence={"missing": str(directory)})
        usage = shutil.disk_usage(directory)
        if params.size is not None:
            wanted = int(params.size)
        else:
            wanted = max(0, int(usage.total * (params.percent or 0)) - usage.used)
        if wanted >= usage.free:
            raise TargetError(
                f"disk-fill wants {wanted} bytes but {directory} has {usage.free} free",
                hint="lower `size` or `percent`",
            )
        fill = directory / f".gameday-disk-fill-{uuid.uuid4().hex[:10]}"
        return Injection(
            self.name,
            (f"file:{fill}",),
            undo={"file": str(fill)},
            evidence={"bytes": wanted, "used_before": usage.used, "total": usage.total},
        )

    def inject(self, injection: Injection, params: DiskFillParams, target: object) -> Injection:
        fd = os.open(injection.undo["file"], os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        try:
            os.posix_fallocate(fd, 0, max(1, injection.evidence["bytes"]))
        finally:
            os.close(fd)
        return injection

    def confirm(self, injection: Injection, params: DiskFillParams, target: object) -> Landing:
        """The fill file exists with (at least) the bytes asked for allocated on disk."""
        if not injection.undo:
            return Landing(False, f"{params.path} is not a directory")
        wanted = int(injection.evidence["bytes"])
        try:
            allocated = os.stat(injection.undo["file"]).st_blocks * 512
        except OSError as exc:
            return Landing(False, f"fill file {injection.undo['file']}: {exc.strerror}")
        checked = f"{allocated} bytes allocated to {injection.undo['file']}, {wanted} asked for"
        return Landing(allocated >= wanted, checked, {"allocated": allocated})

    def revert(self, injection: Injection, target: object) -> None:
        if injection.undo:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(injection.undo["file"])


class FileDeleteParams(PluginParams):
    path: str = Field(description="The file to delete (e.g. a datastore's data file).")
    recursive: bool = Field(
        False,
        description="Allow `path` to be a directory: the whole tree goes (a database's "
        "data directory). Never `/`, a mount point, a top-level directory, or one holding "
        "gameday's state or the current directory.",
    )


class FileDelete:
    """Deletes a file or (with `recursive`) a directory tree. Recovery steps are
    expected to restore it (from backup); revert puts gameday's safety copy back only
    if the path is still missing. The safety copy is the original moved aside (a
    rename on the same filesystem, else a copy keeping owners and modes)."""

    name: ClassVar[str] = "file-delete"
    Params: ClassVar[type[FileDeleteParams]] = FileDeleteParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.FILES, "file", ("path",))

    def select(self, params: FileDeleteParams, target: object) -> Injection:
        path = Path(params.path)
        if path.is_dir() and not path.is_symlink():
            if not params.recursive:
                raise TargetError(
                    f"{path} is a directory", hint="set `recursive: true` to delete the tree"
                )
            _refuse_dangerous_tree(path)
            kind = "dir"
        elif path.is_file():
            kind = "file"
        else:
            return Injection(self.name, (), evidence={"missing": str(path)})
        safety = state_dir(create=False) / "safety" / uuid.uuid4().hex
        before = path.stat()
        return Injection(
            self.name,
            (f"{kind}:{path}",),
            undo={"path": str(path), "safety": str(safety), "kind": kind},
            evidence={"inode": [before.st_ino, before.st_ctime_ns]},
        )

    def inject(self, injection: Injection, params: FileDeleteParams, target: object) -> Injection:
        path, safety = Path(injection.undo["path"]), Path(injection.undo["safety"])
        safety.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if injection.undo.get("kind") == "dir":
            _move_tree(path, safety)
            return injection
        shutil.copy2(path, safety)
        os.chmod(safety, 0o600)
        os.unlink(path)
        return injection

    def confirm(self, injection: Injection, params: FileDeleteParams, target: object) -> Landing:
        """The file is gone, or what is there now is a new file (the service recreated it)."""
        if not injection.undo:
            return Landing(False, f"{params.path} did not exist: nothing was deleted")
        path = injection.undo["path"]
        try:
            now = os.stat(path)
        except FileNotFoundError:
            return Landing(True, f"{path} is gone")
        if [now.st_ino, now.st_ctime_ns] != injection.evidence.get("inode"):
            return Landing(True, f"{path} was deleted; a new one has been created in its place")
        return Landing(False, f"{path} is still the same file (inode {now.st_ino})")

    def revert(self, injection: Injection, target: object) -> None:
        if not injection.undo:
            return
        path, safety = Path(injection.undo["path"]), Path(injection.undo["safety"])
        if safety.is_dir():
            if not path.exists():
                _move_tree(safety, path)
            else:
                shutil.rmtree(safety)
        elif safety.exists():
            if not path.exists():
                shutil.copy2(safety, path)
            safety.unlink()
        with contextlib.suppress(OSError):
            safety.parent.rmdir()  # only when empty


def _refuse_dangerous_tree(path: Path) -> None:
    resolved = path.resolve()
    guarded = [state_dir().resolve(), Path.cwd().resolve(), Path.home().resolve()]
    if (
        len(resolved.parts) < 3
        or os.path.ismount(resolved)
        or any(g == resolved or resolved in g.parents for g in guarded)
    ):
        raise RefusedError(
            f"refusing to delete the tree {resolved}: it is `/`, a mount point, a top-level "
            "directory, or holds gameday's state, the home or the current directory",
            hint="point `path` at the data directory itself",
        )


def _move_tree(source: Path, destination: Path) -> None:
    """Rename when on one filesystem; else copy (keeping owners and modes), then delete."""
    try:
        os.rename(source, destination)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    shutil.copytree(source, destination, symlinks=True)
    for root, dirs, files in os.walk(source):
        for name in [".", *dirs, *files]:
            original = Path(root) / name
            info = original.lstat()
            copy = destination / original.relative_to(source)
            os.lchown(copy, info.st_uid, info.st_gid)
    shutil.rmtree(source)
