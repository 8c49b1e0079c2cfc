"""What the live page shows, kept up to date by the runner's view and pushed to every
open page. Thread-safe: the runner's threads publish, the server's event loop reads.

Samples are folded into per-probe counters as they come; pages get a `probes` update at
most every `PUSH_EVERY` seconds (batched, never one message per sample).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gameday.plugins.protocols import Sample

PUSH_EVERY = 0.25
"""Seconds between probe updates pushed to the pages."""
LOG_LINES = 200
RECENT = 120
"""Samples per probe kept for the page's strip chart."""

Listener = Callable[[dict[str, Any]], None]


@dataclass
class ProbeState:
    ok: int = 0
    total: int = 0
    latency_ms: float | None = None
    recent: deque[int] = field(default_factory=lambda: deque(maxlen=RECENT))
    objective: float | None = None
    """The availability objective an SLO sets on this probe (a ratio), if any."""

    def as_dict(self) -> dict[str, Any]:
        availability = self.ok / self.total if self.total else None
        burn = None
        if availability is not None and self.objective is not None and self.objective < 1:
            burn = round((1 - availability) / (1 - self.objective), 2)
        return {
            "ok": self.ok,
            "total": self.total,
            "availability": availability,
            "objective": self.objective,
            "burn": burn,
            "latency_ms": self.latency_ms,
            "recent": list(self.recent),
        }


@dataclass
class Question:
    id: int
    prompt: str
    question: str
    answered: threading.Event = field(default_factory=threading.Event)
    go: bool = False
    by: str = ""


class LiveHub:
    def __init__(self, objectives: dict[str, dict[str, float]] | None = None):
        self._lock = threading.Lock()
        self._objectives = objectives or {}
        self.scenario = ""
        self.phase = ""
        self.ends_at: float | None = None
        self.probes: dict[str, ProbeState] = {}
        self.log: deque[str] = deque(maxlen=LOG_LINES)
        self.notes: list[dict[str, str]] = []
        self.question: Question | None = None
        self._ids = itertools.count(1)
        self._listeners: list[Listener] = []
        self._dirty = False
        self._stop = threading.Event()
        self._pusher = threading.Thread(target=self._push_loop, name="live-push", daemon=True)
        self._pusher.start()

    # -- publishing (runner side) --------------------------------------------------

    def set_scenario(self, name: str) -> None:
        with self._lock:
            self.scenario, self.phase, self.ends_at = name, "", None
            objectives = self._objectives.get(name, {})
            self.probes = {p: ProbeState(objective=o) for p, o in objectives.items()}
        self._send({"type": "scenario", "name": name})
        self._send_probes()

    def set_phase(self, phase: str, ends_at_wall: float | None) -> None:
        with self._lock:
            self.phase, self.ends_at = phase, ends_at_wall
        self._send({"type": "phase", "phase": phase, "ends_at": ends_at_wall})

    def add_sample(self, probe: str, sample: Sample) -> None:
        with self._lock:
            state = self.probes.setdefault(probe, ProbeState())
            state.total += 1
            state.ok += sample.ok
            state.recent.append(int(sample.ok))
            if sample.latency is not None:
                state.latency_ms = round(sample.latency * 1000, 1)
            self._dirty = True

    def add_log(self, text: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {text}"
        with self._lock:
            self.log.append(line)
        self._send({"type": "log", "line": line})

    def add_note(self, author: str, text: str) -> None:
        note = {"author": author, "text": text, "at": time.strftime("%H:%M:%S")}
        with self._lock:
            self.notes.append(note)
        self._send({"type": "note", **note})

    def ask(self, prompt: str, question: str) -> Question:
        asked = Question(next(self._ids), prompt, question)
        with self._lock:
            self.question = asked
        self._send({"type": "question", "id": asked.id, "prompt": prompt, "question": question})
        return asked

    def answer(self, ident: int, go: bool, by: str) -> bool:
        """The facilitator's answer from a page; False if that question is not open."""
        with self._lock:
            asked = self.question
            if asked is None or asked.id != ident or asked.answered.is_set():
                return False
            asked.go, asked.by = go, by
            self.question = None
        asked.answered.set()
        self._send({"type": "answered", "id": ident, "go": go, "by": by})
        return True

    # -- reading (server side) -----------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            question = self.question
            return {
                "type": "snapshot",
                "scenario": self.scenario,
                "phase": self.phase,
                "ends_at": self.ends_at,
                "probes": {name: p.as_dict() for name, p in self.probes.items()},
                "log": list(self.log),
                "notes": list(self.notes),
                "question": None
                if question is None
                else {"id": question.id, "prompt": question.prompt, "question": question.question},
            }

    def listen(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def stop() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return stop

    def close(self) -> None:
        self._stop.set()
        self._pusher.join(timeout=2)
        self._send({"type": "closed"})

    def _send_probes(self) -> None:
        with self._lock:
            self._dirty = False
            probes = {name: p.as_dict() for name, p in self.probes.items()}
        self._send({"type": "probes", "probes": probes})

    def _push_loop(self) -> None:
        while not self._stop.wait(PUSH_EVERY):
            if self._dirty:
                self._send_probes()

    def _send(self, event: dict[str, Any]) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            listener(event)
