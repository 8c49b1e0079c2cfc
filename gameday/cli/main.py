"""Runs the Typer app and turns exceptions into exit codes (the only place).

Typer/click already map usage errors to exit 2 and `typer.Exit(code)` to its code;
gameday's own errors are rendered here with their location and hint. The console script
(`gameday.cli.entry`) answers `--version` and the top-level help itself and calls this
for everything else; a command's module is imported when the command is looked up
(`gameday.cli.catalog`).
"""

from __future__ import annotations

import os
import sys

from gameday.cli.app import app, state
from gameday.cli.exit_codes import INTERNAL_ERROR, ExitCode, exit_code
from gameday.errors import (
    GamedayError,
)


def run(argv: list[str] | None = None) -> None:
    from gameday.cli.console import err, print_error

    try:
        app(args=argv, prog_name="gameday")
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
        print_error(error)
        sys.exit(exit_code(error))
    except KeyboardInterrupt:
        # Runs revert before this can happen (see execute.safety); here only exit, the
        # same way as above: a further Ctrl-C must not kill the process by signal.
        err.print("interrupted")
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(ExitCode.INTERRUPTED)
    except Exception as error:  # the last resort: say what happened, traceback only with --debug
        if state["debug"]:
            raise
        err.print(f"[bold red]internal error:[/] {type(error).__name__}: {error}")
        err.print("    [dim]hint: rerun with --debug for a traceback, and report it as a bug[/]")
        sys.exit(INTERNAL_ERROR)
