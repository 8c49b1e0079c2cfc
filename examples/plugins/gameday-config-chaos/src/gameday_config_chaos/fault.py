"""`config-garble`: overwrite a configuration file with text that does not parse, the
way a bad deploy or a half-written file would, and put the original back on revert."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams


class ConfigGarbleParams(PluginParams):
    path: str = Field(description="The configuration file to garble.")
    garbage: str = Field("{ this is not json", description="What to write instead.")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ConfigGarble:
    name: ClassVar[str] = "config-garble"
    Params: ClassVar[type[ConfigGarbleParams]] = ConfigGarbleParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    # Declared once: guardrails check `path` against [tool.gameday.guardrails] local_paths,
    # and the blast radius counts files.
    reach: ClassVar[Reach] = Reach(Touches.FILES, "file", ("path",))

    def select(self, params: ConfigGarbleParams, target: object) -> Injection:
        """No side effects: what would be touched, and the undo data (journaled first)."""
        path = Path(params.path)
        if not path.is_file():
            raise TargetError(f"{path} is not a file", hint="point `path` at the config file")
        original = path.read_bytes()
        return Injection(
            self.name,
            (f"file:{path}",),
            undo={"path": str(path), "original": base64.b64encode(original).decode()},
            evidence={"sha256_before": _digest(original)},
        )

    def inject(self, injection: Injection, params: ConfigGarbleParams, target: object) -> Injection:
        Path(injection.undo["path"]).write_text(params.garbage, encoding="utf-8")
        return injection

    def confirm(self, injection: Injection, params: ConfigGarbleParams, target: object) -> Landing:
        """Look at the file, not at what inject believes it did."""
        now = Path(injection.undo["path"]).read_bytes()
        if now == params.garbage.encode():
            return Landing(True, f"{injection.undo['path']} holds the garbage ({len(now)} bytes)")
        return Landing(False, f"{injection.undo['path']} does not hold the garbage")

    def revert(self, injection: Injection, target: object) -> None:
        """Idempotent: writing the original back twice is the same as once."""
        Path(injection.undo["path"]).write_bytes(base64.b64decode(injection.undo["original"]))
