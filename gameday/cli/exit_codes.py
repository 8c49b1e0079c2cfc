"""Documented exit codes (docs/cli.md)."""

from __future__ import annotations

from enum import IntEnum


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
