"""Durations (`500ms`, `30s`, `2m`) and ratios (`99.5%`, `0.995`) as pydantic types.

Both parse into plain floats: durations in seconds, ratios in [0, 1].
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field, PlainSerializer

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$")
_SECONDS_PER_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
MAX_DURATION = 30 * 24 * 3600.0
"""The longest duration any field accepts (30 days): longer is a typo, and would
overflow the clocks it is added to."""


def parse_duration(value: object) -> float:
    """Seconds from `500ms`, `30s`, `2m`, `1h`; bare numbers are refused as ambiguous."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            seconds = float(match.group(1)) * _SECONDS_PER_UNIT[match.group(2)]
            if seconds > MAX_DURATION:
                raise ValueError(
                    f"duration {value.strip()[:40]!r} is longer than 30 days: "
                    "check the unit (`500ms`, `30s`, `2m`, `1h`)"
                )
            return seconds
    raise ValueError(
        f"invalid duration {value!r}: write a number with a unit, e.g. `500ms`, `30s`, `2m`, `1h`"
    )


def format_duration(seconds: float) -> str:
    """The inverse of `parse_duration`, choosing the largest exact unit."""
    if seconds >= 60 and seconds % 60 == 0:
        return f"{int(seconds // 60)}m"
    if seconds >= 1 and float(seconds).is_integer():
        return f"{int(seconds)}s"
    return f"{round(seconds * 1000)}ms"


def parse_ratio(value: object) -> float:
    """A ratio in [0, 1] from `99.5%` or `0.995`."""
    ratio: float | None = None
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            ratio = float(value.strip()[:-1]) / 100.0
        except ValueError:
            ratio = None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ratio = float(value)
    if ratio is None or not 0.0 <= ratio <= 1.0:
        raise ValueError(
            f"invalid ratio {value!r}: write a percentage like `99.5%` or a fraction like `0.995`"
        )
    return ratio


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    Field(json_schema_extra={"type": "string", "pattern": _DURATION.pattern}),
]
"""A duration in seconds, written `500ms`, `30s`, `2m` or `1h` in YAML."""

Ratio = Annotated[
    float,
    BeforeValidator(parse_ratio),
    Field(json_schema_extra={"type": ["string", "number"]}),
]
"""A ratio in [0, 1], written `99.5%` or `0.995` in YAML."""
