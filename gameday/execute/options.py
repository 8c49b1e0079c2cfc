"""How a run is told to behave (`RunOptions`, built by `gameday.pipeline.options`) and
how a scenario ends early (`ScenarioEnded`)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field

from gameday.guardrails import GuardrailConfig


@dataclass(frozen=True)
class RunOptions:
    dry_run: bool = False
    auto_approve: bool = False
    interactive: bool = False
    guardrails: GuardrailConfig = field(default_factory=GuardrailConfig)
    confirm: str | None = None
    """The context name the operator typed to allow a production run."""
    operator: str = field(default_factory=lambda: getpass.getuser())
    """Who gives the go for each scenario (journaled with every approval)."""
    in_cluster: bool = False
    """Kubernetes targets use the pod's service account, whatever context they name."""
    approval_timeout: float = 900.0
    """Seconds the facilitator's go is waited for; no answer is no go (nothing injected)."""
    revert_deadline: float | None = None
    """Seconds a revert is retried before the undo is left pending for `gameday recover`
    and the scenario ends as an error; None: `deadlines.revert()` (60 s)."""


class ScenarioEnded(Exception):
    """Ends a scenario early with an outcome (not-run, refused, ...) and a reason."""

    def __init__(self, outcome: str, reason: str):
        super().__init__(reason)
        self.outcome, self.reason = outcome, reason


def with_hint(message: str, hint: str | None) -> str:
    return message + (f" (hint: {hint})" if hint else "")
