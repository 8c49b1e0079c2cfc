"""A scenario measured by a Prometheus or an alert source that accepts connections and
never answers ends as an error in preflight, before anything is injected, with the
cause in one line; the demo stack it would have touched is left as it was."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from gameday.demo.stack import DemoStack
from tests.deadlines.harness import env, run_freezing, write_scenario
from tests.deadlines.servers import silent_server

CONNECT, ALERT_READ = 1.0, 1.0
RETRIES = 4 * (CONNECT + ALERT_READ) + 3.0
"""preflight tries a dependency 4 times with backoff (`retry_transient`)."""
GRACE = 5.0


def scenario(stack: DemoStack, **monitoring: Any) -> dict[str, Any]:
    params = stack.params()
    return {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": "measured-outage"},
        "target": {"kind": "local", "supervisor": params["supervisor_url"]},
        "steady_state": {
            "window": "1s",
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
            "duration": "1s",
            "blast_radius": {"max_targets": 1},
        },
        **monitoring,
    }


@pytest.mark.parametrize("which", ["prometheus", "alertmanager"])
def test_unanswered_monitoring_is_an_error_before_injecting(
    stack: DemoStack, tmp_path: Path, which: str
) -> None:
    with silent_server() as server:
        if which == "prometheus":
            monitoring: dict[str, Any] = {"prometheus": {"url": server.url}}
        else:
            monitoring = {
                "detection": {
                    "source": "alertmanager",
                    "url": server.url,
                    "expect_alerts": [{"name": "StoreDown", "within": "10s"}],
                }
            }
        path = write_scenario(tmp_path / "s.yaml", scenario(stack, **monitoring))
        environment = env(
            tmp_path,
            GAMEDAY_CONNECT_TIMEOUT=str(CONNECT),
            GAMEDAY_READ_TIMEOUT=str(ALERT_READ),
            GAMEDAY_ALERT_READ_TIMEOUT=str(ALERT_READ),
        )
        ran = run_freezing(path, tmp_path / "reports", environment, None, [], case=which)
    took = _duration(ran)
    assert took < RETRIES + GRACE, f"{took:.1f}s"
    assert ran.end["outcome"] == "error", ran.end
    reason = ran.end["reason"]
    assert reason.startswith("cannot measure: ") and "read timeout" in reason, reason
    assert ("Prometheus" if which == "prometheus" else "Alertmanager") in reason
    assert not ran.of("injection-planned"), "nothing may be injected without measurement"
    assert stack.rpc().supervisor.getProcessInfo("store")["statename"] == "RUNNING"


def _duration(ran: Any) -> float:
    (start,) = [r for r in ran.records if r["type"] == "run-start"]
    (end,) = [r for r in ran.records if r["type"] == "run-end"]
    return float(end["t"] - start["t"])
