"""Journal records <-> the JSON objects on the journal's lines.

`parse` turns one decoded line into its typed record (`gameday.model.journal`),
tolerating what older and hand-built journals omit; `to_json` is its inverse. Reading
and writing files is `gameday.execute.journal`'s job.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gameday.model.journal import (
    Abort,
    AbortCondition,
    AlertFired,
    AlertResolved,
    AlertSource,
    Approval,
    DataAudit,
    EntryData,
    FaultLanding,
    InjectionApplied,
    InjectionData,
    InjectionPlanned,
    InjectionReverted,
    Note,
    Phase,
    Plan,
    Record,
    RevertFailed,
    RunEnd,
    RunFlags,
    RunResumed,
    RunStart,
    SampleRow,
    Samples,
    ScenarioEnd,
    ScenarioStart,
    SliMeasured,
    StepEnd,
    StepStart,
    TargetStats,
    Unknown,
    Verify,
)
from gameday.model.outcomes import Outcome

TYPES: dict[str, type[Record]] = {
    cls.TYPE: cls
    for cls in (
        RunStart,
        RunResumed,
        RunEnd,
        Note,
        ScenarioStart,
        ScenarioEnd,
        Phase,
        Plan,
        Approval,
        InjectionPlanned,
        InjectionApplied,
        InjectionReverted,
        RevertFailed,
        Abort,
        AbortCondition,
        FaultLanding,
        StepStart,
        StepEnd,
        DataAudit,
        Verify,
        TargetStats,
        AlertFired,
        AlertResolved,
        AlertSource,
        SliMeasured,
        Samples,
    )
}
"""Every event type by its `type` string."""

COMMON = ("seq", "type", "t", "wall")


def type_of(record: Record) -> str:
    return record.type_name if isinstance(record, Unknown) else record.TYPE


def _injection(value: Any) -> InjectionData:
    data = value if isinstance(value, Mapping) else {}
    return InjectionData(
        fault=str(data.get("fault", "")),
        targets=tuple(str(x) for x in data.get("targets", ()) or ()),
        undo=dict(data.get("undo", {}) or {}),
        evidence=dict(data.get("evidence", {}) or {}),
    )


def _entries(value: Any) -> tuple[EntryData, ...]:
    names = {f.name for f in dataclasses.fields(EntryData)}
    return tuple(
        EntryData(**{k: v for k, v in e.items() if k in names})
        for e in value or ()
        if isinstance(e, Mapping)
    )


def _flags(value: Any) -> RunFlags:
    data = value if isinstance(value, Mapping) else {}
    return RunFlags(bool(data.get("dry_run", False)), bool(data.get("auto_approve", False)))


def _rows(value: Any) -> tuple[SampleRow, ...]:
    return tuple((row[0], row[1], row[2], row[3], row[4]) for row in value or () if len(row) >= 5)


_CONVERT: dict[str, Any] = {
    "injection": _injection,
    "entries": _entries,
    "options": _flags,
    "outcome": Outcome,
    "failures": lambda v: tuple(str(x) for x in v or ()),
    "fresh": lambda v: tuple(str(x) for x in v or ()),
    "pending": lambda v: tuple(str(x) for x in v or ()),
    "s": _rows,
    "seq": int,
    "t": float,
    "wall": float,
}


def parse(data: Mapping[str, Any]) -> Record:
    """One journal line (already JSON-decoded) as its typed record.

    Raises ValueError when a known type's field cannot be converted (e.g. an
    outcome that is not an `Outcome`)."""
    name = str(data.get("type", ""))
    cls = TYPES.get(name)
    if cls is None:
        common = {k: _CONVERT[k](data[k]) for k in ("seq", "t", "wall") if k in data}
        return Unknown(type_name=name, data=dict(data), **common)
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key in names:
                convert = _CONVERT.get(key)
                kwargs[key] = value if convert is None or value is None else convert(value)
        if cls.FLAT is not None:
            flat = {k: v for k, v in data.items() if k not in names and k not in COMMON}
            kwargs[cls.FLAT] = flat
        return cls(**kwargs)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError(f"bad {name} record: {exc}") from None


def to_json(record: Record) -> dict[str, Any]:
    """The record as the JSON object written on its line (inverse of `parse`)."""
    if isinstance(record, Unknown):
        return {**record.data, "seq": record.seq, "type": record.type_name}
    out: dict[str, Any] = {"seq": record.seq, "type": record.TYPE}
    if record.TIMED:
        out.update(t=record.t, wall=record.wall)
    for f in dataclasses.fields(record):
        if f.name in COMMON:
            continue
        value = getattr(record, f.name)
        if f.name == record.FLAT:
            out.update(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            out[f.name] = dataclasses.asdict(value)
        elif isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]):
            out[f.name] = [dataclasses.asdict(v) for v in value]
        else:
            out[f.name] = value
    return out
