"""A frozen Prometheus or Alertmanager (SIGSTOP of the real servers) while a monitored
scenario runs: the run still ends within its deadlines, the alert watcher journals that
its source stopped (and started) answering, and the PromQL SLIs say they could not be
read instead of hanging the report. Nothing is left injected: the fault's target
(supervisord) never depended on Prometheus."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gameday.demo.stack import DemoStack
from gameday.execute.alerts import BLIND_AFTER
from gameday.execute.journal import JOURNAL, read_records
from gameday.execute.recover import outstanding
from gameday.score import score_journal
from tests.conftest import DATA
from tests.deadlines.harness import (
    env,
    record,
    run_freezing,
    thawed_afterwards,
    write_scenario,
)
from tests.monitoring.conftest import Monitoring

CONNECT, READ, ALERT_READ = 1.0, 2.0, 1.5
WINDOW, FAULT, RECOVERY, VERIFY = 2.0, 5.0, 20.0, 2.0
SLI_QUERIES = 1
"""PromQL requests after rollback that wait for their timeout while Prometheus is frozen:
the first; the runner asks no more once Prometheus did not answer."""
GRACE = 5.0


def args(stack: DemoStack, monitoring: Monitoring, source: str) -> tuple[str, ...]:
    p = stack.params()
    sets = {
        "frontend_url": p["frontend_url"],
        "supervisor_url": p["supervisor_url"],
        "prometheus_url": monitoring.prometheus,
        "alert_source": source,
    }
    if source == "alertmanager":
        sets["alert_url"] = monitoring.alertmanager
    return tuple(a for k, v in sets.items() for a in ("--set", f"{k}={v}"))


def timeouts(tmp_path: Path) -> dict[str, str]:
    return env(
        tmp_path,
        GAMEDAY_CONNECT_TIMEOUT=str(CONNECT),
        GAMEDAY_READ_TIMEOUT=str(READ),
        GAMEDAY_ALERT_READ_TIMEOUT=str(ALERT_READ),
    )


def test_prometheus_frozen_for_the_whole_fault(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    prometheus = [monitoring.processes[1].pid]
    with thawed_afterwards(prometheus):
        hung = run_freezing(
            DATA / "local" / "monitored-store-outage.yaml",
            tmp_path / "reports",
            timeouts(tmp_path),
            record("approval"),  # before steady state: frozen through inject, observe, revert
            prometheus,
            args=args(stack, monitoring, "prometheus"),
            case="prometheus/inject+observe+revert",
        )
    budget = WINDOW + FAULT + RECOVERY + VERIFY + SLI_QUERIES * (CONNECT + READ) + GRACE
    assert hung.hang_to_end < budget, f"{hung.hang_to_end:.1f}s"
    sources = hung.of("alert-source")  # the first read may beat the freeze by a few ms
    down = [r for r in sources if not r["reachable"]]
    assert down and sources[-1]["reachable"] is False, sources
    assert "Prometheus" in down[0]["error"] and "timeout" in down[0]["error"], down[0]
    assert not hung.of("alert-fired"), "an alert cannot be seen through a frozen Prometheus"
    slis = hung.of("sli-measured")
    assert slis and all("Prometheus" in str(s.get("error", "")) for s in slis), slis
    # one query runs into its timeout; the other SLOs are not asked again
    first = hung.records.index(slis[0])
    before = next(r["t"] for r in reversed(hung.records[:first]) if "t" in r)
    asking = slis[-1]["t"] - before
    assert asking < CONNECT + READ + 1.5, f"SLI measurement took {asking:.1f}s"
    assert hung.of("injection-reverted") and outstanding(hung.run_dir) == []


@pytest.mark.parametrize("source", ["prometheus", "alertmanager"])
def test_alert_source_frozen_mid_fault_then_back(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path, source: str
) -> None:
    frozen = [monitoring.processes[0 if source == "alertmanager" else 1].pid]
    with thawed_afterwards(frozen):
        hung = run_freezing(
            DATA / "local" / "monitored-store-outage.yaml",
            tmp_path / "reports",
            timeouts(tmp_path),
            record("injection-applied"),
            frozen,
            thaw_after=3.0,
            # a thawed Prometheus catches up on scrapes and rules first: leave the fault
            # in long enough to see it answer again on a loaded machine
            args=(*args(stack, monitoring, source), "--set", "fault_for=10s"),
            case=f"{source}/observe, back after 3s",
        )
    reachable = [r["reachable"] for r in hung.of("alert-source")]
    assert reachable == [True, False, True], hung.of("alert-source")
    down, back = hung.of("alert-source")[1:]
    assert back["t"] - down["t"] < 3.0 + ALERT_READ + GRACE
    assert hung.of("injection-reverted") and outstanding(hung.run_dir) == []
    # scored: the alert no rule defines was not seen, but the source was blind for a
    # while, so it is `unknown` (left out of detection), never a monitoring gap
    (scored,) = score_journal(read_records(hung.run_dir / JOURNAL)).scenarios
    alerts = {a.name: a.status for a in scored.alerts}
    assert alerts["StoreDataCorrupted"] == "unknown", scored.alerts
    assert not any(r.startswith("monitoring gap") for r in scored.reasons), scored.reasons
    assert any(r.startswith("detection unknown: alert StoreDataCorrupted") for r in scored.reasons)


def test_a_stop_condition_that_stays_unreadable_reverts_the_fault(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    """Fail safe: a PromQL stop condition that cannot be read for BLIND_AFTER seconds
    trips (the safety net is blind); a blip shorter than that does not (the frozen tests
    above thaw within it and are not aborted)."""
    scenario = yaml.safe_load((DATA / "local" / "promql-abort.yaml").read_text())
    scenario["abort_when"] = [{"promql": "vector(1) < 0", "for": "2s"}]  # never true
    path = write_scenario(tmp_path / "blind.yaml", scenario)
    p = stack.params()
    sets = {
        "frontend_url": p["frontend_url"],
        "supervisor_url": p["supervisor_url"],
        "prometheus_url": monitoring.prometheus,
    }
    prometheus = [monitoring.processes[1].pid]
    with thawed_afterwards(prometheus):
        hung = run_freezing(
            path,
            tmp_path / "reports",
            timeouts(tmp_path),
            record("injection-applied"),
            prometheus,
            args=tuple(a for k, v in sets.items() for a in ("--set", f"{k}={v}")),
            case="prometheus frozen under a stop condition",
        )
    assert hung.end["outcome"] == "aborted", hung.end
    assert "the stop condition cannot be checked" in hung.end["reason"], hung.end
    applied = hung.of("injection-applied")[0]["t"]
    reverted = hung.of("injection-reverted")[0]["t"]
    budget = BLIND_AFTER + 2.0 + CONNECT + READ + GRACE  # blind, then `for`, one slow read
    assert reverted - applied < budget, f"reverted {reverted - applied:.1f}s after injection"
    assert outstanding(hung.run_dir) == []
