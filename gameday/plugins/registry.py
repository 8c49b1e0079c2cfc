"""Discovers plugins from entry points, imports each only when it is used, and refuses
duplicate names.

The built-in plugins are declared in gameday's own `pyproject.toml`, exactly like a
third-party package would declare its own. Reading the entry points costs a metadata
scan, not an import: a local scenario never imports the Kubernetes client because a
Kubernetes fault is registered beside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from gameday.errors import GamedayError

GROUPS = {
    "fault": "gameday.faults",
    "probe": "gameday.probes",
    "action": "gameday.actions",
    "target": "gameday.targets",
}
"""Plugin kinds that scenarios name, each with a `Params` model (schema, validation)."""
OUTPUT_GROUPS = {"reporter": "gameday.reporters"}
"""Plugin kinds that no scenario names: every installed reporter writes its file."""


EXTRAS = {"kubernetes": "kubernetes", "psycopg": "postgres", "pymysql": "mysql", "redis": "redis"}
"""Top-level module -> the gameday-drills extra that installs it (pyproject.toml)."""


class PluginError(GamedayError):
    """A plugin is missing, duplicated or broken."""


@dataclass
class LazyPlugins(Mapping[str, type[Any]]):
    """Plugin classes by name; `in`, `len` and iteration read names only, indexing
    imports that one plugin (once) and checks its `name` agrees with its entry point."""

    group: str
    entry_points: dict[str, EntryPoint]
    _loaded: dict[str, type[Any]] = field(default_factory=dict)

    def __getitem__(self, name: str) -> type[Any]:
        if name not in self._loaded:
            ep = self.entry_points[name]
            try:
                plugin = ep.load()
            except ModuleNotFoundError as exc:
                module = (exc.name or "?").split(".")[0]
                extra = EXTRAS.get(module)
                raise PluginError(
                    f"the {name} plugin ({self.group}) needs the Python package `{module}`, "
                    "which is not installed",
                    hint=f"pip install 'gameday-drills[{extra}]'" if extra else f"install {module}",
                ) from None
            if getattr(plugin, "name", None) != name:
                raise PluginError(
                    f"entry point `{name}` in group {self.group} loads {ep.value}, "
                    f"whose `name` is {getattr(plugin, 'name', None)!r}",
                    hint="make the entry-point name and the plugin's `name` attribute agree",
                )
            self._loaded[name] = plugin
        return self._loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self.entry_points

    def __iter__(self) -> Iterator[str]:
        return iter(self.entry_points)

    def __len__(self) -> int:
        return len(self.entry_points)


@dataclass(frozen=True)
class Registry:
    kind: str
    plugins: LazyPlugins

    def get(self, name: str) -> type[Any]:
        return self.plugins[name]

    def names(self) -> list[str]:
        return sorted(self.plugins)


@cache
def _installed_entry_points() -> Any:
    """Every installed distribution's entry points, read once per process: each scan
    reads every distribution's entry_points.txt, and a scenario names three or four kinds.
    (Python 3.11 returns its grouped form, 3.12 a flat one; both have `select(group=)`.)"""
    return entry_points()


@cache
def registry(kind: str) -> Registry:
    """The plugins of one kind (`fault`, `probe`, `action`, `target`, `reporter`),
    discovered once and imported on first use."""
    group = {**GROUPS, **OUTPUT_GROUPS}[kind]
    found: dict[str, EntryPoint] = {}
    for ep in _installed_entry_points().select(group=group):
        if ep.name in found and found[ep.name].value != ep.value:
            raise PluginError(
                f"two {kind} plugins are both named `{ep.name}`: {found[ep.name].value} and {ep.value}",
                hint="uninstall one of the packages, or rename its entry point",
            )
        found[ep.name] = ep
    if not found:
        raise PluginError(
            f"no {kind} plugins found in entry-point group {group}",
            hint="install gameday-drills (`pip install gameday-drills`, or `pip install -e .` in a "
            "clone) so its entry points are registered",
        )
    return Registry(kind, LazyPlugins(group, found))
