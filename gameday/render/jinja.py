"""The report templates' Jinja2 environment, with their compiled form cached on disk.

Parsing and compiling report.html.j2 costs about as much CPU as the rest of rendering;
compiled once, it is loaded from `$GAMEDAY_CACHE/jinja2` (default
`~/.cache/gameday/jinja2`, the `XDG_CACHE_HOME` convention). The cache is keyed by the
template's source checksum, Jinja2's and Python's versions, so an edited template or an
upgrade is compiled afresh; a cache that cannot be created or written is skipped.
"""

from __future__ import annotations

import contextlib
import os
from importlib import resources
from pathlib import Path

import jinja2
from jinja2 import BaseLoader, Environment, FileSystemBytecodeCache, select_autoescape


class _Templates(BaseLoader):
    """Templates from the package's `templates/` directory."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, None]:
        source = (
            resources.files("gameday.render")
            .joinpath(f"templates/{template}")
            .read_text(encoding="utf-8")
        )
        # the file name (part of the cache key) carries Jinja2's version: its code may change
        return source, f"gameday/{jinja2.__version__}/{template}", None


def cache_dir() -> Path:
    base = os.environ.get("GAMEDAY_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "gameday"
    )
    return Path(base) / "jinja2"


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    directory = cache_dir()
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    if not os.access(directory, os.W_OK):
        return None
    return _QuietCache(str(directory))


class _QuietCache(FileSystemBytecodeCache):
    """A cache write that fails (full disk, read-only home) costs a recompile next time,
    never the report."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def environment() -> Environment:
    """Autoescaping everywhere (HTML reports); templates by file name."""
    return Environment(
        loader=_Templates(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        bytecode_cache=_bytecode_cache(),
    )
