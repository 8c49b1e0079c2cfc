"""The journal cut into one segment per scenario attempt: its typed events
(`gameday.model.journal`) and its samples by probe."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gameday.model import journal as j
from gameday.model.journal_json import parse
from gameday.plugins.protocols import Sample

E = TypeVar("E", bound=j.Record)


@dataclass
class Segment:
    start: j.ScenarioStart
    events: list[j.Record] = field(default_factory=list)
    samples: dict[str, list[Sample]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.start.scenario

    @property
    def spec(self) -> dict[str, Any]:
        return self.start.spec

    def all(self, kind: type[E], **match: Any) -> list[E]:
        return [
            e
            for e in self.events
            if isinstance(e, kind) and all(getattr(e, k) == v for k, v in match.items())
        ]

    def first(self, kind: type[E], **match: Any) -> E | None:
        found = self.all(kind, **match)
        return found[0] if found else None

    def t(self, kind: type[j.Record], **match: Any) -> float | None:
        event = self.first(kind, **match)
        return None if event is None else event.t


def typed(records: Sequence[j.Record | Mapping[str, Any]]) -> list[j.Record]:
    """Records as typed journal records (JSON objects, e.g. hand-built ones, are parsed)."""
    return [r if isinstance(r, j.Record) else parse(r) for r in records]


def segments(records: Sequence[j.Record]) -> list[Segment]:
    found: list[Segment] = []
    current: Segment | None = None
    for record in records:
        if isinstance(record, j.ScenarioStart):
            current = Segment(record, [record])
            found.append(current)
        elif current is None:
            continue
        elif isinstance(record, j.Samples):
            rows = current.samples.setdefault(record.probe, [])
            rows.extend(Sample(r[0], bool(r[1]), r[2], r[3], r[4]) for r in record.s)
        else:
            current.events.append(record)
            if isinstance(record, j.ScenarioEnd):
                current = None
    return found


def latest_attempts(found: list[Segment]) -> list[Segment]:
    """A resumed drill runs an interrupted scenario again: score each entry's last attempt."""
    latest: dict[Any, Segment] = {}
    for position, seg in enumerate(found):
        key = seg.start.index if seg.start.index is not None else f"#{position}"
        latest[key] = seg
    return list(latest.values())
