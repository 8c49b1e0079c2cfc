"""Discovers plugins from entry points and refuses duplicate names.

The built-in plugins are declared in gameday's own `pyproject.toml`, exactly like a
third-party package would declare its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from gameday.errors import GamedayError

GROUPS = {
    "fault": "gameday.faults",
    "probe": "gameday.probes",
    "action": "gameday.actions",
    "target": "gameday.targets",
}


class PluginError(GamedayError):
    """A plugin is missing, duplicated or broken."""


@dataclass(frozen=True)
class Registry:
    kind: str
    plugins: dict[str, type[Any]]

    def get(self, name: str) -> type[Any]:
        return self.plugins[name]

    def names(self) -> list[str]:
        return sorted(self.plugins)


@cache
def registry(kind: str) -> Registry:
    """All plugins of one kind (`fault`, `probe`, `action`, `target`), loaded once."""
    group = GROUPS[kind]
    found: dict[str, type[Any]] = {}
    origins: dict[str, str] = {}
    for ep in entry_points(group=group):
        if ep.name in found and origins[ep.name] != ep.value:
            raise PluginError(
                f"two {kind} plugins are both named `{ep.name}`: {origins[ep.name]} and {ep.value}",
                hint="uninstall one of the packages, or rename its entry point",
            )
        plugin = ep.load()
        if getattr(plugin, "name", None) != ep.name:
            raise PluginError(
                f"entry point `{ep.name}` in group {group} loads {ep.value}, "
                f"whose `name` is {getattr(plugin, 'name', None)!r}",
                hint="make the entry-point name and the plugin's `name` attribute agree",
            )
        found[ep.name] = plugin
        origins[ep.name] = ep.value
    if not found:
        raise PluginError(
            f"no {kind} plugins found in entry-point group {group}",
            hint="install gameday (`pip install -e .`) so its entry points are registered",
        )
    return Registry(kind, found)
