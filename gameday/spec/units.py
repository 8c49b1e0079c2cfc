"""Durations (`500ms`, `30s`, `2m`), ratios (`99.5%`, `0.995`) and sizes (`256MiB`)
as pydantic types.

Durations parse into float seconds, ratios into floats in [0, 1], sizes into int bytes.
Each type's JSON Schema carries the exact pattern the parser accepts (the parser
matches the same regular expression), so an editor and `gameday validate` agree.
Patterns use only syntax that Python and ECMAScript regexes read the same way.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
DURATION_PATTERN = rf"^ *({_NUMBER}) *(ms|s|m|h) *$"
PERCENT_PATTERN = r"^ *(100(?:\.0+)?|[0-9]{1,2}(?:\.[0-9]+)?) *% *$"
_SIZE_UNITS = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
SIZE_PATTERN = rf"^ *({_NUMBER}) *([bB]|[kKmMgGtT][iI]?[bB])? *$"

_SECONDS_PER_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
MAX_DURATION = 30 * 24 * 3600.0
"""The longest duration any field accepts (30 days): longer is a typo, and would
overflow the clocks it is added to."""


def _full(pattern: str, value: str) -> re.Match[str] | None:
    # `$` in Python also matches before a final newline; ECMAScript's does not.
    return re.fullmatch(pattern.removeprefix("^").removesuffix("$"), value)


def parse_duration(value: object) -> float:
    """Seconds from `500ms`, `30s`, `2m`, `1h`; bare numbers are refused as ambiguous."""
    if isinstance(value, str):
        match = _full(DURATION_PATTERN, value)
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
    if isinstance(value, str):
        match = _full(PERCENT_PATTERN, value)
        ratio = float(match.group(1)) / 100.0 if match else None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ratio = float(value)
    if ratio is None or not 0.0 <= ratio <= 1.0:
        raise ValueError(
            f"invalid ratio {value!r}: write a percentage like `99.5%` or a fraction like `0.995`"
        )
    return ratio


def parse_size(value: object) -> int:
    """Bytes from `512`, `500MB` (powers of 1000) or `256MiB` (powers of 1024)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        match = _full(SIZE_PATTERN, value)
        if match:
            unit = (match.group(2) or "b").lower()
            return int(float(match.group(1)) * _SIZE_UNITS[unit])
    raise ValueError(
        f"invalid size {value!r}: write bytes with a unit, e.g. `500MB`, `256MiB`, `1GiB`"
    )


Duration = Annotated[
    float,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": DURATION_PATTERN,
            "examples": ["500ms", "30s", "2m", "1h"],
            "$comment": "duration: a number and a unit (ms, s, m, h); a bare number is refused",
        }
    ),
]
"""A duration in seconds, written `500ms`, `30s`, `2m` or `1h` in YAML."""

Ratio = Annotated[
    float,
    BeforeValidator(parse_ratio),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": PERCENT_PATTERN},
                {"type": "number", "minimum": 0, "maximum": 1},
            ],
            "examples": ["99.5%", 0.995],
            "$comment": "ratio: a percentage `99.5%` or a fraction in [0, 1]",
        }
    ),
]
"""A ratio in [0, 1], written `99.5%` or `0.995` in YAML."""

Size = Annotated[
    int,
    BeforeValidator(parse_size),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": SIZE_PATTERN},
                {"type": "integer", "minimum": 0},
            ],
            "examples": ["500MB", "256MiB", 1048576],
            "$comment": "size: bytes, or a number with B, kB, MB, GB, TB, KiB, MiB, GiB, TiB",
        }
    ),
]
"""A size in bytes, written `500MB`, `256MiB` or a plain number of bytes in YAML."""


PERCENT_INT_PATTERN = r"^ *([0-9]|[1-9][0-9]|100) *% *$"


def parse_percent(value: object) -> int:
    """A whole percentage 0-100 from `80` or `80%` (for tools that take one, e.g. Chaos Mesh)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 100:
        return value
    if isinstance(value, str):
        match = _full(PERCENT_INT_PATTERN, value)
        if match:
            return int(match.group(1))
    raise ValueError(f"invalid percentage {value!r}: write a whole number 0-100, `80` or `80%`")


Percent = Annotated[
    int,
    BeforeValidator(parse_percent),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 0, "maximum": 100},
                {"type": "string", "pattern": PERCENT_INT_PATTERN},
            ],
            "examples": [80, "80%"],
            "$comment": "percent: a whole number 0-100, with or without `%`",
        }
    ),
]
"""A whole percentage, written `80` or `80%` in YAML."""
