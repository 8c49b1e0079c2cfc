"""Addresses as users write them: `http://host:port/path` or just `host:port` (the way
`gameday proxy --admin` and most tools print them). Either works; anything else is
refused at validate time with a hint, never at run time by an HTTP client.

`HttpUrl` accepts http and https; `PlainHttpUrl` only http (for clients that speak
nothing else). Both parse to a full URL string, so plugins always see a scheme. The patterns (ports
1-65535 included) are the ones the JSON Schema publishes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema

_HOST = r"([A-Za-z0-9_.-]+|\[[0-9A-Fa-f:.]+\])"
_PORT = r"([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
_USER = r"([^\s/@]+@)?"
_REST = r"([/?#][^\s]*)?"
BARE_PATTERN = rf"^{_HOST}:{_PORT}{_REST}$"
"""`host:port[/path]`, e.g. `127.0.0.1:9100` or `[::1]:9100/admin`."""


def _url_pattern(schemes: tuple[str, ...]) -> str:
    return rf"^({'|'.join(schemes)})://{_USER}{_HOST}(:{_PORT})?{_REST}$"


def _parser(schemes: tuple[str, ...]) -> Callable[[object], str]:
    full, bare = _url_pattern(schemes), BARE_PATTERN[1:-1]

    def parse(value: object) -> str:
        if isinstance(value, str):
            text = f"{schemes[0]}://{value}" if re.fullmatch(bare, value) else value
            if re.fullmatch(full[1:-1], text):
                return text
        written = " or ".join(f"`{s}://HOST:PORT`" for s in schemes)
        raise ValueError(
            f"invalid address {value!r}: write {written} (a path may follow), "
            "or just `HOST:PORT`, e.g. `127.0.0.1:9100`"
        )

    return parse


def _schema(schemes: tuple[str, ...]) -> dict[str, Any]:
    return {
        "anyOf": [
            {"type": "string", "pattern": _url_pattern(schemes)},
            {"type": "string", "pattern": BARE_PATTERN},
        ],
        "examples": [f"{schemes[0]}://127.0.0.1:9100", "127.0.0.1:9100"],
        "$comment": f"address: a URL, or HOST:PORT for {schemes[0]}://HOST:PORT",
    }


_BOTH = ("http", "https")
HttpUrl = Annotated[str, BeforeValidator(_parser(_BOTH)), WithJsonSchema(_schema(_BOTH))]
"""An http(s) URL; `host:port[/path]` means `http://host:port[/path]`."""

PlainHttpUrl = Annotated[
    str, BeforeValidator(_parser(("http",))), WithJsonSchema(_schema(("http",)))
]
"""An http URL (no TLS); `host:port[/path]` means `http://host:port[/path]`."""
