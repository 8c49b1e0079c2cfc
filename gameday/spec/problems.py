"""Turns pydantic validation errors into located `Problem`s with hints."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from gameday.errors import Problem
from gameday.hints import did_you_mean
from gameday.load import Document, YamlPath


def problems_from(
    exc: ValidationError, doc: Document, model: type[BaseModel], prefix: YamlPath = ()
) -> list[Problem]:
    """One `Problem` per pydantic error, located in `doc` under `prefix`."""
    problems = []
    for err in exc.errors(include_url=False):
        loc: YamlPath = tuple(err["loc"])
        path = (*prefix, *loc)
        kind = err["type"]
        hint: str | None = None
        if kind == "extra_forbidden":
            message = f"unknown key `{loc[-1]}`"
            hint = did_you_mean(str(loc[-1]), allowed_keys(model, loc[:-1]))
        elif kind == "missing":
            message = f"missing required key `{loc[-1]}`"
            if len(path) > 1:
                message += f" in `{_dotted(path[:-1])}`"
        elif kind == "string_pattern_mismatch" and loc[-1] == "name":
            message = f"`{_dotted(path)}`: {err.get('input')!r} is not a valid name"
            hint = "use lower-case letters, digits and `-`, e.g. `web-replica-kill`"
        else:
            message = _clean(err["msg"])
            where = _dotted(path)
            if where:
                message = f"`{where}`: {message}"
            value = err.get("input")
            if kind != "value_error" and isinstance(value, str | int | float | bool):
                message += f" (got {value!r})"
            if kind == "literal_error":
                hint = did_you_mean(str(value), _literal_choices(err))
            elif kind == "string_pattern_mismatch":
                hint = _description(model, loc)  # says what the value is, in words
        problems.append(Problem(doc.locate(path), message, hint))
    return problems


def allowed_keys(model: type[BaseModel], loc: YamlPath) -> list[str]:
    """The keys a mapping at `loc` inside `model` may have ([] when unknown)."""
    current: Any = model
    for part in loc:
        current = _step(current, part)
        if current is None:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return []


def _description(model: type[BaseModel], loc: YamlPath) -> str | None:
    """The `description` of the field at `loc` inside `model`, if it has one."""
    parent: Any = model
    for part in loc[:-1]:
        parent = _step(parent, part)
    parent = _unwrap(parent)
    if isinstance(parent, type) and issubclass(parent, BaseModel):
        for name, info in parent.model_fields.items():
            if loc[-1] in (name, info.alias):
                return info.description
    return None


def _step(annotation: Any, part: str | int) -> Any:
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        for name, info in annotation.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
        return None
    origin = get_origin(annotation)
    if origin in (list, tuple) and isinstance(part, int):
        return get_args(annotation)[0]
    if origin is dict:
        return get_args(annotation)[1]
    return None


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _literal_choices(err: Any) -> list[str]:
    expected = str(err.get("ctx", {}).get("expected", ""))
    return [part.strip(" '\"") for part in expected.replace(" or ", ",").split(",") if part.strip()]


def _clean(message: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            return message[len(prefix) :]
    return message


def _dotted(path: YamlPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
