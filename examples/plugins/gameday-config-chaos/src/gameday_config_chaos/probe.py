"""`json-field`: read a JSON file and check that one field has the expected value, as
a service reading its configuration would."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams


class JsonFieldParams(PluginParams):
    path: str = Field(description="The JSON file to read.")
    field: str = Field(description="A top-level key.")
    equals: Any = Field(description="The value it must have.")


class JsonField:
    name: ClassVar[str] = "json-field"
    Params: ClassVar[type[JsonFieldParams]] = JsonFieldParams

    def read_only(self, params: JsonFieldParams) -> bool:
        return True  # it only reads: `--dry-run` may sample it

    def open(self, params: JsonFieldParams, target: object, every: float) -> JsonFieldSession:
        return JsonFieldSession(params)


class JsonFieldSession:
    def __init__(self, params: JsonFieldParams) -> None:
        self.params = params

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        try:
            value = json.loads(Path(self.params.path).read_text(encoding="utf-8"))[self.params.field]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return Sample(t, False, time.monotonic() - start, None, f"{type(exc).__name__}: {exc}")
        ok = value == self.params.equals
        return Sample(t, ok, time.monotonic() - start, None, None if ok else f"{value!r}")

    def close(self) -> None:
        pass
