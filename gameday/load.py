"""The only YAML reader. Turns bytes into a `Document` that remembers where every value was.

Built on PyYAML's safe composer (the C one when available) with our own construction
step, so that duplicate keys, alias bombs and non-mapping documents become located
`InputError`s instead of silent overwrites, memory blow-ups or tracebacks.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Location, Problem

MAX_FILE_BYTES = 1024 * 1024
"""Scenario and drill files are hand-written; anything bigger is a mistake (1 MiB)."""

MAX_NODES = 100_000
"""Upper bound on values built from one file, counting every alias expansion."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and lists a scenario may have."""

YamlPath = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Document:
    """A parsed YAML mapping plus the line/column of each key and list item."""

    source: str
    data: dict[str, Any]
    marks: Mapping[YamlPath, tuple[int, int]] = field(repr=False)
    problems: tuple[Problem, ...] = ()
    """With `keep_going`: problems that left a usable document (a duplicate key, whose
    first value is kept), for the caller to report beside its own."""

    def locate(self, path: YamlPath) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark is not None:
                return Location(self.source, mark[0], mark[1])
        return Location(self.source, 1, 1)


def load_file(path: Path, *, display: str | None = None, keep_going: bool = False) -> Document:
    """Read and parse one YAML file; every failure is an `InputError` naming the file.

    Only regular files are read: a FIFO, a device or a socket would block or never end,
    so the file is opened without blocking and its type checked on the open handle (no
    window for a swap between check and read), and at most `MAX_FILE_BYTES` + 1 bytes
    are read whatever size it claims (files in /proc claim 0)."""
    source = display or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise _fail(Location(source), "file not found", "check the path") from None
    except OSError as exc:  # a socket cannot be opened at all
        with contextlib.suppress(OSError):
            kind = _not_regular(os.stat(path).st_mode)
            if kind is not None:
                raise _fail(
                    Location(source),
                    f"is {kind}, not a file",
                    "name a scenario or drill .yaml file",
                ) from None
        raise _fail(Location(source), f"cannot read file: {exc.strerror}", None) from None
    try:
        kind = _not_regular(os.fstat(fd).st_mode)
        if kind is not None:
            raise _fail(
                Location(source),
                f"is {kind}, not a file",
                "name a scenario or drill .yaml file",
            )
        raw = _read_at_most(fd, MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise _fail(Location(source), f"cannot read file: {exc.strerror}", None) from None
    finally:
        os.close(fd)
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(
            Location(source),
            f"file is {os.stat(path).st_size / 1e6:.1f} MB, larger than the "
            f"{MAX_FILE_BYTES // 1024} KiB limit",
            "scenario and drill files are hand-written; split the file or check it is YAML",
        )
    return load_bytes(raw, source, keep_going=keep_going)


def _not_regular(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((words for test, words in kinds if test(mode)), "not a regular file")


def _read_at_most(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, min(65536, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def load_bytes(raw: bytes, source: str, *, keep_going: bool = False) -> Document:
    """Parse `raw` as a single YAML mapping. With `keep_going`, duplicate keys do not
    raise: they are returned in `Document.problems` so validation can go on."""
    if len(raw) > MAX_FILE_BYTES:
        raise _fail(Location(source), f"input is larger than {MAX_FILE_BYTES // 1024} KiB", None)
    text = _decode(raw, source)
    if not text.strip() or all(
        line.strip().startswith("#") or not line.strip() for line in text.splitlines()
    ):
        raise _fail(
            Location(source, 1, 1),
            "file is empty",
            "start with `apiVersion: gameday/v1` and `kind: Scenario` (see docs/format.md)",
        )
    try:
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, source, text) from None
    except yaml.YAMLError as exc:
        raise _fail(Location(source), f"invalid YAML: {exc}", None) from None
    if len(nodes) != 1:
        raise _fail(
            Location(source, 1, 1),
            f"file holds {len(nodes)} YAML documents; one is expected",
            "put each scenario or drill in its own file",
        )
    root = nodes[0]
    if not isinstance(root, yaml.MappingNode):
        kind = "a list" if isinstance(root, yaml.SequenceNode) else "a single value"
        raise _fail(
            _mark(source, root.start_mark),
            f"the document is {kind}; a mapping is expected",
            "a scenario starts with `apiVersion: gameday/v1` then `kind: Scenario`",
        )
    builder = _Builder(source)
    data = builder.build(root, ())
    if builder.problems or (builder.recoverable and not keep_going):
        raise InputError(problems=sorted(builder.problems + builder.recoverable, key=_where))
    assert isinstance(data, dict)
    return Document(source, data, builder.marks, tuple(builder.recoverable))


def _where(problem: Problem) -> tuple[int, int]:
    return (problem.location.line or 0, problem.location.column or 0)


def load_value(text: str, source: str) -> Any:
    """One YAML value (a `--set` value), with the same limits as a file: no recursive
    aliases, alias bombs, runaway nesting or numbers too long to convert. Text that is
    not valid YAML is returned as it is (it is meant as a string)."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return text
    if root is None:
        return None
    builder = _Builder(source)
    value = builder.build(root, ())
    if builder.problems:
        raise InputError(problems=builder.problems)
    return value


class _Builder:
    """Constructs Python values from YAML nodes, recording marks and checking limits."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.marks: dict[YamlPath, tuple[int, int]] = {(): (1, 1)}
        self.problems: list[Problem] = []
        self.recoverable: list[Problem] = []
        """Duplicate keys: the first value is kept, so the rest of the file can be checked."""
        self.scalars = yaml.constructor.SafeConstructor()
        self.budget = MAX_NODES
        self.open: set[int] = set()
        """Collection nodes being built: meeting one again is a recursive alias."""

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _fail(
                _mark(self.source, node.start_mark),
                f"document expands to more than {MAX_NODES} values (a YAML alias bomb?)",
                "remove the nested anchors/aliases (&name / *name)",
            )
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node)
        if id(node) in self.open:
            raise _fail(
                _mark(self.source, node.start_mark),
                "recursive alias: an anchor (&name) contains an alias (*name) of itself",
                "a scenario is a tree; copy the values instead of referring back",
            )
        if len(path) >= MAX_DEPTH:
            raise _fail(
                _mark(self.source, node.start_mark),
                f"nested more than {MAX_DEPTH} levels deep",
                "scenarios are a few levels deep; check the brackets and indentation",
            )
        self.open.add(id(node))
        try:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path)
            items = []
            for index, child in enumerate(node.value):
                self.marks[(*path, index)] = _line_col(child.start_mark)
                items.append(self.build(child, (*path, index)))
            return items
        finally:
            self.open.discard(id(node))

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(
                Problem(_mark(self.source, node.start_mark), f"invalid value: {exc.problem}")
            )
        except (ValueError, OverflowError) as exc:  # an int of 5,000 digits, 2001-99-99
            shown = str(node.value)
            shown = shown if len(shown) <= 40 else f"{shown[:20]}...({len(shown)} characters)"
            self.problems.append(
                Problem(
                    _mark(self.source, node.start_mark),
                    f"invalid value `{shown}`: {str(exc)[:120]}",
                    "write a number or date gameday can use, or quote the value as text",
                )
            )
        return None

    def _mapping(self, node: yaml.MappingNode, path: YamlPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                merged.update(self._merge_source(value_node, path))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    Problem(_mark(self.source, key_node.start_mark), "keys must be plain strings")
                )
                continue
            key = str(key_node.value)
            if key in result:
                first = self.marks.get((*path, key), (0, 0))
                self.recoverable.append(
                    Problem(
                        _mark(self.source, key_node.start_mark),
                        f"duplicate key `{key}` (first defined on line {first[0]})",
                        "YAML keeps only the last value; remove one of them",
                    )
                )
                continue
            self.marks[(*path, key)] = _line_col(key_node.start_mark)
            result[key] = self.build(value_node, (*path, key))
        for key, value in merged.items():
            result.setdefault(key, value)
        return result

    def _merge_source(self, node: yaml.Node, path: YamlPath) -> dict[str, Any]:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        merged: dict[str, Any] = {}
        for source in sources:
            value = self.build(source, path)
            if isinstance(value, dict):
                merged.update({k: v for k, v in value.items() if k not in merged})
            else:
                self.problems.append(
                    Problem(_mark(self.source, source.start_mark), "`<<` must merge a mapping")
                )
        return merged


def _decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        raise _fail(
            Location(source, line, column),
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            "save the file as UTF-8",
        ) from None


def _syntax_error(exc: yaml.MarkedYAMLError, source: str, text: str) -> InputError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "invalid YAML"
    hint = "check indentation and quoting around this point"
    if mark is not None and _char_at(text, mark) == "\t":
        problem = "a tab character where YAML expects indentation or a value"
        hint = "YAML indentation must use spaces, not tabs"
    location = _mark(source, mark) if mark is not None else Location(source)
    return _fail(location, f"invalid YAML: {problem}", hint)


def _char_at(text: str, mark: yaml.Mark) -> str:
    lines = text.splitlines()
    if mark.line < len(lines) and mark.column < len(lines[mark.line]):
        return lines[mark.line][mark.column]
    return ""


def _line_col(mark: yaml.Mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def _mark(source: str, mark: yaml.Mark) -> Location:
    line, column = _line_col(mark)
    return Location(source, line, column)


def _fail(location: Location, message: str, hint: str | None) -> InputError:
    return InputError(problems=[Problem(location, message, hint)])
