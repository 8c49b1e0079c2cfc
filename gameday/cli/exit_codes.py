"""Documented exit codes (docs/cli.md), and the one place that maps what happened to
them: a finished run's scorecard (`exit_code_for`) and an error that stopped a command
before or outside a run (`exit_code`)."""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING

from gameday.errors import (
    DependencyError,
    GamedayError,
    InputError,
    RefusedError,
    RollbackError,
    UsageError,
)
from gameday.model.outcomes import Verdict

if TYPE_CHECKING:
    from gameday.model.scorecard import Scorecard


class ExitCode(IntEnum):
    OK = 0
    """Everything ran and every scenario passed."""
    FAILED = 1
    """A scenario failed its SLO, RTO or RPO, or did not run."""
    BAD_INPUT = 2
    """A scenario, drill, flag or config is wrong; nothing was touched."""
    REFUSED = 3
    """A guardrail refused to touch the target."""
    ABORTED = 4
    """A stop condition aborted a scenario (its fault was reverted)."""
    ROLLBACK_FAILED = 5
    """A revert or recovery failed: the target may still be degraded."""
    ERROR = 6
    """The run could not do its job (a dependency unreachable or hung, a revert deadline
    passed, a failed credential plugin): no verdict on resilience was reached."""
    INCONCLUSIVE = 7
    """A fault could not be confirmed to have landed, or no impact was observed where
    impact was expected: the drill proved nothing either way."""
    INTERRUPTED = 130
    """Stopped by SIGINT/SIGTERM after reverting what was injected."""


INTERNAL_ERROR = 70
"""A bug in gameday (an exception it did not expect); rerun with --debug."""


def exit_code_for(card: Scorecard, interrupted: bool) -> ExitCode:
    outcomes = {s.outcome for s in card.scenarios}
    if interrupted or "interrupted" in outcomes:
        return ExitCode.INTERRUPTED
    if not all(s.rollback_ok for s in card.scenarios) or "recovery-failed" in outcomes:
        return ExitCode.ROLLBACK_FAILED
    if "refused" in outcomes:
        return ExitCode.REFUSED
    if "aborted" in outcomes:
        return ExitCode.ABORTED
    verdicts = {s.verdict for s in card.scenarios}
    if not card.scenarios or verdicts & {Verdict.FAIL, Verdict.NOT_RUN}:
        return ExitCode.FAILED
    if Verdict.ERROR in verdicts:
        return ExitCode.ERROR
    if Verdict.INCONCLUSIVE in verdicts:
        return ExitCode.INCONCLUSIVE
    return ExitCode.OK


def exit_code(error: GamedayError) -> ExitCode:
    if isinstance(error, InputError | UsageError):
        return ExitCode.BAD_INPUT
    if isinstance(error, RefusedError):
        return ExitCode.REFUSED
    if isinstance(error, RollbackError):
        return ExitCode.ROLLBACK_FAILED
    if isinstance(error, DependencyError):
        return ExitCode.ERROR
    return ExitCode.FAILED
