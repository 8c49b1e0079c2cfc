"""Mutations of the shipped scenarios and drills for the fuzz test: tree edits with
hostile values (huge numbers and durations, template loops and bombs, shell payloads,
wrong types, deep nesting) and text edits (recursive aliases, 5,000-digit numbers,
tabs, truncation)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.conftest import ROOT

SEED_FILES = sorted((ROOT / "scenarios").rglob("*.yaml")) + sorted((ROOT / "drills").glob("*.yaml"))
Path_ = tuple[str | int, ...]

HOSTILE: list[Any] = [
    10**40,
    -1,
    0,
    2**63,
    -(10**30),
    1e308,
    float("inf"),
    float("-inf"),
    True,
    None,
    "",
    "99999999999h",
    "720h",
    "721h",
    "-5s",
    "0s",
    "1e9s",
    "0ms",
    "99999999999999999999ms",
    "150%",
    "-1%",
    "1e400",
    "NaN",
    ".nan",
    "0.0000001%",
    "{{ 9 ** 999999 }}",
    "{{ 'x' * 10**9 }}",
    "{{ undefined_name }}",
    "{{ ''.__class__ }}",
    "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    "{{ '{:>999999999}'.format(1) }}",
    "{{ x.replace('', x) }}",
    "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "{{",
    "}}",
    "{% if %}",
    "{{ frontend_url }}x",
    "x; touch PWNED",
    "$(touch PWNED)",
    "é" * 300,
    "a" * 70000,
    "../../../../etc/passwd",
    "/dev/zero",
    "/",
    "http://",
    "http://[::1",
    "https://127.0.0.1:1/",
    "*",
    "web:*",
    "SIGKILL",
    "SIGSTOP",
    "local",
    "kubernetes",
    "process-kill",
    "pod-delete",
    "command",
    "disk-fill",
    "wait_for",
    "manual",
    "http",
    [],
    {},
    [[[[[[[[]]]]]]]],
    {"a": {"b": {"c": {"d": {}}}}},
    [None],
    [1, "x", 2.5],
    {"probe": "nope"},
    {"percentile": 101, "below": "-1s"},
    {"max_targets": 0, "max_percent": "200%"},
]
KEYS = [
    "type",
    "params",
    "probe",
    "name",
    "every",
    "window",
    "duration",
    "kind",
    "url",
    "shell",
    "argv",
    "labels",
    "namespace",
    "count",
    "percent",
    "ref",
    "weight",
    "x",
]


def _seed(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = yaml.safe_load(path.read_text())
    steady = doc.get("steady_state")
    if isinstance(steady, dict):  # fast dry runs: the seeds sample for 100ms
        steady["window"] = "100ms"
        for probe in steady.get("probes") or []:
            probe["every"] = "50ms"
    if isinstance(doc.get("fault"), dict):
        doc["fault"]["duration"] = "100ms"
    return doc


SEEDS = {str(p.relative_to(ROOT)): _seed(p) for p in SEED_FILES}


def paths(node: Any, prefix: Path_ = ()) -> Iterator[Path_]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def _parent(doc: Any, path: Path_) -> Any:
    for part in path[:-1]:
        doc = doc[part]
    return doc


def value_strategy() -> st.SearchStrategy[Any]:
    """A value to put in the tree (a fresh copy: the pool's lists must not be shared)."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.integers(),
        st.floats(),
        st.text(max_size=40),
        st.lists(st.integers(), max_size=3),
    ).map(copy.deepcopy)


PLAUSIBLE: list[Any] = [
    1,
    2,
    3,
    0,
    100,
    "1s",
    "250ms",
    "2m",
    "50%",
    "99.9%",
    0.5,
    "web:*",
    "store",
    "{{ frontend_url }}",
    "{{ missing }}",
    "{{ frontend_url ~ '/x' }}",
    "x; touch PWNED",
    "$(touch PWNED)",
    "http://127.0.0.1:1/",
    True,
    False,
    None,
]
SET_VALUES: list[str] = [
    "x; touch PWNED",
    "$(touch PWNED)",
    "`touch PWNED`",
    "{{ 9 ** 999999 }}",
    "&a [*a]",
    "9" * 5000,
    "[1, 2",
    "{a: b}",
    "http://127.0.0.1:1/",
    "",
    "~",
    "99999999999h",
    "-1",
    "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
]


@st.composite
def overrides(draw: st.DrawFn, doc: dict[str, Any]) -> list[str]:
    """`--set` arguments: hostile values for the params the file declares (or new ones)."""
    declared = doc.get("params")
    params = declared if isinstance(declared, dict) else {}
    names = [*sorted(str(k) for k in params), "extra", "nested.key"]
    chosen = draw(st.lists(st.sampled_from(names), max_size=2, unique=True))
    return [f"{n}={draw(st.sampled_from(SET_VALUES))}" for n in chosen]


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, str, list[str]]:
    """(seed's relative path, mutated YAML text, `--set` arguments)."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc = copy.deepcopy(SEEDS[name])
    sets = draw(overrides(doc))
    if draw(st.integers(0, 2)) == 0:  # a third keep their shape, with plausible values
        for _ in range(draw(st.integers(0, 2))):
            leaves = [p for p in paths(doc) if p and not isinstance(_get(doc, p), dict | list)]
            path = draw(st.sampled_from(leaves))
            _parent(doc, path)[path[-1]] = draw(st.sampled_from(PLAUSIBLE))
        return name, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), sets
    for _ in range(draw(st.integers(1, 4))):
        candidates = [p for p in paths(doc) if p]
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, last = _parent(doc, path), path[-1]
        op = draw(st.sampled_from(["replace", "replace", "delete", "add", "wrap", "retype"]))
        if op == "replace":
            parent[last] = draw(value_strategy())
        elif op == "delete":
            del parent[last]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = draw(value_strategy())
        elif op == "add" and isinstance(parent, list):
            parent.append(draw(value_strategy()))
        elif op == "wrap":
            parent[last] = [parent[last]] if draw(st.booleans()) else {"x": parent[last]}
        elif op == "retype" and isinstance(parent[last], str):
            parent[last] = draw(st.sampled_from([1, 1.5, ["a"], {"a": 1}, None, True]))
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return name, draw(text_edits(text)), sets


def _get(doc: Any, path: Path_) -> Any:
    for part in path:
        doc = doc[part]
    return doc


@st.composite
def text_edits(draw: st.DrawFn, text: str) -> str:
    """Now and then an edit only raw text can make."""
    choice = draw(st.integers(0, 14))
    lines = text.splitlines()
    where = draw(st.integers(0, max(0, len(lines) - 1)))
    if choice == 0:
        return text + "loop: &loop [*loop]\n"
    if choice == 1:
        return text + "huge: " + "9" * 5000 + "\n"
    if choice == 2:
        lines.insert(where, "\tbad: tab")
    elif choice == 3:
        return text[: draw(st.integers(0, len(text)))]
    elif choice == 4:
        bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n"
            for p, n in zip("abcdefg", "bcdefgh", strict=True)
        )
        return text + bomb
    elif choice == 5 and lines:
        lines[where] = lines[where] + " " + lines[where]
    elif choice == 6:
        return text + "params: {deep: " + "[" * 100 + "]" * 100 + "}\n"
    return "\n".join(lines) + "\n"
