"""Start-up: `gameday --help` and `--version` are answered from the command catalog
without Typer, and say exactly what the Typer app says; a command imports only its own
module. (Their speed is benchmarks/bench_startup.py's business, not a test's.)
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from typing import Any

import pytest
import typer
import typer.main
from typer.core import TyperGroup

from gameday.cli import catalog, entry
from gameday.cli.app import app
from tests.cli.helpers import gameday
from tests.conftest import ROOT
from tests.plugins.minimal import minimal_scenario


def loaded_app() -> dict[str, Any]:
    """Every command, converted by Typer from its module (all modules imported)."""
    for module in set(catalog.MODULES.values()):
        importlib.import_module(module)
    group = typer.main.get_group(app)
    return {name: group.commands[name] for name in catalog.MODULES}


def typer_help(commands: dict[str, Any]) -> str:
    """The top-level help as plain Typer/click renders it from the commands' docstrings
    (a stock TyperGroup, no catalog in the way)."""
    group = typer.main.get_group(app)
    stock = TyperGroup(
        name="gameday",
        commands=commands,
        params=group.params,
        help=group.help,
        no_args_is_help=True,
        rich_markup_mode=None,
        context_settings=group.context_settings,
    )
    ctx = typer.Context(stock, info_name="gameday", **group.context_settings)
    return stock.get_help(ctx)


@pytest.mark.parametrize("columns", [20, 52, 60, 79, 80, 81, 200])
def test_quick_help_is_what_typer_prints(columns: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    expected = typer_help(loaded_app())
    assert entry.top_help() == expected
    assert "Commands:\n  publish " in expected  # the comparison saw the real listing


def test_quick_help_differs_when_a_summary_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Negative control: the comparison above notices one changed word."""
    monkeypatch.setenv("COLUMNS", "200")
    commands = loaded_app()
    renamed = [(n, m, s.replace("Check", "Inspect")) for n, m, s in catalog.COMMANDS]
    monkeypatch.setattr(catalog, "COMMANDS", tuple(renamed))
    assert entry.top_help() != typer_help(commands)


def test_catalog_is_what_the_modules_register() -> None:
    loaded_app()
    registered = {
        info.name or typer.main.get_command_name(info.callback.__name__): info.callback.__module__
        for info in app.registered_commands
        if info.callback is not None
    }
    for group in app.registered_groups:
        assert group.typer_instance is not None and group.name is not None
        modules = {
            c.callback.__module__ for c in group.typer_instance.registered_commands if c.callback
        }
        assert len(modules) == 1, group.name
        registered[group.name] = modules.pop()
    assert registered == catalog.MODULES


def test_summaries_are_the_commands_docstrings() -> None:
    for name, command in loaded_app().items():
        first = " ".join((command.help or "").split("\n\n")[0].split())
        assert first == dict((n, s) for n, _, s in catalog.COMMANDS)[name], name


def test_short_help_matches_click_at_every_limit() -> None:
    """The shortening rule, against click's own, for every summary and every limit."""
    from typer.main import get_group

    commands = get_group(app).commands
    for name, _, summary in catalog.COMMANDS:
        command = commands[name]
        for limit in range(10, 130):
            assert entry.short_help(summary, limit) == command.get_short_help_str(limit)


def test_console_script_paths_agree() -> None:
    """The quick answers against the same requests through Typer (`--debug` first
    sends them there), from the installed `gameday` script."""
    quick_help, full_help = gameday("--help"), gameday("--debug", "--help")
    assert quick_help.returncode == full_help.returncode == 0
    assert quick_help.stdout == full_help.stdout and "Commands:" in quick_help.stdout
    assert gameday("-h").stdout == quick_help.stdout
    quick_version, full_version = gameday("--version"), gameday("--debug", "--version")
    assert quick_version.returncode == full_version.returncode == 0
    assert quick_version.stdout == full_version.stdout
    assert quick_version.stdout.startswith("gameday 0.1.0 (gameday-drills)")
    bare = gameday()
    assert bare.returncode == 2 and bare.stderr == quick_help.stdout and bare.stdout == ""


def test_version_is_the_installed_distributions() -> None:
    from importlib.metadata import version

    from gameday import DISTRIBUTION, __version__

    assert version(DISTRIBUTION) == __version__


PROBE = """
import json, sys
from gameday.cli import entry
sys.argv = ["gameday", *sys.argv[1:]]
try:
    entry.main()
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def modules_after(*argv: str) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["code"], set(out["modules"])


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["--version"], []])
def test_quick_answers_import_no_framework(argv: list[str]) -> None:
    code, modules = modules_after(*argv)
    assert code == (2 if not argv else 0)
    heavy = {"typer", "click", "rich", "pydantic", "yaml", "importlib.metadata", "gameday.errors"}
    assert not heavy & modules


def test_a_command_imports_only_its_module(tmp_path: Any) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(minimal_scenario("plain"))
    code, modules = modules_after("--debug", "validate", str(path))  # through Typer
    assert code == 0
    assert "gameday.cli.spec_commands" in modules and "typer" in modules  # negative control
    others = set(catalog.MODULES.values()) - {"gameday.cli.spec_commands"}
    assert not others & modules


def test_validating_paths_needs_no_cli_framework(tmp_path: Any) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(minimal_scenario("plain"))
    code, modules = modules_after("validate", str(path))
    assert code == 0 and "gameday.validate" in modules
    assert not {"typer", "click", "rich", *catalog.MODULES.values()} & modules
    assert not {"gameday.build", "gameday.model.scenario"} & modules  # checked, not built


@pytest.mark.parametrize(
    "args",
    [
        ["scenarios/local"],
        ["tests/data/broken"],
        ["tests/data/broken/tabs.yaml", "no-such-file.yaml"],
        ["drills/demo.yaml"],
    ],
)
def test_validate_without_typer_says_what_typer_says(args: list[str]) -> None:
    quick, full = gameday("validate", *args), gameday("--debug", "validate", *args)
    assert (quick.returncode, quick.stdout, quick.stderr) == (
        full.returncode,
        full.stdout,
        full.stderr,
    )
    assert quick.returncode in (0, 2) and quick.stderr


def test_validate_with_an_option_goes_to_typer() -> None:
    done = gameday("validate", "--frobnicate", "scenarios")
    assert done.returncode == 2 and "No such option" in done.stderr
    assert gameday("validate", "--help").stdout.startswith("Usage: gameday validate")
