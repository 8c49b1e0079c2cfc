"""A frozen supervisord (SIGSTOP, the demo stack's real one) during inject, observe and
revert of `dependency-outage`: the run ends within its deadlines, says what happened,
and nothing is left injected once supervisord is back (SIGCONT) and, where the undo was
left pending, `gameday recover` has run. Also: a drill stops trying a target it found
unreachable."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.recover import outstanding
from gameday.execute.waiting import wait_until
from tests.deadlines.harness import (
    env,
    record,
    recover,
    run_freezing,
    signal_all,
    thawed_afterwards,
    write_scenario,
)

READ, REVERT, WINDOW, DURATION = 2.0, 5.0, 1.0, 2.0
GRACE = 3.0
"""Seconds allowed beyond the sum of the deadlines in play (busy 2-core machine)."""
RECOVER_TRIES = 2 * (15.0 + 1.0 + READ)
"""`recover` retries connecting, then the revert, each within `retry_transient`'s 15 s."""
ONE_REQUEST = 1.0 + READ
"""A revert attempt started just before the revert deadline ends on its own timeouts."""
TIMEOUTS = {"GAMEDAY_CONNECT_TIMEOUT": "1", "GAMEDAY_READ_TIMEOUT": str(READ)}


@pytest.fixture(scope="module")
def own_stack() -> Iterator[DemoStack]:
    """A demo stack of this module's own: its supervisord gets frozen."""
    started = DemoStack.start()
    with thawed_afterwards([started.process.pid] if started.process else []):
        yield started
    assert started.stop() == []


def supervisord(stack: DemoStack) -> list[int]:
    assert stack.process is not None
    return [stack.process.pid]


def store_state(stack: DemoStack) -> str:
    state: str = stack.rpc().supervisor.getProcessInfo("store")["statename"]
    return state


def outage(stack: DemoStack, name: str = "store-outage-frozen") -> dict[str, Any]:
    params = stack.params()
    return {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": name},
        "target": {"kind": "local", "supervisor": params["supervisor_url"]},
        "steady_state": {
            "window": f"{WINDOW:g}s",
            "probes": [
                {
                    "name": "frontend",
                    "type": "http",
                    "every": "200ms",
                    "params": {"url": params["frontend_url"], "timeout": "1s"},
                }
            ],
        },
        "fault": {
            "type": "dependency-outage",
            "params": {"service": "store"},
            "duration": f"{DURATION:g}s",
            "blast_radius": {"max_targets": 1},
        },
    }


def clean_after_recover(stack: DemoStack, run_dir: Path, environment: dict[str, str]) -> None:
    """Supervisord is back: `recover` finishes any pending undo; the store runs, stays
    running, and the journal shows nothing outstanding."""
    assert wait_until(lambda: _answers(stack), 10, 0.2), "supervisord did not come back"
    done = recover(run_dir, environment)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outstanding(run_dir) == []
    assert wait_until(lambda: store_state(stack) == "RUNNING", 10, 0.2), store_state(stack)
    assert not wait_until(lambda: store_state(stack) != "RUNNING", 2, 0.2), "store stopped again"


def _answers(stack: DemoStack) -> bool:
    try:
        store_state(stack)
    except OSError:
        return False
    return True


def test_frozen_during_inject(own_stack: DemoStack, tmp_path: Path) -> None:
    environment = env(tmp_path, **TIMEOUTS)
    scenario = write_scenario(tmp_path / "s.yaml", outage(own_stack))
    with thawed_afterwards(supervisord(own_stack)):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("approval"),  # frozen before steady state: inject's stopProcess hangs
            supervisord(own_stack),
            args=("--revert-deadline", f"{REVERT:g}s"),
            case="supervisord/inject",
        )
        assert hung.hang_to_end < WINDOW + READ + REVERT + ONE_REQUEST + GRACE
        assert hung.end["outcome"] == "error", hung.end
        assert "supervisord" in hung.end["reason"] and "still injected" in hung.end["reason"]
        (failed,) = hung.of("revert-failed")
        assert failed["dependency"].startswith("supervisord") and failed["pending"]
        assert hung.code in (5, 6), hung.output
    clean_after_recover(own_stack, hung.run_dir, environment)


def test_frozen_during_observe_back_during_revert(own_stack: DemoStack, tmp_path: Path) -> None:
    environment = env(tmp_path, **TIMEOUTS)
    scenario = write_scenario(tmp_path / "s.yaml", outage(own_stack))
    thaw = DURATION + 2.5  # the revert has been retrying for ~2.5 s
    with thawed_afterwards(supervisord(own_stack)):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("injection-applied"),
            supervisord(own_stack),
            thaw_after=thaw,
            args=("--revert-deadline", "20s"),
            case="supervisord/observe+revert, back in time",
        )
    assert hung.thawed_at is not None
    assert hung.ended_at - hung.thawed_at < READ + GRACE + WINDOW + 1.0
    assert hung.of("injection-reverted") and not hung.of("revert-failed"), hung.output
    assert outstanding(hung.run_dir) == []
    assert wait_until(lambda: store_state(own_stack) == "RUNNING", 10, 0.2)


def test_frozen_through_the_revert_deadline(own_stack: DemoStack, tmp_path: Path) -> None:
    environment = env(tmp_path, **TIMEOUTS)
    scenario = write_scenario(tmp_path / "s.yaml", outage(own_stack))
    with thawed_afterwards(supervisord(own_stack)):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("injection-applied"),
            supervisord(own_stack),
            args=("--revert-deadline", f"{REVERT:g}s"),
            case="supervisord/observe+revert, never back",
        )
        assert hung.hang_to_end < DURATION + REVERT + ONE_REQUEST + GRACE
        assert hung.end["outcome"] == "error" and "recover" in hung.end["reason"]
        assert [r.key for r in outstanding(hung.run_dir)] == [
            "store-outage-frozen/dependency-outage"
        ]
        # `recover` while supervisord is still frozen: gives up in time, keeps it pending
        start = time.monotonic()
        early = recover(hung.run_dir, environment)
        took = time.monotonic() - start
        print(f"HANG-TO-END supervisord/recover while frozen {took:.2f}s exit {early.returncode}")
        assert early.returncode == 5 and took < RECOVER_TRIES + GRACE, (took, early.stdout)
        assert [r.key for r in outstanding(hung.run_dir)] == [
            "store-outage-frozen/dependency-outage"
        ]
    clean_after_recover(own_stack, hung.run_dir, environment)


def test_a_drill_stops_trying_an_unreachable_target(own_stack: DemoStack, tmp_path: Path) -> None:
    environment = env(tmp_path, **TIMEOUTS)
    write_scenario(tmp_path / "first.yaml", outage(own_stack, "first"))
    write_scenario(tmp_path / "second.yaml", outage(own_stack, "second"))
    drill = write_scenario(
        tmp_path / "drill.yaml",
        {
            "apiVersion": "gameday/v1",
            "kind": "Drill",
            "metadata": {"name": "frozen-drill", "facilitator": "tests"},
            "scenarios": [{"ref": "first.yaml"}, {"ref": "second.yaml"}],
        },
    )
    with thawed_afterwards(supervisord(own_stack)):
        signal_all(supervisord(own_stack), signal.SIGSTOP)
        hung = run_freezing(
            drill, tmp_path / "reports", environment, None, [], case="supervisord/drill"
        )
    ends = {r["scenario"]: r for r in hung.of("scenario-end")}
    assert ends["first"]["outcome"] == "error" and "supervisord" in ends["first"]["reason"]
    assert ends["second"]["outcome"] == "not-run"
    assert "target unreachable earlier in this run" in ends["second"]["reason"]
    assert not [
        r
        for r in hung.of("phase")
        if r["scenario"] == "second" and r["phase"] != "preflight" and r["phase"] != "rollback"
    ]
    assert outstanding(hung.run_dir) == []
