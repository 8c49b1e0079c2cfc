"""The `Drill` kind of apiVersion gameday/v1: scenarios composed into a game day."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from gameday.schedule.cron import parse as parse_cron
from gameday.spec.base import StrictModel
from gameday.spec.scenario import NAME_PATTERN
from gameday.spec.units import Duration


class DrillMetadata(StrictModel):
    name: str = Field(pattern=NAME_PATTERN)
    description: str = ""
    owner: str | None = None
    facilitator: str | None = None
    participants: list[str] = []
    observers: list[str] = []


class ScenarioRef(StrictModel):
    """A scenario file, relative to the drill file, with params and a score weight."""

    ref: str = Field(description="Path of the scenario file, relative to this drill.")
    params: dict[str, Any] = {}
    weight: float = Field(1.0, gt=0)


class DrillSpec(StrictModel):
    apiVersion: Literal["gameday/v1"]
    kind: Literal["Drill"]
    metadata: DrillMetadata
    params: dict[str, Any] = Field({}, description="Shared by every scenario of the drill.")
    scenarios: list[ScenarioRef] = Field(min_length=1)
    deadline: Duration | None = Field(None, description="Hard limit on the whole drill, seconds.")
    schedule: str | None = Field(
        None, description="Cron expression (UTC) for scheduled game days, e.g. `0 10 * * thu`."
    )

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None:
            parse_cron(value)  # raises with what is wrong
        return value
