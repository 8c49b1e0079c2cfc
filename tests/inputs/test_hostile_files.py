"""Hostile inputs through the real CLI: each is one clear error naming the file (and
line where there is one) with a fix, exit 2, within a few seconds; never a hang or a
traceback (#11.8)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.helpers import gameday

HEADER = "apiVersion: gameday/v1\nkind: Scenario\nmetadata: {name: hostile}\n"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))  # left bound for the test's life: a socket in the file system


def _write(text: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_text(text)

    return write


# name -> (how to make it, what the message says, line or None, what the hint says)
CASES: dict[str, tuple[Callable[[Path], None], str, int | None, str]] = {
    "fifo": (_fifo, "is a FIFO (named pipe), not a file", None, ".yaml file"),
    "socket": (_socket, "is a socket, not a file", None, ".yaml file"),
    "directory": (lambda p: p.mkdir(), "is a directory, not a file", None, ".yaml file"),
    "over the size limit": (
        _write("# " + "x" * (2 * 1024 * 1024) + "\n"),
        "larger than the 1024 KiB limit",
        None,
        "split the file",
    ),
    "recursive alias": (
        _write(HEADER + "params: &loop\n  again: *loop\n"),
        "recursive alias",
        4,
        "copy the values",
    ),
    "recursive list alias": (_write(HEADER + "tags: &a [*a]\n"), "recursive alias", 4, "copy"),
    "deep nesting": (
        _write(HEADER + "params: " + "[" * 200 + "]" * 200 + "\n"),
        "levels deep",
        4,
        "brackets",
    ),
    "enormous integer": (
        _write(HEADER + "params:\n  n: " + "9" * 5000 + "\n"),
        "invalid value `99999",
        5,
        "write a number",
    ),
    "enormous duration": (
        _write(
            HEADER
            + "target: {kind: local}\nsteady_state:\n  window: "
            + "9" * 400
            + "s\n  probes: []\n"
        ),
        "longer than 30 days",
        6,
        "",
    ),
    "alias bomb": (
        _write(
            HEADER
            + "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{n}: &{n} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, n in zip("abcdefgh", "bcdefghi", strict=True)
            )
        ),
        "alias bomb",
        None,
        "anchors",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_file_is_exit_2_with_file_line_and_fix(tmp_path: Path, name: str) -> None:
    make, message, line, hint = CASES[name]
    path = tmp_path / "hostile.yaml"
    make(path)
    commands = [["run", "--dry-run", "--reports", str(tmp_path / "r")]]
    if name != "directory":  # `validate DIR` validates the files in it
        commands.append(["validate"])
    for command in commands:
        start = time.monotonic()
        done = gameday(*command, str(path), timeout=30)
        took = time.monotonic() - start
        output = done.stdout + done.stderr
        assert done.returncode == 2, output
        assert took < 10, f"{name}: {took:.1f}s"
        assert "internal error" not in output and "Traceback" not in output
        assert message in output, output
        where = f"{path}:{line}:" if line is not None else f"{path}:"
        assert where in output, output
        assert hint in output and (not hint or "hint: " in output), output
    assert not (tmp_path / "r").exists(), "bad input touched nothing, not even reports"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_character_devices_are_refused_without_reading(device: str) -> None:
    start = time.monotonic()
    done = gameday("validate", device, timeout=30)
    assert done.returncode == 2 and time.monotonic() - start < 10
    assert f"{device}: error: is a character device, not a file" in done.stdout + done.stderr


def test_a_fifo_inside_a_validated_directory_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "stuck.yaml")
    (tmp_path / "ok.yaml").write_text(HEADER)
    done = gameday("validate", str(tmp_path), timeout=30)
    assert done.returncode == 2
    assert "stuck.yaml: error: is a FIFO" in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [("&a [*a]", "recursive alias"), ("9" * 5000, "invalid value `99999")],
)
def test_hostile_set_values(tmp_path: Path, value: str, message: str) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEADER)
    done = gameday("run", str(scenario), "--dry-run", "--set", f"x={value}", timeout=30)
    assert done.returncode == 2 and message in done.stdout + done.stderr
    assert "--set x:1:1:" in done.stdout + done.stderr


def test_values_file_that_is_a_fifo(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "values.yaml")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(HEADER)
    done = gameday("run", str(scenario), "--values", str(tmp_path / "values.yaml"), timeout=30)
    assert done.returncode == 2 and "is a FIFO" in done.stdout + done.stderr
