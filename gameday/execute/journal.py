"""The journal: the single, append-only record of a run (JSON Lines of the typed
records in `gameday.model.journal`; this module is their only writer and reader).

Phase changes and injections are written and fsync'd at once; probe samples are
batched and flushed at least every `FLUSH_EVERY` seconds. `t` in every record is
seconds on the run's monotonic clock; `wall` is the Unix time when it was written.
Before a record is written its presentation fields are masked (`Redactor.record`);
nothing else in it is changed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from gameday.errors import DependencyError
from gameday.model.journal import (
    InjectionPlanned,
    Phase,
    Record,
    RunEnd,
    RunStart,
    SampleRow,
    Samples,
)
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


MIN_FREE = "GAMEDAY_MIN_FREE_BYTES"
"""Free space (bytes) the journal's file system must have before a run or an injection
starts; default `DEFAULT_MIN_FREE`."""
DEFAULT_MIN_FREE = 16 * 1024 * 1024
SPILL_DIR = "GAMEDAY_SPILL_DIR"
"""Where a run whose journal could not be written puts the whole journal and its
report instead (default `<tmp>/gameday-spill`), as `<name>/<run-id>/`."""


class JournalError(DependencyError):
    """The journal could not be written (disk full, I/O error): the run cannot keep its
    record, so it reverts at once and ends as an error (exit code 6)."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__("journal", message, hint=hint)


CRITICAL = (InjectionPlanned, RunStart)
"""Records that must be on disk before the run goes on: an injection is never applied
unless its undo data is journaled."""


class JournalWriter:
    """Appends records to one journal. `seq` continues from `first_seq` (a resumed or
    recovered journal keeps counting where it stopped).

    If a write fails, the file is cut back to its last complete line, `failed` says why,
    `on_failure` is told (once), and that write raises `JournalError`. From then on
    records are kept in memory (never a gap in `seq`): `close` writes them if it can,
    else copies the whole journal to the spill directory (`spilled`). A critical record
    (`CRITICAL`) raises instead of being kept."""

    def __init__(self, path: Path, clock: Clock, first_seq: int = 0):
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._good = os.fstat(self._fd).st_size
        self._lock = threading.Lock()
        self._buffer: list[Record] = []
        self._pending: dict[tuple[str, str], list[SampleRow]] = {}
        self._seq = first_seq
        self.redactor = Redactor()
        self.failed: str | None = None
        self.on_failure: Callable[[str], None] | None = None
        self.unwritten: list[bytes] = []
        self.spilled: Path | None = None
        if _torn(path):  # a crash cut the last line short: never glue a record onto it
            self._emit([b"\n"], fsync=False)
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="journal-flush", daemon=True)
        self._flusher.start()

    def write(self, record: R, *, sync: bool = False) -> R:
        """Append one record, stamped with `seq`, `t` and `wall`; returns it as stamped.
        `sync=True` flushes and fsyncs before returning."""
        with self._lock:
            if isinstance(record, CRITICAL) and self.failed:
                raise JournalError(self.failed, hint=_HINT)
            lines = self._drain() if sync else []  # buffered first: `seq` rises in file order
            self._seq += 1
            record = dataclasses.replace(
                record, seq=self._seq, t=round(self.clock(), 6), wall=time.time()
            )
            if not sync:
                self._buffer.append(record)
                return record
            self._emit([*lines, self._line(record)], fsync=True, critical=True)
            _crash_if_asked(record)
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
            self._emit(self._drain(), fsync=False)

    def check_space(self) -> None:
        """Before injecting: the journal can be fsync'd and its disk has room."""
        needed = int(os.environ.get(MIN_FREE) or DEFAULT_MIN_FREE)
        with self._lock:
            if self.failed:
                raise JournalError(self.failed, hint=_HINT)
            try:
                os.fsync(self._fd)
                free = shutil.disk_usage(self.path.parent).free
            except OSError as exc:
                raise JournalError(f"cannot fsync {self.path}: {exc.strerror}") from None
        if free < needed:
            raise JournalError(
                f"only {free} bytes free for the journal in {self.path.parent} "
                f"(a run needs {needed}, ${MIN_FREE})",
                hint=_HINT,
            )

    def _drain(self) -> list[bytes]:
        lines = [self._line(r) for r in self._buffer]
        self._buffer.clear()
        for (scenario, probe), rows in self._pending.items():
            if rows:
                self._seq += 1
                batch = Samples(seq=self._seq, scenario=scenario, probe=probe, s=tuple(rows))
                lines.append(self._line(batch))
        self._pending = {}
        return lines

    def _line(self, record: Record) -> bytes:
        data = to_json(self.redactor.record(record))
        return (json.dumps(data, separators=(",", ":"), default=str) + "\n").encode()

    def _emit(self, lines: list[bytes], *, fsync: bool, critical: bool = False) -> None:
        if not lines:
            return
        if self.failed:
            self.unwritten += lines
            return
        data = b"".join(lines)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view) :]
            if fsync:
                os.fsync(self._fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, self._good)  # never leave a torn line behind
            self.unwritten += lines
            self.failed = f"cannot write the journal {self.path}: {exc.strerror or exc}"
            if self.on_failure is not None:
                self.on_failure(self.failed)
            if critical:
                raise JournalError(self.failed, hint=_HINT) from None
            return
        self._good += len(data)

    def _flush_loop(self) -> None:
        while not self._stop.wait(FLUSH_EVERY):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self._flusher.join(timeout=2)
        with self._lock:
            self._emit(self._drain(), fsync=False)
            if self.unwritten:  # maybe there is room again
                lines, self.unwritten, failed = self.unwritten, [], self.failed
                self.failed, self.on_failure = None, None
                self._emit(lines, fsync=True)
                self.failed = failed  # the run still lost its record while it ran
            if self.unwritten:
                self.spilled = self._spill()
            with contextlib.suppress(OSError):
                os.fsync(self._fd)
            os.close(self._fd)

    def _spill(self) -> Path | None:
        """The whole journal (what is on disk, then what was not) in the spill directory."""
        folder = spill_dir(self.path.parent)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            with open(self.path, "rb") as kept, open(folder / JOURNAL, "wb") as out:
                out.write(kept.read(self._good))
                out.write(b"".join(self.unwritten))
                out.flush()
                os.fsync(out.fileno())
        except OSError:
            return None
        return folder


_HINT = "free space on that disk, or write reports elsewhere (--reports); see docs/cli.md"


def spill_dir(run_dir: Path) -> Path:
    base = Path(os.environ.get(SPILL_DIR) or Path(tempfile.gettempdir()) / "gameday-spill")
    return base / run_dir.parent.name / run_dir.name


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
    and so is a line that is not a JSON object or that its record type refuses."""
    return list(iter_records(path))


def iter_records(path: Path, only: tuple[str, ...] = ()) -> Iterator[Record]:
    """The records of a journal one at a time, as `read_records` reads them, holding
    one line in memory (scoring an 8-hour journal reads it this way). With `only`,
    just the records of those types: other lines are skipped before they are parsed
    (a line whose text does not contain `"<type>"` cannot be of that type)."""
    marks = tuple(f'"{name}"' for name in only)
    with open(path, encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if marks and not any(mark in line for mark in marks):
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(data, dict):
                continue
            try:
                record = parse(data)
            except ValueError:  # a line no record type accepts
                continue
            if not only or type_of(record) in only:
                yield record


def read_events(path: Path) -> list[Record]:
    """Every record but the probe samples (what `resume` plans from): as many as things
    happened in the run, however long its probes sampled."""
    return [r for r in iter_records(path) if not isinstance(r, Samples)]


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All records as JSON objects, normalised through their typed definitions (for
    readers not yet converted to typed records, e.g. scoring)."""
    return [to_json(r) for r in read_records(path)]


def continuing(path: Path, gap: float | None = None) -> JournalWriter:
    """A writer that appends to an existing journal, continuing its `seq` and its clock.

    With `gap=None` the clock continues in real time: `t` is the last record's `t` plus
    the wall-clock time since it was written (so `recover`'s records say when they
    happened, never before the injection they revert). With a `gap` (resume), the new
    part starts that many seconds after the last record."""
    seq, last = 0, None  # one record at a time: resuming an 8-hour journal holds none
    for record in iter_records(path):
        seq = max(seq, record.seq)
        timed = record.TIMED and (record.t or record.wall)
        if timed and (last is None or (record.t, record.wall) > (last.t, last.wall)):
            last = record
    if last is None:
        offset = 0.0
    elif gap is None:
        offset = last.t + max(0.0, time.time() - last.wall) if last.wall else last.t
    else:
        offset = last.t + gap
    return JournalWriter(path, Clock(offset=offset), first_seq=seq)


def best_journal(run_dir: Path) -> Path:
    """The most complete journal of a run: the spilled copy if the run's disk was full."""
    spilled = spill_dir(run_dir) / JOURNAL
    return spilled if spilled.is_file() else run_dir / JOURNAL


def journal_failure(records: Iterable[Record]) -> str | None:
    """Why the run's journal could not be written, if it could not (`run-end.error`)."""
    return next((r.reason for r in records if isinstance(r, RunEnd) and r.error), None)
