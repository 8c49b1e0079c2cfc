"""A bound that holds while the runner is blocked: `recovery.hard_max` reverts a fault
left in place for people even while a manual step is still waiting for its answer."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def hard_max_watch(seconds: float, act: Callable[[], None]) -> Iterator[threading.Event]:
    """Calls `act` from a timer thread if the block is still running after `seconds`;
    yields an event that is set when it did."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        act()

    timer = threading.Timer(max(0.0, seconds), fire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()
        if fired.is_set():
            timer.join()  # the revert it started has finished before the runner goes on
