"""User text (scenario names, notes, reasons, hypotheses, step names) made inert in
Markdown: a note `<b>x</b>` shows as written in any Markdown viewer, never as bold,
a link or raw HTML, and a line break in it cannot start a heading or a list."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
_LEADING = re.compile(r"^(>|(?:\d+[.)]|[#+=-]+)(?=\s|$))")


def md(text: object) -> str:
    """Text for a Markdown paragraph, list item or table cell."""
    flat = " ".join(str(text).split())
    if flat == "-":  # the reports' "nothing here"; inert inside a line or a cell
        return flat
    escaped = _ENTITY.sub("&amp;", _SPECIAL.sub(r"\\\1", flat)).replace("<", "&lt;")
    return _LEADING.sub(lambda m: m.group(1)[:-1] + "\\" + m.group(1)[-1], escaped)


def code(text: object) -> str:
    """Text as an inline code span: HTML and emphasis are literal there; the fence is
    longer than any run of backticks inside, so the text cannot close it early."""
    flat = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat else ""
    return f"{fence}{pad}{flat}{pad}{fence}"
