"""Turns exceptions into exit codes (the only place), around the Typer app and around
the one command the console script runs without it.

Typer/click already map usage errors to exit 2 and `typer.Exit(code)` to its code;
gameday's own errors are rendered here with their location and hint. The console script
(`gameday.cli.entry`) answers `--version`, the top-level help and `validate FILE...`
itself and calls `run` for everything else; a command's module is imported when the
command is looked up (`gameday.cli.catalog`). Nothing here imports Typer or Rich until
it is needed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from gameday.cli.exit_codes import INTERNAL_ERROR, ExitCode, exit_code
from gameday.errors import GamedayError

state = {"debug": False}
"""Global options (`--debug`), set by the app's callback."""


def run(argv: list[str] | None = None) -> None:
    """The Typer app on argv (default: the process's arguments), guarded."""

    def typer_app() -> None:
        from gameday.cli.app import app

        app(args=argv, prog_name="gameday")

    guarded(typer_app)


def guarded(command: Callable[[], object]) -> None:
    """Runs command (which exits with its code) and maps what it raises to exit codes."""
    try:
        command()
    except SystemExit as done:
        if done.code == ExitCode.INTERRUPTED:
            # Everything is reverted, journaled and rendered by now. A second Ctrl-C that
            # arrived meanwhile can still be pending, and interpreter finalization resets
            # SIGINT to its default and dies by it; leave without finalizing instead.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(ExitCode.INTERRUPTED)
        raise
    except GamedayError as error:
        from gameday.cli.console import print_error

        print_error(error)
        sys.exit(exit_code(error))
    except KeyboardInterrupt:
        from gameday.cli.console import err

        # Runs revert before this can happen (see execute.safety); here only exit, the
        # same way as above: a further Ctrl-C must not kill the process by signal.
        err.print("interrupted")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.INTERRUPTED)
    except Exception as error:  # the last resort: say what happened, traceback only with --debug
        if state["debug"]:
            raise
        from gameday.cli.console import err

        err.print(f"[bold red]internal error:[/] {type(error).__name__}: {error}")
        err.print("    [dim]hint: rerun with --debug for a traceback, and report it as a bug[/]")
        sys.exit(INTERNAL_ERROR)
