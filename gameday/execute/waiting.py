"""Waiting and retrying, declared once with tenacity (no scattered sleep loops)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

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

from gameday.errors import TransientError

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
