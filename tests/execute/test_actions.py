"""Recovery actions run for real: commands, HTTP calls, manual steps."""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from gameday.execute.actions import (
    Command,
    CommandParams,
    Http,
    HttpParams,
    Manual,
    ManualParams,
    WaitFor,
    WaitForParams,
)
from gameday.execute.waiting import unanswered
from gameday.plugins.protocols import Injection, Sample


@dataclass
class Context:
    """What an action sees of a run (the ActionContext protocol), with answers scripted."""

    auto_approve: bool = False
    interactive: bool = False
    answers: list[bool | None] = field(default_factory=list)
    series: dict[str, list[Sample]] = field(default_factory=dict)
    prompts: list[str] = field(default_factory=list)
    timeouts: list[float | None] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    waits: float = 0.0
    """Seconds each `ask` takes before it answers (None after a timeout's wait)."""

    def samples(self, probe: str) -> list[Sample]:
        return self.series.get(probe, [])

    def target(self) -> Any:
        return None

    def injections(self) -> list[Injection]:
        return []

    def ask(self, prompt: str, timeout: float | None = None) -> bool | None:
        self.prompts.append(prompt)
        self.timeouts.append(timeout)
        time.sleep(self.waits)
        return self.answers.pop(0)


def test_command_runs_argv_without_a_shell(tmp_path: Path) -> None:
    marker = tmp_path / "ran; touch injected"
    outcome = Command().run(CommandParams(argv=["touch", str(marker)]), Context(), 5)
    assert outcome.ok and marker.exists() and not (tmp_path / "injected").exists()


def test_command_exit_code_output_and_timeout() -> None:
    failed = Command().run(
        CommandParams(argv=[sys.executable, "-c", "print('boom'); raise SystemExit(3)"]),
        Context(),
        5,
    )
    assert not failed.ok and failed.detail == "exit 3 (expected 0)" and "boom" in failed.output
    expected = Command().run(CommandParams(argv=["false"], expect_exit=1), Context(), 5)
    assert expected.ok
    slow = Command().run(CommandParams(argv=["sleep", "5"]), Context(), 0.3)
    assert not slow.ok and slow.detail == "timed out after 0.3s"
    missing = Command().run(CommandParams(argv=["/nonexistent/tool"]), Context(), 5)
    assert not missing.ok and "could not start" in missing.detail


def test_shell_only_when_written_explicitly() -> None:
    outcome = Command().run(CommandParams(shell="echo a && echo b"), Context(), 5)
    assert outcome.ok and outcome.output.split() == ["a", "b"]


def test_manual_step_needs_an_operator_or_auto_approve() -> None:
    params = ManualParams(instructions="Restore the backup, then confirm.")
    refused = Manual().run(params, Context(interactive=False), 60)
    assert not refused.ok and "--auto-approve" in refused.detail
    assert Manual().run(params, Context(auto_approve=True), 60).ok
    ctx = Context(interactive=True, answers=[True])
    done = Manual().run(params, ctx, 60)
    assert (
        done.ok
        and ctx.prompts == ["Restore the backup, then confirm."]
        and "completed after" in done.detail
    )
    assert not Manual().run(params, Context(interactive=True, answers=[False]), 60).ok
    assert ctx.timeouts == [60], "the operator is waited for no longer than the step's timeout"
    silent = Manual().run(params, Context(interactive=True, answers=[None], waits=0.3), 0.3)
    assert not silent.ok and silent.detail == "the operator gave no answer within 0.3s"
    # None at once: the input ended (Ctrl-D, stdin closed); no 45 s were waited
    ended = Manual().run(params, Context(interactive=True, answers=[None]), 45)
    assert not ended.ok and "input ended after 0.0s" in ended.detail, ended.detail
    assert "within 45s" not in ended.detail


@pytest.mark.parametrize(
    ("waited", "timeout", "why"),
    [
        (900.0, 900.0, "no answer within 900s"),
        (899.6, 900.0, "no answer within 900s"),  # select() woke a little early
        (0.01, 900.0, "the input ended after 0.0s"),
        (3.0, 900.0, "the input ended after 3.0s"),
        (0.3, 0.3, "no answer within 0.3s"),
        (0.1, 0.3, "the input ended after 0.1s"),
        (5.0, None, "the input ended after 5.0s"),  # no timeout: only the input can end it
    ],
)
def test_why_a_question_went_unanswered(waited: float, timeout: float | None, why: str) -> None:
    assert why in unanswered(waited, timeout)


def test_http_action_against_a_closed_port_fails_clearly() -> None:
    outcome = Http().run(HttpParams(url="http://127.0.0.1:1/restore"), Context(), 2)
    assert not outcome.ok and "POST http://127.0.0.1:1/restore failed" in outcome.detail


def test_wait_for_counts_only_samples_taken_after_the_step_began() -> None:
    good_before = [Sample(0, True), Sample(0.1, True), Sample(0.2, True)]
    ctx = Context(series={"web": list(good_before)})
    params = WaitForParams(probe="web", successes=3, interval="50ms")
    assert not WaitFor().run(params, ctx, 0.3).ok  # old good samples prove nothing

    def arrive() -> None:
        for i in range(3):
            time.sleep(0.05)
            ctx.series["web"].append(Sample(1 + i / 10, True))

    threading.Thread(target=arrive).start()
    assert WaitFor().run(params, ctx, 2).ok
    ctx.series["web"].append(Sample(2, False))
    assert not WaitFor().run(params, ctx, 0.3).ok
