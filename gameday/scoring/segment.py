"""The journal cut into one segment per scenario attempt, with its samples by probe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gameday.plugins.protocols import Sample


@dataclass
class Segment:
    name: str
    spec: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    def first(self, type_: str, **match: Any) -> dict[str, Any] | None:
        return next(
            (
                e
                for e in self.events
                if e["type"] == type_ and all(e.get(k) == v for k, v in match.items())
            ),
            None,
        )

    def all(self, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type_]

    def t(self, type_: str, **match: Any) -> float | None:
        event = self.first(type_, **match)
        return None if event is None else float(event["t"])


def segments(records: Sequence[dict[str, Any]]) -> list[Segment]:
    found: list[Segment] = []
    current: Segment | None = None
    for record in records:
        if record["type"] == "scenario-start":
            current = Segment(record["scenario"], record["spec"], [record])
            found.append(current)
        elif current is None:
            continue
        elif record["type"] == "samples":
            rows = current.samples.setdefault(record["probe"], [])
            rows.extend(Sample(r[0], bool(r[1]), r[2], r[3], r[4]) for r in record["s"])
        else:
            current.events.append(record)
            if record["type"] == "scenario-end":
                current = None
    return found


def latest_attempts(found: list[Segment]) -> list[Segment]:
    """A resumed drill runs an interrupted scenario again: score each entry's last attempt."""
    latest: dict[Any, Segment] = {}
    for position, seg in enumerate(found):
        latest[seg.events[0].get("index", f"#{position}")] = seg
    return list(latest.values())
