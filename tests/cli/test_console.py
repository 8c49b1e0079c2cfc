"""The CLI's consoles print exactly what Rich prints, importing Rich only when needed."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console
from rich.markup import escape as rich_escape

from gameday.cli import console
from gameday.cli.console import Printer, escape, plain_text

TAGS = ["bold", "red", "dim", "bold red", "green", "yellow"]
TRICKY = ["[", "]", "\\", "\\[", "[bold]", "[/]", ":", ":3:", ":thumbs_up:", ":smile-text:"]
text = st.lists(st.one_of(st.text(max_size=12), st.sampled_from(TRICKY)), max_size=6).map("".join)
content = st.one_of(text.map(escape), text.filter(lambda t: "[" not in t and "\\" not in t))
styled = st.tuples(st.sampled_from(TAGS), content).map(lambda p: f"[{p[0]}]{p[1]}[/]")
markup = st.lists(st.one_of(content, styled), max_size=6).map("".join)
"""Markup as the CLI writes it: its own tags, balanced, around escaped text."""


def rich_prints(value: str) -> str:
    buffer = io.StringIO()
    Console(file=buffer, highlight=False, soft_wrap=True).print(value)
    return buffer.getvalue()


@given(text)
def test_escape_is_riches(value: str) -> None:
    assert escape(value) == rich_escape(value)


@settings(max_examples=300)
@given(markup)
def test_plain_output_is_what_rich_prints(value: str) -> None:
    stream = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name in ("TTY_COMPATIBLE", "FORCE_COLOR", "TTY_INTERACTIVE"):
            patch.delenv(name, raising=False)
        patch.setattr(sys, "stdout", stream)
        Printer().print(value)
    assert stream.getvalue() == rich_prints(value)


def test_plain_text_of_real_markup() -> None:
    """Known answers, so the comparison above is not two copies of one mistake."""
    assert plain_text("[bold]a.yaml:3:5[/]: [red]error[/]: bad") == "a.yaml:3:5: error: bad"
    assert plain_text(escape("[bold] is literal")) == "[bold] is literal"
    assert plain_text(":thumbs_up: ok") == "\N{THUMBS UP SIGN} ok"


def test_a_terminal_gets_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    """FORCE_COLOR makes Rich style the output: the plain path must step aside."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    printer = Printer(stderr=True)
    printer.print("[bold]x[/]")
    assert "\x1b[1mx" in stream.getvalue()


PROBE = """
import json, sys
from gameday.cli.console import err
err.print("[green]1 file(s) valid[/]")
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] == "rich")))
"""


def test_plain_output_imports_no_rich() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert done.stderr == "1 file(s) valid\n"
    assert json.loads(done.stdout) == []


def test_rich_is_made_once_for_what_it_alone_does(monkeypatch: pytest.MonkeyPatch) -> None:
    printer = Printer()
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stdout", stream)
    printer.print_json(json.dumps({"a": 1}))
    assert json.loads(stream.getvalue()) == {"a": 1}
    assert printer.rich is printer.rich
    assert console.out is not console.err
