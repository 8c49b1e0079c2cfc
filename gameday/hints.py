"""Small helpers that turn a mistake into a hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """`did you mean `x`?` for a close match, else a list of what is allowed."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean `{close[0]}`?"
    if options and len(options) <= 12:
        return "expected one of: " + ", ".join(f"`{o}`" for o in options)
    return None
