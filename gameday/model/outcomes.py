"""The closed vocabularies of a run: how a scenario ended and what its verdict is.

`Outcome` is what the runner journals in `scenario-end` (what happened); `Verdict` is
what scoring concludes from the whole journal (what it means). They are separate
because one outcome can lead to different verdicts: a `completed` scenario passes,
fails, or is `inconclusive` when its fault could not be shown to have landed.
"""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    """How a scenario's execution ended (journal `scenario-end.outcome`)."""

    COMPLETED = "completed"
    DRY_RUN = "dry-run"
    NOT_RUN = "not-run"
    REFUSED = "refused"
    ABORTED = "aborted"
    ERROR = "error"
    """The run could not do its job: a dependency was unreachable or hung, a revert
    deadline passed, a credential plugin failed. Says nothing about resilience."""
    INTERRUPTED = "interrupted"
    RECOVERY_FAILED = "recovery-failed"
    NOT_RESTORED = "not-restored"
    INCOMPLETE = "incomplete"
    """No `scenario-end` in the journal (the runner died)."""


class Verdict(StrEnum):
    """What a scenario, or a whole run, is judged to be."""

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    """Could not be judged: the tool could not do its job (see `Outcome.ERROR`). Left out
    of score trends and pass rates."""
    INCONCLUSIVE = "inconclusive"
    """The fault was not confirmed to have landed, or no impact was observed where the
    scenario declared impact was expected. Never a pass."""
    ABORTED = "aborted"
    NOT_RUN = "not-run"
    DRY_RUN = "dry-run"
    """A dry run that found no problem: nothing was injected, nothing to judge."""
