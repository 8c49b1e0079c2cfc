"""The journal: the single, append-only record of a run (JSON Lines of the typed
records in `gameday.model.journal`; this module is their only writer and reader).

Phase changes and injections are written and fsync'd at once; probe samples are
batched and flushed at least every `FLUSH_EVERY` seconds. `t` in every record is
seconds on the run's monotonic clock; `wall` is the Unix time when it was written.
Before a record is written its presentation fields are masked (`Redactor.record`);
nothing else in it is changed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any, TypeVar

from gameday.model.journal import Phase, Record, SampleRow, Samples
from gameday.model.journal_json import parse, to_json, type_of
from gameday.plugins.protocols import Sample
from gameday.redact import Redactor

JOURNAL = "journal.jsonl"
"""The journal's file name inside a run directory."""

FLUSH_EVERY = 0.5
"""Seconds between flushes of buffered samples."""

R = TypeVar("R", bound=Record)


class Clock:
    """Seconds since the run started, on the monotonic clock."""

    def __init__(self, offset: float = 0.0) -> None:
        self.origin = time.monotonic() - offset
        self.wall_origin = time.time()

    def __call__(self) -> float:
        return time.monotonic() - self.origin


class JournalWriter:
    """Appends records to one journal. `seq` continues from `first_seq` (a resumed or
    recovered journal keeps counting where it stopped)."""

    def __init__(self, path: Path, clock: Clock, first_seq: int = 0):
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        if _torn(path):  # a crash cut the last line short: never glue a record onto it
            self._file.write("\n")
        self._lock = threading.Lock()
        self._buffer: list[Record] = []
        self._pending: dict[tuple[str, str], list[SampleRow]] = {}
        self._seq = first_seq
        self.redactor = Redactor()
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="journal-flush", daemon=True)
        self._flusher.start()

    def write(self, record: R, *, sync: bool = False) -> R:
        """Append one record, stamped with `seq`, `t` and `wall`; returns it as stamped.
        `sync=True` flushes and fsyncs before returning."""
        with self._lock:
            if sync:  # what is buffered goes first, so `seq` rises in file order
                self._write_samples()
            self._seq += 1
            record = dataclasses.replace(
                record, seq=self._seq, t=round(self.clock(), 6), wall=time.time()
            )
            if sync:
                self._write(record)
                self._file.flush()
                os.fsync(self._file.fileno())
                _crash_if_asked(record)
            else:
                self._buffer.append(record)
        return record

    def sample(self, scenario: str, probe: str, s: Sample) -> None:
        row: SampleRow = (
            round(s.t, 6),
            int(s.ok),
            None if s.latency is None else round(s.latency, 6),
            s.value,
            s.detail,
        )
        with self._lock:
            self._pending.setdefault((scenario, probe), []).append(row)

    def flush(self) -> None:
        with self._lock:
            self._write_samples()
            self._file.flush()

    def _write_samples(self) -> None:
        for record in self._buffer:
            self._write(record)
        self._buffer.clear()
        for (scenario, probe), rows in self._pending.items():
            if rows:
                self._seq += 1
                self._write(Samples(seq=self._seq, scenario=scenario, probe=probe, s=tuple(rows)))
        self._pending = {}

    def _write(self, record: Record) -> None:
        line = json.dumps(to_json(self.redactor.record(record)), separators=(",", ":"), default=str)
        self._file.write(line + "\n")

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self._flusher.join(timeout=2)
        with self._lock:
            self._write_samples()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()


CRASH_AFTER = "GAMEDAY_CRASH_AFTER"
"""Testing hook: `TYPE` or `phase:NAME` makes the runner SIGKILL itself right after that
record is on disk, to prove `gameday recover` handles a crash at that exact point."""


def _crash_if_asked(record: Record) -> None:
    point = os.environ.get(CRASH_AFTER)
    if not point:
        return
    phase = record.phase if isinstance(record, Phase) else None
    if point in (type_of(record), f"{type_of(record)}:{phase}"):
        os.kill(os.getpid(), signal.SIGKILL)


def _torn(path: Path) -> bool:
    with open(path, "rb") as handle:
        handle.seek(0, os.SEEK_END)
        if handle.tell() == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def read_records(path: Path) -> list[Record]:
    """All records of a journal, typed; a torn last line (crash mid-write) is ignored,
    and so is a line that is not a JSON object."""
    records: list[Record] = []
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(data, dict):
                records.append(parse(data))
    return records


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All records as JSON objects, normalised through their typed definitions (for
    readers not yet converted to typed records, e.g. scoring)."""
    return [to_json(r) for r in read_records(path)]


def last_seq(records: list[Record]) -> int:
    return max((r.seq for r in records), default=0)


def continuing(path: Path, gap: float | None = None) -> JournalWriter:
    """A writer that appends to an existing journal, continuing its `seq` and its clock.

    With `gap=None` the clock continues in real time: `t` is the last record's `t` plus
    the wall-clock time since it was written (so `recover`'s records say when they
    happened, never before the injection they revert). With a `gap` (resume), the new
    part starts that many seconds after the last record."""
    records = read_records(path)
    timed = [r for r in records if r.TIMED and (r.t or r.wall)]
    last = max(timed, key=lambda r: (r.t, r.wall), default=None)
    if last is None:
        offset = 0.0
    elif gap is None:
        offset = last.t + max(0.0, time.time() - last.wall) if last.wall else last.t
    else:
        offset = last.t + gap
    return JournalWriter(path, Clock(offset=offset), first_seq=last_seq(records))
