"""Reading the operator's answer from the terminal: bounded by a timeout, end of input is
no answer, and an empty line is the default yes."""

from __future__ import annotations

import contextlib
import io
import os
import pty
import signal
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from rich.console import Console

from gameday.execute.view import LiveView, read_answer


@pytest.fixture
def stdin(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """The write end of a pipe that is the process's stdin while the test runs."""
    # Ctrl-C raises KeyboardInterrupt even where pytest runs with SIGINT ignored (nohup, &)
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    read, write = os.pipe()
    reader = os.fdopen(read)
    monkeypatch.setattr(sys, "stdin", reader)
    yield write
    reader.close()
    with contextlib.suppress(OSError):  # the test may have closed it
        os.close(write)
    signal.signal(signal.SIGINT, before)


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


def test_answers_typed_ahead_are_each_read_by_their_own_ask(stdin: int) -> None:
    os.write(stdin, b"y\nn\n\n")  # piped in (gameday demo --live < answers), one write
    assert [read_answer(console(), "go? ", 5) for _ in range(3)] == [True, False, True]


def test_a_line_typed_in_pieces_is_one_answer(stdin: int) -> None:
    def type_slowly() -> None:
        for piece in (b"y", b"e", b"s", b"\n"):
            time.sleep(0.05)
            os.write(stdin, piece)

    typist = threading.Thread(target=type_slowly)
    typist.start()
    assert read_answer(console(), "go? ", 5) is True
    typist.join()


def test_a_very_long_line_is_read_whole_and_is_no(stdin: int) -> None:
    writer = threading.Thread(target=os.write, args=(stdin, b"y" * 200_000 + b"\n"))
    writer.start()
    assert read_answer(console(), "go? ", 10) is False
    writer.join()


def test_ctrl_c_while_waiting_interrupts_the_ask(stdin: int) -> None:
    timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        read_answer(console(), "go? ", 10)
    timer.join()


def test_the_live_panel_stops_for_the_question_and_comes_back(stdin: int) -> None:
    screen = io.StringIO()
    view = LiveView(Console(file=screen, force_terminal=True, width=80))
    try:
        os.write(stdin, b"y\n")
        assert view.ask("inject?", "go?", timeout=5) is True
        assert "inject?" in screen.getvalue() and view._live.is_started
        assert view.ask("again?", "go?", timeout=0.2) is None
        assert view._live.is_started
        timer = threading.Timer(0.2, os.kill, args=(os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            view.ask("interrupted?", "go?", timeout=10)
        timer.join()
        assert view._live.is_started  # the finally restarted it: the run's last lines show
    finally:
        view.close()


@pytest.mark.parametrize("closed", ["none", "closed"])
def test_no_stdin_at_all_is_no_answer(monkeypatch: pytest.MonkeyPatch, closed: str) -> None:
    """Started with stdin closed (`gameday demo --live 0<&-`): Python's sys.stdin is
    None; or it was closed since. As at the end of input: no answer, never a crash."""
    if closed == "none":
        monkeypatch.setattr(sys, "stdin", None)
    else:
        gone = io.StringIO()
        gone.close()
        monkeypatch.setattr(sys, "stdin", gone)
    assert read_answer(console(), "go? ", 5) is None


def test_on_a_terminal_only_keys_pressed_after_the_question_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    keyboard, tty = pty.openpty()
    with os.fdopen(tty) as terminal:
        monkeypatch.setattr(sys, "stdin", terminal)
        os.write(keyboard, b"\n")  # an Enter pressed while the logs scrolled
        time.sleep(0.1)
        assert read_answer(console(), "go? ", 0.3) is None
        typist = threading.Timer(0.2, os.write, args=(keyboard, b"n\n"))
        typist.start()
        assert read_answer(console(), "go? ", 5) is False  # typed after it: the answer
        typist.join()
    os.close(keyboard)
