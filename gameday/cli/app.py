"""The Typer application object and global options, shared by the command modules.

Its commands come from the catalog (`gameday.cli.catalog`): the group lists their names
and summaries without importing anything, and imports a command's module (which
registers it on `app`) only when that command is looked up, so `gameday validate` costs
the spec commands' imports, not the runner's, the Kubernetes adapters' or Rich tables'.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from gameday.cli import catalog
from gameday.cli.main import state


class CatalogCommands(MutableMapping[str, Any]):
    """The group's commands by name: iteration reads the catalog, indexing a command not
    yet loaded imports its module and converts what that module registered."""

    def __init__(self, loaded: MutableMapping[str, Any]) -> None:
        self.loaded = dict(loaded)

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded and name in catalog.MODULES:
            importlib.import_module(catalog.MODULES[name])
            for key, command in typer.main.get_group(app).commands.loaded.items():  # type: ignore[attr-defined]
                self.loaded.setdefault(key, command)
        return self.loaded[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*catalog.MODULES, *self.loaded]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*catalog.MODULES, *self.loaded]))


class CatalogGroup(TyperGroup):
    """The top-level group: the catalog's commands, in its order, loaded when used."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = CatalogCommands(self.commands)

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        """As click's, from the catalog's summaries (nothing is imported to list them)."""
        from gameday.cli.entry import short_help

        limit = formatter.width - 6 - max(len(name) for name, _, _ in catalog.COMMANDS)
        rows = [(name, short_help(summary, limit)) for name, _, summary in catalog.COMMANDS]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    name="gameday",
    cls=CatalogGroup,
    help=catalog.APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": list(catalog.HELP_OPTIONS)},
)


def _print_version(value: bool) -> None:
    if value:
        from gameday import DISTRIBUTION, __version__

        typer.echo(f"gameday {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help=catalog.DEBUG_HELP),
    version: bool = typer.Option(
        False,
        "--version",
        help=catalog.VERSION_HELP,
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    state["debug"] = debug
