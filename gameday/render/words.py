"""Text for HTML that keeps words whole on a narrow screen (report.html, restore table)."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

LONG = 32
"""Characters: a token longer than this may not fit a phone's line; it scrolls in its box."""


def words(value: object) -> Markup:
    """Escaped text whose hyphenated or slashed tokens (names like `web-replica-kill`,
    `pid:1 web:web-1`) are not broken at a hyphen; a token too long for a narrow screen
    (a path, a URL) scrolls inside its own box instead of being cut or widening the page."""
    out = []
    for part in re.split(r"(\s+)", str(value)):
        token = escape(part)
        if len(part) > LONG:
            out.append(f'<span class="long">{token}</span>')
        elif re.search(r"[-/]", part) and re.search(r"\w", part):
            out.append(f'<span class="nw">{token}</span>')
        else:
            out.append(str(token))
    return Markup("".join(out))
