"""Consoles and how errors look: location in bold, message, then the hint."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from gameday.errors import GamedayError, InputError, Problem

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


def _clean(text: str) -> str:
    """Escaped for Rich, and without secrets: an error may quote a URL with a password."""
    from gameday.redact import process_redactor

    return escape(process_redactor().scrub(text))


def print_problem(problem: Problem, console: Console = err) -> None:
    color = "red" if problem.severity == "error" else "yellow"
    tag = problem.severity if problem.rule is None else f"{problem.severity}[{problem.rule}]"
    console.print(
        f"[bold]{escape(str(problem.location))}[/]: [{color}]{escape(tag)}[/]: {_clean(problem.message)}"
    )
    if problem.hint:
        console.print(f"    [dim]hint: {_clean(problem.hint)}[/]")


def print_error(error: GamedayError, console: Console = err) -> None:
    if isinstance(error, InputError):
        for problem in error.problems:
            print_problem(problem, console)
        return
    console.print(f"[bold red]error:[/] {_clean(error.message)}")
    if error.context:
        console.print(f"[dim]{_clean(error.context)}[/]")
    if error.hint:
        console.print(f"    [dim]hint: {_clean(error.hint)}[/]")
