"""Recovery and rollback steps that call a server which accepts the connection and never
answers (a real socket): each step fails on its timeout, the run goes on to revert and
ends in time, and the fault is reverted (the store runs again)."""

from __future__ import annotations

from pathlib import Path

from gameday.demo.stack import DemoStack
from gameday.execute.recover import outstanding
from tests.deadlines.harness import env, run_freezing, write_scenario
from tests.deadlines.servers import silent_server
from tests.deadlines.test_supervisord_frozen import outage

STEP, WINDOW, DURATION, GRACE = 2.0, 1.0, 2.0, 5.0


def test_steps_calling_a_silent_server_end_on_their_timeout(
    stack: DemoStack, tmp_path: Path
) -> None:
    with silent_server() as server:
        scenario = outage(stack, "silent-steps")
        call = {"type": "http", "params": {"url": f"{server.url}/failover"}, "timeout": "2s"}
        scenario["recovery"] = {"steps": [{"name": "fail over", **call}]}
        scenario["rollback"] = [{"name": "undo fail-over", **call}]
        path = write_scenario(tmp_path / "s.yaml", scenario)
        ran = run_freezing(path, tmp_path / "reports", env(tmp_path), None, [], hard_limit=60)
        assert server.accepted >= 2, "both steps reached the server"
    steps = {r["section"]: r for r in ran.of("step-end")}
    for section in ("recovery", "rollback"):
        assert not steps[section]["ok"] and "timed out" in steps[section]["detail"], steps
        assert steps[section]["duration"] < STEP + 1.0, steps[section]
    took = ran.records[-1]["t"] - ran.records[0]["t"]
    assert took < WINDOW + DURATION + 2 * STEP + GRACE, f"{took:.1f}s"
    assert ran.end["outcome"] == "recovery-failed"
    assert ran.of("injection-reverted") and outstanding(ran.run_dir) == []
    assert stack.rpc().supervisor.getProcessInfo("store")["statename"] == "RUNNING"
