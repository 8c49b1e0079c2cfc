"""Parameter substitution in scenario strings, with Jinja2's sandbox.

`{{ name }}` alone in a string keeps the parameter's type (an int stays an int);
mixed text renders to a string. Undefined names are errors, never empty strings.
The sandbox blocks access to Python internals; templates see only the params.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from gameday.load import YamlPath

_WHOLE_EXPRESSION = re.compile(r"^\s*\{\{(?P<expr>(?:(?!\}\}).)*)\}\}\s*$", re.DOTALL)
_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


@dataclass
class TemplateProblem:
    path: YamlPath
    message: str
    hint: str | None = None


@dataclass
class RenderResult:
    value: Any
    problems: list[TemplateProblem] = field(default_factory=list)


def render_tree(tree: Any, params: dict[str, Any], *, skip: frozenset[str]) -> RenderResult:
    """Render every string in `tree` (except top-level keys in `skip`) with `params`."""
    result = RenderResult(None)
    result.value = _render(tree, params, (), skip, result.problems)
    return result


def _render(
    node: Any,
    params: dict[str, Any],
    path: YamlPath,
    skip: frozenset[str],
    out: list[TemplateProblem],
) -> Any:
    if isinstance(node, dict):
        return {
            k: v if (not path and k in skip) else _render(v, params, (*path, k), skip, out)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_render(v, params, (*path, i), skip, out) for i, v in enumerate(node)]
    if isinstance(node, str) and ("{{" in node or "{%" in node):
        try:
            return render_string(node, params)
        except TemplateFailure as exc:
            out.append(TemplateProblem(path, exc.message, exc.hint))
            return node
    return node


class TemplateFailure(Exception):
    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def render_string(text: str, params: dict[str, Any]) -> Any:
    """Render one string; a lone `{{ expr }}` returns the expression's native value."""
    try:
        whole = _WHOLE_EXPRESSION.match(text)
        if whole:
            value = _expression(whole.group("expr").strip())(**params)
            if isinstance(value, jinja2.Undefined):
                value._fail_with_undefined_error()
            return value
        return _template(text).render(**params)
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
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateFailure(f"template failed: {exc}", None) from None


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    return _ENV.compile_expression(source, undefined_to_none=False)


@lru_cache(maxsize=4096)
def _template(source: str) -> jinja2.Template:
    return _ENV.from_string(source)
