"""Test tiers, read off what a test uses so a new test lands in the right tier without
anyone marking it (tests/conftest.py applies them):

- a real component (`cluster`, `monitoring`, `browser`, `demo`, `db`): from the fixtures
  the test uses (their closure) or the directory it is in;
- `slow`: it starts processes (the real `gameday` command, pip, servers) or waits out
  real deadlines, seconds per test: found by reading the code the test and its fixtures
  reach (functions and classes of tests/, through module attributes) for a process
  spawner;
- `pure`: none of these. The inner loop is `pytest -m pure`: in-process only, seconds.

A pure test that starts a process anyway (through code the reading cannot follow, such
as gameday's own) fails, naming the process: the `Spawns` audit hook below watches."""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import types
from collections.abc import Iterator
from typing import Any

TIERS = {
    "cluster": ("kubeconfig", "api", "workload", "private_cluster"),
    "monitoring": ("monitoring", "pushgateway", "prometheus"),
    "browser": ("chromium", "browser"),
    "demo": ("stack", "run_scenario", "own_stack"),
}
"""Component tiers by the fixtures a test uses (their closure)."""

TIER_DIRS = {
    "kubernetes": "cluster",
    "monitoring": "monitoring",
    "dr": "db",
    "live": "demo",
    "deadlines": "slow",
    "package": "slow",
}
"""Directories whose every test needs that component (e.g. started by a module fixture),
or waits out deadlines (deadlines/) or builds and installs the distribution (package/)."""

MARKERS = (*TIERS, "db", "slow")
"""Every tier but `pure` (which is their absence)."""

SPAWNING = frozenset(
    {"subprocess", "multiprocessing", "pty"}
    | {"gameday.demo.stack", "gameday.targets.local.stress", "gameday.targets.local.command"}
    | {"gameday.execute.actions.Command"}
)
"""Modules (all of whose use starts processes) and classes that start processes: the
demo system, stress workers, the `command` fault and recovery action."""

SPAWNING_ATTRIBUTES: dict[types.ModuleType, frozenset[str]] = {
    os: frozenset(
        {"system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp"}
        | {name for name in dir(os) if name.startswith(("exec", "spawn"))}
    ),
    asyncio: frozenset({"create_subprocess_exec", "create_subprocess_shell"}),
}
"""Modules of which only some functions start processes."""

SPAWN_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.fork", "os.forkpty", "os.posix_spawn", "os.exec"}
    | {"os.spawn"}  # os.spawn* (not on every platform)
)
"""Audit events (sys.addaudithook) raised when this process starts another."""


TESTS = os.path.dirname(os.path.abspath(__file__)) + os.sep


def _ours(obj: object) -> bool:
    """Code of the test suite (followed), not of gameday or a library (not followed); by
    file, as pytest may import a test module under its bare name."""
    if isinstance(obj, types.ModuleType):
        path = getattr(obj, "__file__", None)
    elif isinstance(
        code := getattr(getattr(obj, "__func__", obj), "__code__", None), types.CodeType
    ):
        path = code.co_filename
    else:
        module = sys.modules.get(getattr(obj, "__module__", None) or "")
        path = getattr(module, "__file__", None)
    return isinstance(path, str) and path.startswith(TESTS)


def _from(name: object) -> bool:
    return isinstance(name, str) and (name in SPAWNING or name.split(".")[0] in SPAWNING)


def _spawner(obj: object, names: tuple[str, ...]) -> bool:
    """`obj`, used by code that also uses `names`, starts processes."""
    if isinstance(obj, types.ModuleType):
        return _from(obj.__name__) or bool(SPAWNING_ATTRIBUTES.get(obj, frozenset()) & set(names))
    module = getattr(obj, "__module__", None)
    return (
        _from(module)
        or f"{module}.{getattr(obj, '__qualname__', '')}" in SPAWNING
        or any(
            obj is getattr(source, name, None)
            for source, spawning in SPAWNING_ATTRIBUTES.items()
            for name in spawning
        )
    )


def _codes(obj: object) -> Iterator[types.CodeType]:
    """The code objects of a function, or of every method of a class."""
    obj = getattr(obj, "__func__", obj)
    inner = getattr(getattr(obj, "hypothesis", None), "inner_test", None)
    obj = inner or getattr(obj, "__wrapped__", obj)
    if isinstance(obj, types.FunctionType):
        yield obj.__code__
    elif isinstance(obj, type):
        for member in vars(obj).values():
            if isinstance(member, property):
                member = member.fget
            yield from _codes(member)


def _nested(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _nested(const)


class SpawnReader:
    """Whether calling a function (or using a class) of the test suite may start a
    process, by following the names its code uses; memoized across a session."""

    def __init__(self) -> None:
        self._known: dict[int, tuple[object, bool]] = {}  # keeps the object: ids stay unique
        self._open: set[int] = set()
        self._cut = False  # an answer reached through an open (cyclic) reference

    def starts_processes(self, obj: object) -> bool:
        key = id(obj)
        if key in self._known:
            return self._known[key][1]
        if key in self._open:
            self._cut = True
            return False
        self._open.add(key)
        cut, self._cut = self._cut, False
        try:
            found = any(self._code_spawns(code, _globals(obj)) for code in _codes(obj))
        finally:
            self._open.discard(key)
        if found or not self._cut:  # a "no" that leaned on an open cycle is not final
            self._known[key] = (obj, found)
        self._cut = self._cut or cut
        return found

    def _code_spawns(self, code: types.CodeType, scope: dict[str, Any]) -> bool:
        for part in _nested(code):
            names = part.co_names
            for name in names:
                value = scope[name] if name in scope else sys.modules.get(name)
                if value is None:
                    continue
                if _spawner(value, names):
                    return True
                if isinstance(value, types.ModuleType):
                    if _ours(value) and any(
                        self.starts_processes(getattr(value, attr))
                        for attr in names
                        if hasattr(value, attr)
                        and not isinstance(getattr(value, attr), types.ModuleType)
                    ):
                        return True
                elif _ours(value) and self.starts_processes(value):
                    return True
        return False


def _globals(obj: object) -> dict[str, Any]:
    for code_owner in (getattr(obj, "__func__", obj), obj):
        scope = getattr(code_owner, "__globals__", None)
        if isinstance(scope, dict):
            return scope
    module = sys.modules.get(getattr(obj, "__module__", "") or "")
    return vars(module) if module else {}


class Spawns:
    """Records, per running test, the first process it started (an audit hook: it sees
    subprocess, os.system, fork and exec from any code, gameday's included). Only from
    the main thread, where tests and fixtures run: a thread an earlier test left behind
    is not blamed on the next one."""

    def __init__(self) -> None:
        self.running: str | None = None
        self.started: dict[str, str] = {}

    def audit(self, event: str, args: tuple[Any, ...]) -> None:
        if self.running is None or event not in SPAWN_EVENTS:
            return
        if threading.current_thread() is not threading.main_thread():
            return
        if self.running not in self.started:
            what = args[1] if event == "subprocess.Popen" and len(args) > 1 else args[:1]
            self.started[self.running] = f"{event} {what!r:.200}"
