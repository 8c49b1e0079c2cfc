"""The bounded Jinja2 sandbox behind gameday/template.py, imported on the first
templated string (a file without `{{` never imports Jinja2).

Jinja2's `SandboxedEnvironment` blocks Python internals; on top of it every operator
and call that multiplies (`*`, `**`, `%`, filters, methods) is size-checked before it
runs, rendering stops at `MAX_OUTPUT` characters, and a line tracer on Jinja's
generated frames stops loops at the document's deadline.
"""

from __future__ import annotations

import re
import shlex
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache, wraps
from types import FrameType
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gameday.template import MAX_INT_BITS, MAX_OUTPUT, MAX_SECONDS, MAX_SIZE_ARG, TemplateFailure

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)
_HUGE_WIDTH = re.compile(r"%[-+ #0*]*\d{6,}|\{[^{}]*:[^{}]*\d{6,}")
"""A printf or str.format field wider than 99,999 characters."""


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


def environment() -> jinja2.Environment:
    """The bounded sandbox, for parsing and compiling templates elsewhere."""
    return _env(False)


@lru_cache(maxsize=2)
def _env(shell: bool) -> _BoundedSandbox:
    if shell:
        return _BoundedSandbox(
            undefined=jinja2.StrictUndefined, autoescape=False, finalize=_shell_quote
        )
    return _BoundedSandbox(undefined=jinja2.StrictUndefined, autoescape=False)


def render(text: str, params: dict[str, Any], *, shell: bool, deadline: float | None) -> Any:
    """Render one string (see `gameday.template.render_string`)."""
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


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    return _env(False).compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=4096)
def _template(source: str, shell: bool) -> jinja2.Template:
    return _env(shell).from_string(source)
