"""The `gameday` console script: answers `--version` and the top-level help from the
command catalog without importing Typer, Rich or any command, runs `validate PATH...`
(paths only, no options) without Typer, and hands everything else to the Typer app
(`gameday.cli.main.run`).

The help is laid out exactly as click lays it out (`HelpFormatter`: usage, indented
paragraphs, two-column definition lists, summaries shortened by
`make_default_short_help`), so the two paths print the same bytes at every terminal
width; tests/cli/test_startup.py compares them. Standard library only.
"""

from __future__ import annotations

import os
import sys
import textwrap

from gameday.cli import catalog

TYPE_CHECKING = False  # `typing` costs an import on every start; mypy reads this as True
if TYPE_CHECKING:
    from typing import TextIO

PROG = "gameday"
USAGE_ARGS = "[OPTIONS] COMMAND [ARGS]..."


def main() -> None:
    code = answer(sys.argv[1:])
    if code is None:
        from gameday.cli.main import run

        run()
    sys.exit(code)


def answer(argv: list[str]) -> int | None:
    """The exit code when argv is answered here; None when the full CLI must run."""
    if os.environ.get("_GAMEDAY_COMPLETE"):  # shell completion: click's business
        return None
    if argv == ["--version"]:
        from gameday import DISTRIBUTION, __version__

        _write(sys.stdout, f"{PROG} {__version__} ({DISTRIBUTION})")
        return 0
    if len(argv) == 1 and argv[0] in catalog.HELP_OPTIONS:
        _write(sys.stdout, top_help())
        return 0
    if not argv:  # click: no_args_is_help prints the help on stderr, as a usage error
        _write(sys.stderr, top_help())
        return 2
    if argv[0] == "validate" and len(argv) > 1 and not any(a.startswith("-") for a in argv):
        # Only paths: what the Typer command would parse them into, and the same body.
        from pathlib import Path

        from gameday.cli.main import guarded
        from gameday.cli.validate_command import validate_files

        guarded(lambda: sys.exit(validate_files([Path(a) for a in argv[1:]])))
    return None


def _write(stream: TextIO | None, text: str) -> None:
    if stream is not None:  # as click.echo: no stream (pythonw), nothing to write
        stream.write(text + "\n")
        stream.flush()


def top_help(width: int | None = None) -> str:
    """`gameday --help`, formatted for the terminal's width (click's rule: at most 78)."""
    if width is None:
        import shutil

        width = max(min(shutil.get_terminal_size().columns, 80) - 2, 50)
    prefix = f"Usage: {PROG} "
    parts = [_wrap(USAGE_ARGS, width, prefix, " " * len(prefix))]
    parts.append(_paragraphs(catalog.APP_HELP, width, "  "))
    parts.append("Options:\n" + _definitions(catalog.OPTIONS, width))
    limit = width - 6 - max(len(name) for name, _, _ in catalog.COMMANDS)
    rows = [(name, short_help(summary, limit)) for name, _, summary in catalog.COMMANDS]
    parts.append("Commands:\n" + _definitions(rows, width))
    return "\n\n".join(parts).rstrip("\n")


class _Wrapper(textwrap.TextWrapper):
    """click's TextWrapper: a word longer than the line is cut at the line's end."""

    def _handle_long_word(
        self, reversed_chunks: list[str], cur_line: list[str], cur_len: int, width: int
    ) -> None:
        space_left = max(width - cur_len, 1)
        last = reversed_chunks[-1]
        cur_line.append(last[:space_left])
        reversed_chunks[-1] = last[space_left:]


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> str:
    wrapper = _Wrapper(width, initial_indent=first, subsequent_indent=rest)
    wrapper.replace_whitespace = False
    return wrapper.fill(text.expandtabs())


def _paragraphs(text: str, width: int, indent: str = "") -> str:
    """click's `wrap_text(..., preserve_paragraphs=True)` for plain paragraphs."""
    paragraphs = [" ".join(p.split("\n")) for p in text.expandtabs().split("\n\n")]
    return "\n\n".join(_wrap(p, width, indent, indent) for p in paragraphs)


def _definitions(rows: list[tuple[str, str]] | tuple[tuple[str, str], ...], width: int) -> str:
    """click's `HelpFormatter.write_dl` inside a section (indent 2, columns <= 30 + 2)."""
    indent = 2
    first_col = min(max(len(first) for first, _ in rows), 30) + 2
    text_width = max(width - first_col - 2, 10)
    lines = []
    for first, second in rows:
        head = " " * indent + first
        if len(first) <= first_col - 2:
            head += " " * (first_col - len(first))
        else:
            lines.append(head)
            head = " " * (first_col + indent)
        wrapped = _paragraphs(second, text_width).splitlines()
        lines.append(head + wrapped[0])
        lines += [" " * (first_col + indent) + line for line in wrapped[1:]]
    return "\n".join(lines)


def short_help(help: str, max_length: int) -> str:
    """click's `make_default_short_help`: the first paragraph, cut at its first sentence
    or, with "...", at a word boundary within max_length."""
    words = help.split("\n\n")[0].split()
    if not words:
        return ""
    total = 0
    for i, word in enumerate(words):
        total += len(word) + (i > 0)
        if total > max_length:
            break
        if word[-1] == ".":
            return " ".join(words[: i + 1])
        if total == max_length and i != len(words) - 1:
            break
    else:
        return " ".join(words)
    total += len("...")
    while i > 0:
        total -= len(words[i]) + (i > 0)
        if total <= max_length:
            break
        i -= 1
    return " ".join(words[:i]) + "..."
