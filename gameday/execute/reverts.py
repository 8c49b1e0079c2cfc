"""Undoes a scenario's injections, newest first, within one revert deadline.

A revert whose target is unreachable or hung (a `TransientError`: refused, timed out,
5xx) is retried with backoff until the revert deadline; every attempt of the scenario
shares it, so the rollback phase does not start the wait again. Each attempt is bounded
by the time left plus one request's connect and read timeouts: built-in reverts end on
their own timeouts (no thread is left reading a socket when the process exits), and
`within` cuts off a plugin call that has no timeout of its own. When the deadline has
passed the injection stays outstanding in the journal (`revert-failed` with the
dependency and what is still injected) for `gameday recover`.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.markup import escape

from gameday import deadlines
from gameday.errors import DependencyError, GamedayError, RollbackError, TransientError
from gameday.execute.waiting import retry_transient, within
from gameday.model import journal as j
from gameday.plugins.protocols import Injection


class Reverter:
    def __init__(
        self,
        scenario: str,
        fault: Any,
        limit: float | None,
        clock: Callable[[], float],
        write: Callable[[j.Record], None],
        log: Callable[[str], None],
        run_dir: Path,
    ):
        self.scenario, self.fault, self.clock = scenario, fault, clock
        self.limit = limit or deadlines.revert()
        self.write, self.log, self.run_dir = write, log, run_dir
        self.outstanding: list[tuple[str, Injection]] = []
        """(key, injection) journaled as planned or applied and not reverted yet."""
        self._lock = threading.Lock()
        self.deadline_at: float | None = None
        self.pending: str | None = None
        """Set when a revert was given up on: why, and what `recover` must still undo."""
        self.cause: DependencyError | None = None
        """What last did not answer during a revert attempt (not the cut-off)."""

    def revert_all(self, target: Any) -> None:
        """Reverts newest first; raises RollbackError (carrying `pending`) when one
        cannot be done, and at once on later calls once the deadline was given up on.
        Safe to call from two threads (the `hard_max` watchdog and the rollback)."""
        with self._lock:
            self._revert_all(target)

    def _revert_all(self, target: Any) -> None:
        if self.outstanding and self.pending:
            raise RollbackError(self.pending)
        while self.outstanding:
            key, injection = self.outstanding[-1]
            try:
                self._within_deadline(key, injection, target)
            except GamedayError as exc:
                self._give_up(key, injection, exc)
                raise RollbackError(self.pending or exc.message) from None
            self.outstanding.pop()
            self.write(j.InjectionReverted(scenario=self.scenario, key=key))
            self.log(f"{self.scenario}: reverted {injection.fault}")

    def _within_deadline(self, key: str, injection: Injection, target: Any) -> None:
        if self.deadline_at is None:
            self.deadline_at = self.clock() + self.limit
        until = self.deadline_at
        revert = functools.partial(self.fault.revert, injection, target)
        grace = deadlines.connect() + deadlines.read()
        what = f"revert of {key}"

        def attempt() -> None:
            try:
                within(revert, max(0.0, until - self.clock()) + grace, what)
            except DependencyError as exc:
                if exc.dependency != what:
                    self.cause = exc
                raise

        retry_transient(attempt, attempts=1_000_000, deadline=max(0.0, until - self.clock()))

    def _give_up(self, key: str, injection: Injection, exc: GamedayError) -> None:
        exc = self.cause or exc
        dependency = getattr(exc, "dependency", None) or "the target"
        still = ", ".join(injection.targets) or key
        why = (
            f"not done within the revert deadline ({self.limit:g}s)"
            if isinstance(exc, TransientError)
            else "failed"
        )
        self.pending = (
            f"revert of {key} {why}: {exc.message}; still injected: {still}; "
            f"run `gameday recover {self.run_dir}` once {dependency} answers"
        )
        self.write(
            j.RevertFailed(
                scenario=self.scenario,
                key=key,
                error=exc.message,
                dependency=dependency,
                deadline=self.limit,
                pending=injection.targets,
            )
        )
        self.log(f"[red]revert of {escape(key)} failed:[/] {escape(exc.message)}")
