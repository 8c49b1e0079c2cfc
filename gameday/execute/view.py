"""What the operator sees while a run goes on: a live Rich view on a terminal, plain
timestamped lines otherwise. Both are fed the same events by the runner."""

from __future__ import annotations

import dataclasses
import os
import select
import sys
import termios
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from rich.markup import escape

from gameday.plugins.protocols import Sample

if TYPE_CHECKING:  # the live view's widgets load only on a terminal (LiveView)
    from rich.console import Console, Group
    from rich.text import Text

_BLOCKS = "▁▂▃▄▅▆▇█"


class View(Protocol):
    def scenario(self, name: str) -> None: ...

    def phase(self, phase: str, ends_at: float | None = None) -> None: ...

    def sample(self, probe: str, sample: Sample) -> None: ...

    def log(self, text: str) -> None: ...

    def ask(
        self, prompt: str, question: str = "done?", timeout: float | None = None
    ) -> bool | None:
        """The operator's yes or no; None when nobody answered within `timeout` seconds
        (or the terminal closed): a run never waits for ever with a fault in place."""
        ...

    def close(self) -> None: ...


def read_answer(console: Console, prompt: str, timeout: float | None) -> bool | None:
    """Prints `prompt` and reads one line from the terminal for at most `timeout` seconds.
    An empty line is yes (the default); no line in time, or end of input, is None. Byte by
    byte: what follows the line (answers piped in) is left for the next ask. On a terminal,
    keys pressed before the question (an Enter while logs scroll) are dropped: an answer
    is only what is typed after it, by someone who has read it."""
    try:
        fd = sys.stdin.fileno()  # None when started with stdin closed (`0<&-`)
    except (AttributeError, ValueError, OSError):
        console.print(prompt)
        return None  # no input at all: as at its end
    if os.isatty(fd):
        termios.tcflush(fd, termios.TCIFLUSH)
    console.print(prompt, end="")
    deadline = None if timeout is None else time.monotonic() + timeout
    line = bytearray()
    while not line.endswith(b"\n"):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            console.print()
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1)
        if not chunk:
            console.print()
            return None
        line += chunk
    return line.decode(errors="replace").strip().lower() in ("", "y", "yes")


class PlainView:
    """One line per event, no sample spam: a summary per probe every `every` seconds."""

    def __init__(self, console: Console, every: float = 1.0):
        self.console, self.every = console, every
        self._name = ""
        self._last = 0.0
        self._window: dict[str, list[Sample]] = {}
        self._lock = threading.Lock()

    def scenario(self, name: str) -> None:
        self._name = name
        with self._lock:
            self._window = {}
        self.log(f"scenario {name}")

    def phase(self, phase: str, ends_at: float | None = None) -> None:
        self.log(f"{self._name}: phase {phase}")

    def sample(self, probe: str, sample: Sample) -> None:
        with self._lock:
            self._window.setdefault(probe, []).append(sample)
            now = time.monotonic()
            if now - self._last < self.every:
                return
            self._last = now
            parts = []
            for name, samples in sorted(self._window.items()):
                good = sum(s.ok for s in samples)
                parts.append(f"{name} {good}/{len(samples)} ok")
            self._window = {}
        self.log(f"{self._name}: " + ", ".join(parts))

    def log(self, text: str) -> None:
        self.console.print(f"{time.strftime('%H:%M:%S')} {text}", highlight=False, soft_wrap=True)

    def ask(
        self, prompt: str, question: str = "done?", timeout: float | None = None
    ) -> bool | None:
        return read_answer(self.console, f"{escape(prompt)}\n\\[{question} y/n] ", timeout)

    def close(self) -> None:
        pass


class LiveView:
    """Phase, countdown, SLI per probe and a sparkline, redrawn 4 times a second.
    Log lines are printed through the live console, above the panel, never inside it."""

    def __init__(self, console: Console):
        from rich.live import Live

        self.console = console
        self._name, self._phase = "", "starting"
        self._ends_at: float | None = None
        self._probes: dict[str, deque[Sample]] = {}
        self._live = Live(
            self._render(), console=console, refresh_per_second=4, get_renderable=self._render
        )
        self._live.start()

    def scenario(self, name: str) -> None:
        self._name, self._probes = name, {}
        self.log(f"[bold]scenario {name}[/]")

    def phase(self, phase: str, ends_at: float | None = None) -> None:
        self._phase, self._ends_at = phase, ends_at

    def sample(self, probe: str, sample: Sample) -> None:
        self._probes.setdefault(probe, deque(maxlen=60)).append(sample)

    def log(self, text: str) -> None:
        self._live.console.print(f"{time.strftime('%H:%M:%S')} {text}")

    def ask(
        self, prompt: str, question: str = "done?", timeout: float | None = None
    ) -> bool | None:
        self._live.stop()
        try:
            return read_answer(
                self.console, f"[bold]{escape(prompt)}[/]\n\\[{question} y/n] ", timeout
            )
        finally:
            self._live.start()

    def _render(self) -> Group:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        countdown = ""
        if self._ends_at is not None:
            countdown = f"  {max(0.0, self._ends_at - time.monotonic()):4.1f}s left"
        head = Text.assemble(
            (f"{self._name}", "bold"), "  phase: ", (self._phase, "cyan"), countdown
        )
        table = Table(box=None, pad_edge=False)
        for column in ("probe", "ok (last 60)", "latency", "trend"):
            table.add_column(column)
        for name, samples in list(self._probes.items()):
            rows = list(samples)
            good = sum(s.ok for s in rows)
            latest = rows[-1] if rows else None
            latency = (
                f"{latest.latency * 1000:.0f}ms" if latest and latest.latency is not None else "-"
            )
            style = "green" if latest and latest.ok else "red"
            table.add_row(name, Text(f"{good}/{len(rows)}", style=style), latency, _sparkline(rows))
        return Group(head, table)

    def close(self) -> None:
        self._live.stop()


def _sparkline(samples: list[Sample]) -> Text:
    from rich.text import Text

    text = Text()
    latencies = [s.latency or 0.0 for s in samples]
    top = max(latencies, default=0.0) or 1.0
    for s, lat in zip(samples, latencies, strict=True):
        block = _BLOCKS[min(len(_BLOCKS) - 1, int(lat / top * (len(_BLOCKS) - 1)))]
        text.append(block, style="green" if s.ok else "red")
    return text


class RedactingView:
    """Passes everything to `inner`, scrubbing log lines of secrets first."""

    def __init__(self, inner: View, scrub: Callable[[str], str]):
        self.inner, self.scrub = inner, scrub

    def scenario(self, name: str) -> None:
        self.inner.scenario(name)

    def phase(self, phase: str, ends_at: float | None = None) -> None:
        self.inner.phase(phase, ends_at)

    def sample(self, probe: str, sample: Sample) -> None:
        if sample.detail:  # a failure's detail may quote a URL with a token
            sample = dataclasses.replace(sample, detail=self.scrub(sample.detail))
        self.inner.sample(probe, sample)

    def log(self, text: str) -> None:
        self.inner.log(self.scrub(text))

    def ask(
        self, prompt: str, question: str = "done?", timeout: float | None = None
    ) -> bool | None:
        return self.inner.ask(self.scrub(prompt), question, timeout)

    def close(self) -> None:
        self.inner.close()
