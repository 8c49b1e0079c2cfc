"""The strict base model every spec class derives from: unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A spec object: unknown keys are rejected, values are immutable once parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class PluginParams(StrictModel):
    """Base of every plugin's `Params` model (fault, probe, action, target)."""
