"""The only YAML reader. Turns bytes into a `Document` that remembers where every value was.

Built on PyYAML's safe composer (the C one when available) with our own construction
step, so that duplicate keys, alias bombs and non-mapping documents become located
`InputError`s instead of silent overwrites, memory blow-ups or tracebacks.
"""

from __future__ import annotations

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

YamlPath = tuple[str | int, ...]

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Document:
    """A parsed YAML mapping plus the line/column of each key and list item."""

    source: str
    data: dict[str, Any]
    marks: Mapping[YamlPath, tuple[int, int]] = field(repr=False)

    def locate(self, path: YamlPath) -> Location:
        """The location of `path`, or of its nearest ancestor that has one."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(tuple(path[:end]))
            if mark is not None:
                return Location(self.source, mark[0], mark[1])
        return Location(self.source, 1, 1)


def load_file(path: Path, *, display: str | None = None) -> Document:
    """Read and parse one YAML file; every failure is an `InputError` naming the file."""
    source = display or str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise _fail(
                Location(source),
                f"file is {size / 1e6:.1f} MB, larger than the {MAX_FILE_BYTES // 1024} KiB limit",
                "scenario and drill files are hand-written; split the file or check it is YAML",
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise _fail(Location(source), "file not found", "check the path") from None
    except IsADirectoryError:
        raise _fail(Location(source), "is a directory", "name a .yaml file") from None
    except OSError as exc:
        raise _fail(Location(source), f"cannot read file: {exc.strerror}", None) from None
    return load_bytes(raw, source)


def load_bytes(raw: bytes, source: str) -> Document:
    """Parse `raw` as a single YAML mapping."""
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
    if builder.problems:
        raise InputError(problems=builder.problems)
    assert isinstance(data, dict)
    return Document(source, data, builder.marks)


class _Builder:
    """Constructs Python values from YAML nodes, recording marks and checking limits."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.marks: dict[YamlPath, tuple[int, int]] = {(): (1, 1)}
        self.problems: list[Problem] = []
        self.scalars = yaml.constructor.SafeConstructor()
        self.budget = MAX_NODES

    def build(self, node: yaml.Node, path: YamlPath) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise _fail(
                _mark(self.source, node.start_mark),
                f"document expands to more than {MAX_NODES} values (a YAML alias bomb?)",
                "remove the nested anchors/aliases (&name / *name)",
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self.marks[(*path, index)] = _line_col(child.start_mark)
                items.append(self.build(child, (*path, index)))
            return items
        try:
            return self.scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problems.append(
                Problem(_mark(self.source, node.start_mark), f"invalid value: {exc.problem}")
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
                self.problems.append(
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
