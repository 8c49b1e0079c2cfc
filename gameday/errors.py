"""User-facing error types. Imports nothing else from gameday.

Every error a user can cause carries a message, where it happened and a hint saying
how to fix it. Exceptions become exit codes in exactly one place: `gameday.cli.main`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, reported as `file:line:col: message`."""

    location: Location
    message: str
    hint: str | None = None
    severity: str = "error"
    rule: str | None = None

    def render(self) -> str:
        tag = self.severity if self.rule is None else f"{self.severity}[{self.rule}]"
        text = f"{self.location}: {tag}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text


class GamedayError(Exception):
    """Base of all errors gameday reports to a user."""

    def __init__(self, message: str, *, hint: str | None = None, context: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.context = context


@dataclass
class InputError(GamedayError):
    """The scenario, drill or command-line input is wrong (exit code 2)."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        count = len(self.problems)
        GamedayError.__init__(self, f"{count} problem{'s' if count != 1 else ''} in the input")

    def __str__(self) -> str:
        return "\n".join(p.render() for p in self.problems)


class UsageError(GamedayError):
    """A command-line argument is wrong (exit code 2)."""


class RefusedError(GamedayError):
    """A guardrail refused to touch a target (exit code 3)."""


class TargetError(GamedayError):
    """The target did something unexpected; permanent unless `TransientError`."""

    status: int | None = None
    """The HTTP status of an API error, when there was one (404: the object is gone)."""


class TransientError(TargetError):
    """A target error worth retrying (connection refused, 5xx, conflicts)."""


class StateError(GamedayError):
    """gameday's own state directory ($GAMEDAY_STATE) could not be written (full,
    read-only, not a directory): raised before the change that needed it (exit code 6)."""


class RollbackError(GamedayError):
    """A fault could not be reverted; the target may still be degraded (exit code 5)."""


class DependencyError(TransientError):
    """Something gameday depends on (API server, supervisord, Prometheus, Alertmanager,
    an HTTP endpoint of a step) was unreachable or did not answer before its deadline.
    The scenario's verdict is `error`, not `fail` (exit code 6). Transient: retried
    within the caller's deadline like any `TransientError`."""

    def __init__(
        self, dependency: str, message: str, *, hint: str | None = None, context: str | None = None
    ):
        super().__init__(f"{dependency}: {message}", hint=hint, context=context)
        self.dependency = dependency
