"""Keeps rollback from being cut short: while shielded, SIGINT and SIGTERM are noted
and re-raised afterwards instead of interrupting the revert."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType


@contextmanager
def shielded_from_interrupts(log: Callable[[str], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)
        log("[yellow]rollback in progress: finishing the revert before stopping[/]")

    previous = {sig: signal.signal(sig, note) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if received:
        raise KeyboardInterrupt


def exit_on_next_interrupt(log: Callable[[str], None]) -> None:
    """After an interrupted run has rolled back, a further Ctrl-C or SIGTERM stops the
    rest (scoring, reports) at once: nothing is left to revert, and the journal already
    holds every reverted injection. It raises KeyboardInterrupt, which only the CLI turns
    into exit code 130 (nothing below the CLI exits the process)."""
    if threading.current_thread() is not threading.main_thread():
        return

    def leave(signum: int, frame: FrameType | None) -> None:
        log(
            "interrupted again: faults already reverted; render later with `gameday report RUN_DIR`"
        )
        raise KeyboardInterrupt

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, leave)


def terminate_as_interrupt() -> None:
    """Make SIGTERM behave like Ctrl-C, so the same rollback path handles both."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)
