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


@app.callback()
def main_options(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks for unexpected errors."),
) -> None:
    state["debug"] = debug
