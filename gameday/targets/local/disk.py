"""`disk-fill` (a preallocated file, removed on revert) and `file-delete` (with a
safety copy kept outside the target, put back on revert only if recovery did not)."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path
from typing import ClassVar

from pydantic import ByteSize, Field, model_validator

from gameday.errors import TargetError
from gameday.plugins.protocols import Injection
from gameday.spec.base import PluginParams
from gameday.spec.units import Ratio
from gameday.state import state_dir


class DiskFillParams(PluginParams):
    path: str = Field(description="Directory on the filesystem to fill.")
    size: ByteSize | None = Field(None, description="Bytes to write, e.g. 500MiB.")
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

    def revert(self, injection: Injection, target: object) -> None:
        if injection.undo:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(injection.undo["file"])


class FileDeleteParams(PluginParams):
    path: str = Field(description="The file to delete (e.g. a datastore's data file).")


class FileDelete:
    """Deletes a file. Recovery steps are expected to restore it (from backup); revert
    puts gameday's safety copy back only if the file is still missing."""

    name: ClassVar[str] = "file-delete"
    Params: ClassVar[type[FileDeleteParams]] = FileDeleteParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True

    def select(self, params: FileDeleteParams, target: object) -> Injection:
        path = Path(params.path)
        if not path.is_file():
            return Injection(self.name, (), evidence={"missing": str(path)})
        safety = state_dir() / "safety" / uuid.uuid4().hex
        return Injection(
            self.name, (f"file:{path}",), undo={"path": str(path), "safety": str(safety)}
        )

    def inject(self, injection: Injection, params: FileDeleteParams, target: object) -> Injection:
        safety = Path(injection.undo["safety"])
        safety.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(injection.undo["path"], safety)
        os.chmod(safety, 0o600)
        os.unlink(injection.undo["path"])
        return injection

    def revert(self, injection: Injection, target: object) -> None:
        if not injection.undo:
            return
        path, safety = Path(injection.undo["path"]), Path(injection.undo["safety"])
        if safety.exists():
            if not path.exists():
                shutil.copy2(safety, path)
            safety.unlink()
        with contextlib.suppress(OSError):
            safety.parent.rmdir()  # only when empty
