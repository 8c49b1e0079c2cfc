"""Consoles and how errors look: location in bold, message, then the hint.

`out` and `err` print Rich markup. Rich is imported only when it changes the output:
a line of markup printed to something that is not a terminal (a pipe, a file, CI) comes
out as its plain text, which `plain_text` computes the way Rich does (tags dropped,
escapes undone, emoji codes replaced), so `gameday validate` in a pre-commit hook or an
editor costs no Rich import. Anything else (a terminal, FORCE_COLOR, tables, JSON,
keyword arguments) goes to a Rich `Console`, made on first use.
tests/cli/test_console.py compares the two on generated markup.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from typing import TYPE_CHECKING, Any

from gameday.errors import GamedayError, InputError, Problem

if TYPE_CHECKING:
    from rich.console import Console

_TAGS = re.compile(r"((\\*)\[([a-z#/@][^[]*?)])")
"""Rich's markup tag (rich.markup.RE_TAGS)."""
_ESCAPE = re.compile(r"(\\*)(\[[a-z#/@][^[]*?])")
"""What rich.markup.escape escapes."""
_EMOJI_CODE = re.compile(r"(:(\S*?)(?:(?:\-)(emoji|text))?:)")
_UNSAFE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
"""Control characters (and tabs), which Rich strips or expands: left to Rich."""


def escape(text: str) -> str:
    """rich.markup.escape: text that prints as itself inside markup."""
    text = _ESCAPE.sub(lambda m: f"{m.group(1)}{m.group(1)}\\{m.group(2)}", text)
    if text.endswith("\\") and not text.endswith("\\\\"):
        return text + "\\"
    return text


def plain_text(markup: str) -> str:
    """What Rich prints for markup where it cannot style (rich.markup.render's text)."""
    if "[" not in markup:
        return _emoji(markup)
    parts: list[str] = []
    position = 0
    for match in _TAGS.finditer(markup):
        full, escapes, _ = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(_emoji(markup[position:start].replace("\\[", "[")))
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:
                parts.append(_emoji(full[len(escapes) :].replace("\\[", "[")))
    if position < len(markup):
        parts.append(_emoji(markup[position:].replace("\\[", "[")))
    return "".join(parts)


def _emoji(text: str) -> str:
    if ":" not in text or not _EMOJI_CODE.search(text):
        return text
    from rich._emoji_replace import _emoji_replace

    return _emoji_replace(text)


class Printer:
    """A Rich console for one standard stream, made only when plain text will not do."""

    def __init__(self, stderr: bool = False) -> None:
        self.stderr = stderr
        self._rich: Console | None = None

    @property
    def rich(self) -> Console:
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(stderr=self.stderr, highlight=False, soft_wrap=True)
        return self._rich

    def print(self, *objects: Any, **options: Any) -> None:
        stream = sys.stderr if self.stderr else sys.stdout
        if (
            len(objects) == 1
            and isinstance(objects[0], str)
            and not options
            and stream is not None
            and not _UNSAFE.search(objects[0])
            and _plain_stream(stream)
        ):
            stream.write(plain_text(objects[0]) + "\n")
            stream.flush()
            return
        self.rich.print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.rich, name)


def _plain_stream(stream: Any) -> bool:
    """Rich would not style output to this stream (Console.is_terminal is False)."""
    if any(name in os.environ for name in ("TTY_COMPATIBLE", "FORCE_COLOR", "TTY_INTERACTIVE")):
        return False  # Rich's rules for these: let Rich apply them
    if hasattr(builtins, "get_ipython") or "idlelib" in sys.modules:
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return isatty is not None and not isatty()
    except ValueError:
        return False


out = Printer()
err = Printer(stderr=True)


def _clean(text: str) -> str:
    """Escaped for Rich, and without secrets: an error may quote a URL with a password."""
    from gameday.redact import process_redactor

    return escape(process_redactor().scrub(text))


def print_problem(problem: Problem, console: Printer = err) -> None:
    color = "red" if problem.severity == "error" else "yellow"
    tag = problem.severity if problem.rule is None else f"{problem.severity}[{problem.rule}]"
    console.print(
        f"[bold]{escape(str(problem.location))}[/]: [{color}]{escape(tag)}[/]: {_clean(problem.message)}"
    )
    if problem.hint:
        console.print(f"    [dim]hint: {_clean(problem.hint)}[/]")


def print_error(error: GamedayError, console: Printer = err) -> None:
    if isinstance(error, InputError):
        for problem in error.problems:
            print_problem(problem, console)
        return
    console.print(f"[bold red]error:[/] {_clean(error.message)}")
    if error.context:
        console.print(f"[dim]{_clean(error.context)}[/]")
    if error.hint:
        console.print(f"    [dim]hint: {_clean(error.hint)}[/]")
