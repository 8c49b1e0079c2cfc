"""The journal: the single, append-only record of a run (JSON Lines).

Phase changes and injections are written and fsync'd at once; probe samples are
batched and flushed at least every `FLUSH_EVERY` seconds. `t` in every record is
seconds on the run's monotonic clock; `wall` is the Unix time when it was written.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

from gameday.plugins.protocols import Sample
from gameday.redact import Redactor

JOURNAL = "journal.jsonl"
"""The journal's file name inside a run directory."""

FLUSH_EVERY = 0.5
"""Seconds between flushes of buffered samples."""


class Clock:
    """Seconds since the run started, on the monotonic clock."""

    def __init__(self, offset: float = 0.0) -> None:
        self.origin = time.monotonic() - offset
        self.wall_origin = time.time()

    def __call__(self) -> float:
        return time.monotonic() - self.origin


class JournalWriter:
    def __init__(self, path: Path, clock: Clock):
        self.path = path
        self.clock = clock
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self._lock = threading.Lock()
        self._buffer: list[dict[str, Any]] = []
        self._pending: dict[tuple[str, str], list[list[Any]]] = {}
        self._seq = 0
        self.redactor = Redactor()
        self._stop = threading.Event()
        self._flusher = threading.Thread(target=self._flush_loop, name="journal-flush", daemon=True)
        self._flusher.start()

    def event(self, type_: str, *, sync: bool = False, **fields: Any) -> dict[str, Any]:
        """Append one event. `sync=True` flushes and fsyncs before returning."""
        with self._lock:
            self._seq += 1
            record = {
                "seq": self._seq,
                "type": type_,
                "t": round(self.clock(), 6),
                "wall": time.time(),
                **fields,
            }
            if sync:
                self._write_samples()
                self._write(record)
                self._file.flush()
                os.fsync(self._file.fileno())
                _crash_if_asked(record)
            else:
                self._buffer.append(record)
        return record

    def sample(self, scenario: str, probe: str, s: Sample) -> None:
        row = [
            round(s.t, 6),
            int(s.ok),
            None if s.latency is None else round(s.latency, 6),
            s.value,
            s.detail,
        ]
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
                self._write(
                    {
                        "seq": self._seq,
                        "type": "samples",
                        "scenario": scenario,
                        "probe": probe,
                        "s": rows,
                    }
                )
        self._pending = {}

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), default=str)
        self._file.write(self.redactor.scrub(line) + "\n")

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


def _crash_if_asked(record: dict[str, Any]) -> None:
    point = os.environ.get(CRASH_AFTER)
    if point and point in (record["type"], f"{record['type']}:{record.get('phase')}"):
        os.kill(os.getpid(), signal.SIGKILL)


def read_journal(path: Path) -> list[dict[str, Any]]:
    """All records of a journal; a torn last line (crash mid-write) is ignored."""
    records = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records
