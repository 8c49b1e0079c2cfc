"""The Typer application object and global options, shared by the command modules."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="gameday",
    help="Game-day chaos and disaster-recovery drills, scored honestly.\n\n"
    "Exit codes: 0 passed, 1 a scenario failed, 2 bad input, 3 refused by a guardrail, "
    "4 aborted, 5 rollback or recovery failed, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

state = {"debug": False}


def _print_version(value: bool) -> None:
    if value:
        from gameday import DISTRIBUTION, __version__

        typer.echo(f"gameday {__version__} ({DISTRIBUTION})")
        raise typer.Exit()


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
    version: bool = typer.Option(
        False,
        "--version",
        help="Print the version and exit.",
        callback=_print_version,
        is_eager=True,
    ),
) -> None:
    state["debug"] = debug
