"""Waiting and retrying, declared once with tenacity (no scattered sleep loops)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_fixed,
)

from gameday.errors import DependencyError, TransientError

T = TypeVar("T")


def wait_until(condition: Callable[[], bool], timeout: float, interval: float) -> bool:
    """Call `condition` every `interval` seconds until it is true or `timeout` passes."""
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(interval),
        retry=retry_if_result(lambda ok: not ok),
    )
    try:
        return bool(retrying(condition))
    except RetryError:
        return False


def retry_transient(action: Callable[[], T], attempts: int = 4, deadline: float = 15.0) -> T:
    """Retry `action` on `TransientError` with exponential backoff, within `deadline`."""
    retrying = Retrying(
        stop=stop_after_attempt(attempts) | stop_after_delay(deadline),
        wait=wait_exponential(multiplier=0.2, max=3.0),
        retry=retry_if_exception_type(TransientError),
        reraise=True,
    )
    return retrying(action)


def within(action: Callable[[], T], seconds: float, what: str) -> T:
    """`action()`, waited for at most `seconds` in a worker thread: a call that hangs in
    spite of its own timeouts (a third-party plugin) cannot hold the run. When the time
    is up the worker is left behind (a daemon thread) and `DependencyError` is raised."""
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            result["value"] = action()
        except BaseException as exc:  # handed to the waiting thread below
            result["error"] = exc

    worker = threading.Thread(target=work, name=f"within {what}"[:40], daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise DependencyError(what, f"still running after {seconds:.3g}s")
    if "error" in result:
        raise result["error"]
    value: T = result["value"]
    return value


def unanswered(waited: float, timeout: float | None) -> str:
    """Why `ask` returned None, from how long it waited: the timeout ran out, or the input
    ended first (stdin closed, Ctrl-D, a pipe with no more answers): a journal must not
    say "no answer within 900s" of a question that had no input to wait for."""
    if timeout is not None and waited >= timeout - min(0.5, timeout / 10):
        return f"no answer within {round(timeout, 2):g}s"
    return f"no answer: the input ended after {waited:.1f}s (stdin closed or at its end)"
