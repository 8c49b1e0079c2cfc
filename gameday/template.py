"""Parameter substitution in scenario strings, with Jinja2's sandbox.

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
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from types import FrameType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gameday.load import YamlPath

MAX_SECONDS = 2.0
"""CPU budget for all templates of one document, seconds."""
MAX_OUTPUT = 128 * 1024
"""Characters one templated string may render to."""
MAX_SIZE_ARG = 100_000
"""Largest integer a template may pass to a filter, method or repetition operator."""
MAX_INT_BITS = 4096
"""Largest integer (in bits) `**` may produce."""

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)
_HUGE_WIDTH = re.compile(r"%[-+ #0*]*\d{6,}|\{[^{}]*:[^{}]*\d{6,}")
"""A printf or str.format field wider than 99,999 characters."""
_TEMPLATE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


class TemplateFailure(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _too_big(what: str) -> TemplateFailure:
    return TemplateFailure(
        f"template would build a huge value ({what})",
        f"templates substitute params; values above {MAX_SIZE_ARG} or strings above "
        f"{MAX_OUTPUT} characters are refused",
    )


def _size(value: Any) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return abs(value)
    if isinstance(value, str | bytes | list | tuple | dict):
        return len(value)
    return 0


def _check_args(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE_ARG:
            raise _too_big(f"argument {value}")
        if isinstance(value, str) and _HUGE_WIDTH.search(value):
            raise _too_big("format width")


def _bounded_filter(function: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_args(args[1:], kwargs)
        if args and isinstance(args[0], str) and _HUGE_WIDTH.search(args[0]):
            raise _too_big("format width")
        if function.__name__ == "do_replace" and len(args) > 2 and args[2] == "":
            raise _too_big("replace with an empty needle")
        return function(*args, **kwargs)

    return bounded


class _BoundedSandbox(SandboxedEnvironment):
    """Jinja2's sandbox plus size checks on the operators and calls that multiply."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.filters = {name: _bounded_filter(f) for name, f in self.filters.items()}

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if (
            operator == "*"
            and max(_size(left), 1) * max(_size(right), 1) > MAX_OUTPUT
            and (not isinstance(left, int | float) or not isinstance(right, int | float))
        ):
            raise _too_big(f"{type(left).__name__} * {type(right).__name__}")
        if (
            operator == "**"
            and isinstance(left, int)
            and isinstance(right, int)
            and abs(left) > 1
            and right * abs(left).bit_length() > MAX_INT_BITS
        ):
            raise _too_big(f"{left} ** {right}")
        if operator == "%" and isinstance(left, str) and _HUGE_WIDTH.search(left):
            raise _too_big("format width")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        bound = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        _check_args((getattr(bound, "__self__", None), *args), kwargs)
        if getattr(__obj, "__name__", "") == "replace" and args[:1] == ("",):
            raise _too_big("replace with an empty needle")
        return super().call(__context, __obj, *args, **kwargs)


def _shell_quote(value: Any) -> str:
    return shlex.quote(str(value))


_ENV = _BoundedSandbox(undefined=jinja2.StrictUndefined, autoescape=False)
_SHELL_ENV = _BoundedSandbox(
    undefined=jinja2.StrictUndefined, autoescape=False, finalize=_shell_quote
)


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
    try:
        with _time_limit(time.monotonic() + MAX_SECONDS if deadline is None else deadline):
            whole = None if shell else _WHOLE_EXPRESSION.match(text)
            if whole:
                value = _expression(whole.group("expr").strip())(**params)
                if isinstance(value, jinja2.Undefined):
                    value._fail_with_undefined_error()
                if isinstance(value, str) and len(value) > MAX_OUTPUT:
                    raise _too_big(f"{len(value)} characters")
                return value
            return _bounded_render(_template(text, shell), params)
    except jinja2.UndefinedError as exc:
        raise TemplateFailure(
            f"undefined parameter: {exc.message}",
            "define it under `params:`, in the drill's params, or pass `--set NAME=VALUE`",
        ) from None
    except jinja2.exceptions.SecurityError as exc:
        raise TemplateFailure(
            f"template not allowed: {exc}", "templates may only use params"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateFailure(f"template syntax error: {exc.message}", None) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateFailure(f"template failed: {exc}", None) from None
    except (MemoryError, RecursionError):
        raise _too_big("out of memory or too deeply nested") from None


def _bounded_render(template: jinja2.Template, params: dict[str, Any]) -> str:
    parts: list[str] = []
    size = 0
    for chunk in template.generate(**params):
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise _too_big(f"more than {MAX_OUTPUT} characters of output")
        parts.append(chunk)
    return "".join(parts)


@contextmanager
def _time_limit(deadline: float) -> Iterator[None]:
    """Stops template code (loops included) once `deadline` has passed: a line tracer
    on Jinja's generated frames, installed only while a template renders."""
    if time.monotonic() > deadline:
        raise _out_of_time()

    def local(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _out_of_time()
        return local

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
            raise _out_of_time()
        return local if frame.f_code.co_filename == "<template>" else None

    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _out_of_time() -> TemplateFailure:
    return TemplateFailure(
        f"templates took longer than {MAX_SECONDS:g}s (a loop that never ends?)",
        "templates substitute params; keep loops small",
    )


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


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    return _ENV.compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=4096)
def _template(source: str, shell: bool) -> jinja2.Template:
    return (_SHELL_ENV if shell else _ENV).from_string(source)


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
        chosen = [plugins[name]] if isinstance(name, str) and name in plugins else plugins.values()
        return frozenset().union(*(shell_fields(p.Params) for p in chosen))

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
