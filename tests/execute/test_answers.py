"""Reading the operator's answer from the terminal: bounded by a timeout, end of input is
no answer, and an empty line is the default yes."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import time
from collections.abc import Iterator

import pytest
from rich.console import Console

from gameday.execute.view import read_answer


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The write end of a pipe that is the process's stdin while the test runs."""
    read, write = os.pipe()
    reader = os.fdopen(read)
    monkeypatch.setattr(sys, "stdin", reader)
    yield write
    reader.close()
    with contextlib.suppress(OSError):  # the test may have closed it
        os.close(write)


def console() -> Console:
    return Console(file=io.StringIO())


@pytest.mark.parametrize(("typed", "answer"), [(b"y\n", True), (b"\n", True), (b"no\n", False)])
def test_a_typed_line_is_the_answer(stdin: int, typed: bytes, answer: bool) -> None:
    os.write(stdin, typed)
    assert read_answer(console(), "go? ", 5) is answer


def test_no_line_in_time_is_no_answer(stdin: int) -> None:
    os.write(stdin, b"y")  # typed, never entered
    start = time.monotonic()
    assert read_answer(console(), "go? ", 0.3) is None
    assert 0.3 <= time.monotonic() - start < 2


def test_a_closed_terminal_is_no_answer(stdin: int) -> None:
    os.close(stdin)
    assert read_answer(console(), "go? ", None) is None
