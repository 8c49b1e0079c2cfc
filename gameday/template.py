"""Parameter substitution in scenario strings, with Jinja2's sandbox (gameday/sandbox.py,
imported only when a file is templated).

`{{ name }}` alone in a string keeps the parameter's type (an int stays an int);
mixed text renders to a string. Undefined names are errors, never empty strings.
The sandbox blocks access to Python internals; templates see only the params.

Templates are bounded: a document's templates get `MAX_SECONDS` of CPU between them,
each string at most `MAX_OUTPUT` characters, and operators or calls that would build
a huge value (`'x' * 10**9`, `9 ** 9 ** 9`, `'{:>999999999}'`) are refused before
they run, so a hostile template is a located error, never a hang or a memory blow-up.

In a params field a plugin marks as a shell command line (`SHELL_COMMAND`), every
substituted value is shell-quoted (`shlex.quote`), so `--set 'p=x; touch PWNED'`
stays one literal word; a template value the author put inside quotes there is
refused, because quoting it again would change its meaning (docs/format.md).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from gameday.load import YamlPath

MAX_SECONDS = 2.0
"""CPU budget for all templates of one document, seconds."""
MAX_OUTPUT = 128 * 1024
"""Characters one templated string may render to."""
MAX_SIZE_ARG = 100_000
"""Largest integer a template may pass to a filter, method or repetition operator."""
MAX_INT_BITS = 4096
"""Largest integer (in bits) `**` may produce."""

_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


class TemplateFailure(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass
class TemplateProblem:
    path: YamlPath
    message: str
    hint: str | None = None


@dataclass
class RenderResult:
    value: Any
    problems: list[TemplateProblem] = field(default_factory=list)


def render_tree(
    tree: Any,
    params: dict[str, Any],
    *,
    skip: frozenset[str],
    shell: frozenset[YamlPath] = frozenset(),
) -> RenderResult:
    """Render every string in `tree` (except top-level keys in `skip`) with `params`.

    Strings at a path in `shell` are shell command lines: their values get quoted."""
    result = RenderResult(None)
    deadline = time.monotonic() + MAX_SECONDS
    result.value = _render(tree, params, (), _Walk(skip, shell, deadline, result.problems))
    return result


@dataclass
class _Walk:
    skip: frozenset[str]
    shell: frozenset[YamlPath]
    deadline: float
    out: list[TemplateProblem]


def _render(node: Any, params: dict[str, Any], path: YamlPath, walk: _Walk) -> Any:
    if isinstance(node, dict):
        return {
            k: v if (not path and k in walk.skip) else _render(v, params, (*path, k), walk)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_render(v, params, (*path, i), walk) for i, v in enumerate(node)]
    if isinstance(node, str) and ("{{" in node or "{%" in node):
        try:
            return render_string(node, params, shell=path in walk.shell, deadline=walk.deadline)
        except TemplateFailure as exc:
            walk.out.append(TemplateProblem(path, exc.message, exc.hint))
            return node
    return node


def render_string(
    text: str, params: dict[str, Any], *, shell: bool = False, deadline: float | None = None
) -> Any:
    """Render one string; a lone `{{ expr }}` returns the expression's native value
    (except in a shell command line, where every value becomes a quoted word)."""
    if shell:
        quoted = quoted_template(text)
        if quoted:
            raise TemplateFailure(
                f"`{quoted}` is inside quotes in a shell command",
                "remove the quotes around it: gameday shell-quotes every template value "
                "in `shell:` (docs/format.md)",
            )
    from gameday.sandbox import render  # Jinja2 only once a file is templated

    return render(text, params, shell=shell, deadline=deadline)


def quoted_template(text: str) -> str | None:
    """The first `{{ ... }}` that sits inside single or double quotes (or after a
    backslash) in a shell command line, if any."""
    quote: str | None = None
    index = 0
    while index < len(text):
        tag = _TEMPLATE_TAG.match(text, index)
        if tag:
            if tag.group().startswith("{{") and quote is not None:
                return tag.group()
            index = tag.end()
            continue
        char = text[index]
        if char == "\\" and quote != "'":
            if text.startswith("{{", index + 1):
                return text[index + 1 : text.find("}}", index) + 2]
            index += 2
            continue
        if quote is None and char in "'\"":
            quote = char
        elif char == quote:
            quote = None
        index += 1
    return None


_SECTIONS: tuple[tuple[YamlPath, str], ...] = (
    (("steady_state", "probes"), "probe"),
    (("recovery", "steps"), "action"),
    (("rollback",), "action"),
)


def shell_paths(data: dict[str, Any]) -> frozenset[YamlPath]:
    """Where a scenario holds shell command lines: the params fields each plugin marks
    with `SHELL_COMMAND`. A plugin type that is itself templated (unknown until
    rendered) counts every marked field of its kind, so quoting cannot be dodged."""
    from gameday.plugins.registry import registry

    def fields(kind: str, name: Any) -> frozenset[str]:
        plugins = registry(kind).plugins
        if not isinstance(name, str):
            return frozenset()
        if "{{" in name or "{%" in name:  # any plugin of this kind, once rendered
            return frozenset().union(*(shell_fields(p.Params) for p in plugins.values()))
        # an unknown name is reported by validation, and runs nothing
        return shell_fields(plugins[name].Params) if name in plugins else frozenset()

    found: set[YamlPath] = set()
    fault = data.get("fault")
    if isinstance(fault, dict):
        found.update(("fault", "params", f) for f in fields("fault", fault.get("type")))
    for section, kind in _SECTIONS:
        node: Any = data
        for part in section:
            node = node.get(part) if isinstance(node, dict) else None
        for index, entry in enumerate(node if isinstance(node, list) else []):
            if isinstance(entry, dict):
                names = fields(kind, entry.get("type"))
                found.update((*section, index, "params", f) for f in names)
    return frozenset(found)


def shell_fields(model: type[Any]) -> frozenset[str]:
    """The fields of a params model marked as shell command lines."""
    from gameday.plugins.protocols import SHELL_COMMAND

    return frozenset(
        name
        for name, info in model.model_fields.items()
        if isinstance(info.json_schema_extra, dict)
        and all(info.json_schema_extra.get(k) == v for k, v in SHELL_COMMAND.items())
    )
