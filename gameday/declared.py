"""Which parameters a scenario declares, and the problems of params given that it does not
(#12.5): a misspelt `--set` key, `--values` entry or drill entry param would otherwise be
ignored silently and the run would use the default.

A scenario declares a parameter by giving it a default under `params:` or by using it
in a template (`{{ token }}` with no default must come from a drill or the command line).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from gameday.errors import Location, Problem
from gameday.hints import did_you_mean
from gameday.load import Document, YamlPath, load_file

COMMAND_LINE = "--set/--values"


def declared_params(doc: Document) -> set[str]:
    """Names with a default under `params:`, plus names any template refers to."""
    defaults = doc.data.get("params")
    names = set(defaults) if isinstance(defaults, dict) else set()
    templates = [s for key, v in doc.data.items() if key != "params" for s in _templates(v)]
    if templates:
        names |= _referenced(templates)
    return names


def taken_by(path: Path, params: dict[str, Any]) -> dict[str, Any]:
    """The entries of `params` that the scenario or drill at `path` declares (for a drill:
    any of its scenarios), e.g. to pass one set of environment params to many files."""
    doc = load_file(path)
    names = declared_params(doc)
    if doc.data.get("kind") == "Drill":
        for entry in doc.data.get("scenarios") or []:
            ref = entry.get("ref") if isinstance(entry, dict) else None
            if isinstance(ref, str) and (path.parent / ref).is_file():
                names |= declared_params(load_file(path.parent / ref))
    return {k: v for k, v in params.items() if k in names}


def unknown_params(
    given: Iterable[str], declared: set[str], where: str, locate: Any = None
) -> list[Problem]:
    """One problem per given name that is not declared. `locate(name)` places it in a
    file (drill params); without it the problem names the command line."""
    problems = []
    for name in given:
        if name in declared:
            continue
        location = locate(name) if locate else Location(COMMAND_LINE)
        hint = did_you_mean(name, declared) if declared else f"{where} declares no params"
        problems.append(
            Problem(location, f"unknown parameter `{name}`: not declared by {where}", hint)
        )
    return problems


def locator(doc: Document, path: YamlPath) -> Any:
    """`locate` for the keys of the mapping at `path` in `doc`."""
    return lambda name: doc.locate((*path, name))


def _templates(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _templates(value)
    elif isinstance(node, list):
        for value in node:
            yield from _templates(value)
    elif isinstance(node, str) and ("{{" in node or "{%" in node):
        yield node


def _referenced(templates: list[str]) -> set[str]:
    import jinja2
    from jinja2 import meta

    from gameday.sandbox import environment
    from gameday.template import TemplateFailure

    # The bounded sandbox, not a plain Environment: finding the names compiles the
    # template, and compiling folds constants (`9 ** 9 ** 9` would never finish).
    env = environment()
    names: set[str] = set()
    for text in templates:
        try:
            names |= meta.find_undeclared_variables(env.parse(text))
        except (jinja2.TemplateError, TemplateFailure, ValueError, ArithmeticError, RecursionError):
            continue  # reported where the template is rendered
    return names
