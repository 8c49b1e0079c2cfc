"""`gameday validate FILE...`: the command's body, without Typer.

The Typer command (`spec_commands.validate`) calls it, and so does the console script
when the arguments are only paths (`gameday.cli.entry`), which then costs no CLI
framework at all: validating one file is what editors and pre-commit hooks run most.
"""

from __future__ import annotations

from pathlib import Path

from gameday.cli.exit_codes import ExitCode


def validate_files(paths: list[Path]) -> int:
    """Reports every problem as file:line:col, then a count; the exit code."""
    from gameday.cli.console import err, print_problem
    from gameday.validate import check_paths

    count, problems = check_paths(paths)
    for problem in problems:
        print_problem(problem)
    if problems:
        err.print(f"[red]{len(problems)} problem(s)[/] in {count} file(s)")
        return ExitCode.BAD_INPUT
    err.print(f"[green]{count} file(s) valid[/]")
    return ExitCode.OK
