"""How long gameday waits for anything outside its own process: one place for every
default, so docs/measurement.md ("Deadlines") and the code cannot drift apart.

Every request gameday makes (Kubernetes API, supervisord XML-RPC, Prometheus,
Alertmanager, HTTP probes and actions) has a connect and a read timeout; a client's own
retries stay inside the caller's deadline. Environment variables override the defaults
for a whole run (seconds, decimals allowed); a revert's deadline is a run option
(`gameday run --revert-deadline`). Imports nothing from gameday.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

CONNECT = 3.0
"""Seconds to open a TCP (and TLS) connection to any dependency (`GAMEDAY_CONNECT_TIMEOUT`)."""
READ = 10.0
"""Seconds to wait for the answer to one request (`GAMEDAY_READ_TIMEOUT`)."""
WATCH_READ = 60.0
"""Seconds a Kubernetes watch may stay silent before it is re-established
(`GAMEDAY_WATCH_READ_TIMEOUT`); the server ends each watch after 50 s anyway."""
HEARTBEAT = 1.0
"""Seconds between checks that a watched API server still answers."""
STALE = 3.0
"""Seconds without an answer from a watched API server (or an alert source) after which
probes that depend on it report failure (`GAMEDAY_STALE_AFTER`)."""
ALERT_READ = 3.0
"""Read timeout of the once-a-second alert reads (`GAMEDAY_ALERT_READ_TIMEOUT`)."""
REVERT = 60.0
"""Seconds a revert is retried before the run ends as an error with the undo pending
(`gameday run --revert-deadline`, `GAMEDAY_REVERT_DEADLINE`)."""


def seconds(name: str, default: float) -> float:
    """The override in $`name`, if it is a positive number of seconds; else `default`."""
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        return default
    return value if value > 0 else default


def connect() -> float:
    return seconds("GAMEDAY_CONNECT_TIMEOUT", CONNECT)


def read() -> float:
    return seconds("GAMEDAY_READ_TIMEOUT", READ)


def watch_read() -> float:
    return seconds("GAMEDAY_WATCH_READ_TIMEOUT", WATCH_READ)


def stale() -> float:
    return seconds("GAMEDAY_STALE_AFTER", STALE)


def alert_read() -> float:
    return seconds("GAMEDAY_ALERT_READ_TIMEOUT", ALERT_READ)


def revert() -> float:
    return seconds("GAMEDAY_REVERT_DEADLINE", REVERT)


@contextlib.contextmanager
def cut_off(conn: Any, seconds: float) -> Iterator[None]:
    """Bounds a whole `http.client` exchange (connect, headers, body) to `seconds`: the
    socket timeout bounds each read, this bounds them all, so a server that trickles a
    byte at a time cannot keep a probe or a step waiting past its timeout. At the
    deadline the socket is shut down and the blocked read fails at once. One shared
    watchdog thread keeps every deadline (no thread per request: a probe at 50 Hz would
    otherwise start 50 threads a second)."""

    def expire() -> None:
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    ticket = _WATCHDOG.arm(seconds, expire)
    try:
        yield
    finally:
        _WATCHDOG.disarm(ticket)


class _Watchdog:
    """Calls each armed action when its deadline passes, unless disarmed before."""

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._armed: set[int] = set()
        self._ids = itertools.count()
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, seconds: float, action: Callable[[], None]) -> int:
        ticket = next(self._ids)
        due = time.monotonic() + seconds
        with self._wake:
            earliest = self._due[0][0] if self._due else None
            heapq.heappush(self._due, (due, ticket, action))
            self._armed.add(ticket)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="deadlines", daemon=True)
                self._thread.start()
            if earliest is None or due < earliest:  # else the watchdog wakes early enough
                self._wake.notify()
        return ticket

    def disarm(self, ticket: int) -> None:
        with self._wake:
            self._armed.discard(ticket)

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._due and self._due[0][1] not in self._armed:
                    heapq.heappop(self._due)  # disarmed: drop without waiting for it
                if not self._due:
                    self._wake.wait()
                    continue
                when, ticket, action = self._due[0]
                delay = when - time.monotonic()
                if delay > 0:
                    self._wake.wait(delay)
                    continue
                heapq.heappop(self._due)
                self._armed.discard(ticket)
            action()


_WATCHDOG = _Watchdog()
