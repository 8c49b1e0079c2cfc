"""The journal cut into one segment per scenario attempt: its typed events
(`gameday.model.journal`), and what its samples are needed for (`SegmentSamples`).

The journal is read as a stream, never held: `read_events` is the first pass (every
record but the samples), `feed` the second (the samples of the scored attempts, into
what each asked for).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from gameday.model import journal as j
from gameday.model.journal_json import parse
from gameday.plugins.protocols import Sample
from gameday.scoring.samples import SegmentSamples, rows

E = TypeVar("E", bound=j.Record)
Source = Callable[[], Iterable[j.Record]]
"""Reads the journal from its start, each time it is called (one pass)."""


@dataclass
class Segment:
    start: j.ScenarioStart
    events: list[j.Record] = field(default_factory=list)
    samples: SegmentSamples = field(default_factory=SegmentSamples)
    position: int = 0
    """Which scenario-start of the journal this attempt began at (0 for the first)."""

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


@dataclass
class Events:
    """The first pass: every record but the samples."""

    segments: list[Segment] = field(default_factory=list)
    start: j.RunStart | None = None
    end: j.RunEnd | None = None
    last: j.Record | None = None
    notes: list[j.Note] = field(default_factory=list)


def typed(records: Sequence[j.Record | Mapping[str, Any]]) -> list[j.Record]:
    """Records as typed journal records (JSON objects, e.g. hand-built ones, are parsed)."""
    return [r if isinstance(r, j.Record) else parse(r) for r in records]


def read_events(records: Iterable[j.Record]) -> Events:
    found = Events()
    current: Segment | None = None
    for record in records:
        found.last = record
        if isinstance(record, j.Samples):
            continue
        if isinstance(record, j.RunStart) and found.start is None:
            found.start = record
        elif isinstance(record, j.RunEnd):
            found.end = record
        elif isinstance(record, j.Note):
            found.notes.append(record)
        if isinstance(record, j.ScenarioStart):
            current = Segment(record, [record], position=len(found.segments))
            found.segments.append(current)
        elif current is not None:
            current.events.append(record)
            if isinstance(record, j.ScenarioEnd):
                current = None
    return found


def feed(records: Iterable[j.Record], wanted: Mapping[int, Callable[[str, Sample], None]]) -> None:
    """The samples of the attempts in `wanted` (by position), in journal order."""
    position, current = -1, None
    for record in records:
        if isinstance(record, j.ScenarioStart):
            position += 1
            current = wanted.get(position)
        elif current is None:
            continue
        elif isinstance(record, j.Samples):
            for sample in rows(record.s):
                current(record.probe, sample)
        elif isinstance(record, j.ScenarioEnd):
            current = None


def fill(source: Source, chosen: Sequence[Segment]) -> None:
    """The sample pass for the attempts scored; each can read its samples again later."""
    for seg in chosen:
        seg.samples.replay = _replay(source, seg.position)
    feed(source(), {seg.position: seg.samples.add for seg in chosen})
    for seg in chosen:
        seg.samples.filled()


def _replay(source: Source, position: int) -> Callable[[Callable[[str, Sample], None]], None]:
    def replay(add: Callable[[str, Sample], None]) -> None:
        feed(source(), {position: add})

    return replay


def latest_attempts(found: list[Segment]) -> list[Segment]:
    """A resumed drill runs an interrupted scenario again: score each entry's last attempt."""
    latest: dict[Any, Segment] = {}
    for position, seg in enumerate(found):
        key = seg.start.index if seg.start.index is not None else f"#{position}"
        latest[key] = seg
    return list(latest.values())
