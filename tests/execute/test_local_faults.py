"""Real scenarios against the real demo stack: each fault's effect is observed by a
probe, each revert restores the prior state, and a fault that hits nothing says so."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import psutil
import pytest

from gameday.demo.stack import BACKUP_EVERY, DemoStack
from tests.conftest import DATA, ROOT

LOCAL = ROOT / "scenarios" / "local"
TESTS = DATA / "local"


def program(stack: DemoStack, name: str) -> dict[str, Any]:
    infos = stack.rpc().supervisor.getAllProcessInfo()
    return next(i for i in infos if i["name"] == name)


def toxics(stack: DemoStack) -> dict[str, Any]:
    with urllib.request.urlopen(stack.params()["proxy_admin"] + "/routes") as response:
        return {name: route["toxics"] for name, route in json.load(response).items()}


def test_outage_measurement_matches_the_true_outage(run_scenario: Any, stack: DemoStack) -> None:
    ran = run_scenario(TESTS / "pause-frontend.yaml", pause="2s")
    applied = ran.events("injection-applied")[0]["t"]
    reverted = ran.events("injection-reverted")[0]["t"]
    true_outage = reverted - applied
    frontend = ran.probe("frontend")
    print(
        f"\noutage: true {true_outage:.3f}s (SIGSTOP..SIGCONT), measured {frontend.outage_total:.3f}s, "
        f"difference {frontend.outage_total - true_outage:+.3f}s, probe interval 0.100s"
    )
    assert abs(frontend.outage_total - true_outage) <= 0.1
    assert frontend.outage_longest == frontend.outage_total  # one continuous outage
    assert psutil.Process(program(stack, "frontend")["pid"]).status() != psutil.STATUS_STOPPED
    assert ran.scenario.outcome == "completed"


def test_replica_kill_is_seen_by_the_process_probe_and_supervisor_replaces_it(
    run_scenario: Any, stack: DemoStack
) -> None:
    before = {program(stack, n)["pid"] for n in ("web-1", "web-2")}
    ran = run_scenario(LOCAL / "web-replica-kill.yaml")
    killed = ran.scenario.evidence["signalled"]
    assert len(killed) == 1 and killed[0] in before
    replicas = ran.probe("web-replicas")
    seen = [s.detail for s in replicas.samples]
    assert any(str(killed[0]) in d for d in seen[:5])  # the probe saw it alive before
    after = [d for d in seen[-5:]]
    assert all(
        str(killed[0]) not in d and d.startswith("2 running") for d in after
    )  # ...and replaced
    assert ran.probe("frontend").outage_total == 0.0  # the front end retried on the other replica
    assert ran.scenario.verdict == "pass", ran.scenario.reasons


def test_latency_is_seen_in_probe_latency_and_removed(run_scenario: Any, stack: DemoStack) -> None:
    ran = run_scenario(LOCAL / "frontend-latency.yaml")
    phases = ran.probe("frontend").phases
    assert phases["steady-state"]["p50"] < 0.1
    assert 0.2 <= phases["observe"]["p50"] <= 0.35  # 250ms +/- 50ms added
    assert phases["verify"]["p50"] < 0.1
    assert toxics(stack) == {"frontend": {}, "store": {}}


@pytest.mark.parametrize(("mode", "detail"), [("status", "HTTP 503"), ("reset", "Error")])
def test_http_errors_fail_about_the_ratio_of_requests(
    run_scenario: Any, stack: DemoStack, mode: str, detail: str
) -> None:
    ran = run_scenario(TESTS / "http-errors.yaml", ratio="50%", mode=mode)
    during = ran.during_fault("frontend")
    bad = [s for s in during if not s.ok]
    assert 0.25 <= len(bad) / len(during) <= 0.75, f"{len(bad)}/{len(during)}"
    assert all(detail in (s.detail or "") for s in bad), {s.detail for s in bad}
    assert (
        ran.probe("frontend").phases["verify"]["good"]
        == ran.probe("frontend").phases["verify"]["samples"]
    )
    assert toxics(stack) == {"frontend": {}, "store": {}}


def test_abort_when_reverts_at_once_and_reports_reaction_time(
    run_scenario: Any, stack: DemoStack
) -> None:
    ran = run_scenario(TESTS / "http-errors.yaml", ratio="100%", fault_for="20s")
    s = ran.scenario
    assert s.outcome == "aborted" and s.verdict == "aborted"
    assert s.abort_condition is not None and s.abort_condition.startswith("abort_when tripped")
    # recovery is still verified after the revert: every frontend sample good again
    (verify,) = ran.events("verify")
    assert verify["ok"] and s.recovery == "recovered", s.reasons
    assert s.reasons[0].endswith("; recovered after the revert")
    observe = s.markers["revert"] - s.markers["inject"]
    print(
        f"\nabort reaction (condition true -> revert complete): {s.abort_reaction * 1000:.1f}ms; "
        f"fault lasted {observe:.2f}s of the 20s planned"
    )
    assert s.abort_reaction < 1.0 and observe < 3.0
    assert toxics(stack) == {"frontend": {}, "store": {}}


def test_dependency_outage_burns_budget_and_restarts_the_store(
    run_scenario: Any, stack: DemoStack
) -> None:
    ran = run_scenario(LOCAL / "store-outage.yaml")
    frontend = ran.probe("frontend")
    assert frontend.time_to_detect is not None and frontend.time_to_detect < 0.5
    assert 2.5 <= frontend.outage_total <= 4.0  # the store was stopped for 3s
    assert program(stack, "store")["statename"] == "RUNNING"
    # the breach is the hypothesis (`expect.breach`): the SLO holds once the store is back,
    # the fault window burned well over the budget, within the declared bounds
    slo = ran.scenario.slos[0]
    assert slo.met is True and slo.budget_consumed is not None and slo.budget_consumed > 1
    assert [(b.name, b.held) for b in ran.scenario.bounds] == [
        ("time to detect", True),
        ("time to recover", True),
    ], ran.scenario.bounds
    assert ran.scenario.landing is not None and ran.scenario.landing.confirmed is True
    assert ran.scenario.verdict == "pass", ran.scenario.reasons
    assert (
        ran.scenario.time_to_recover is not None and ran.scenario.time_to_recover < ran.scenario.rto
    )


def test_data_loss_is_measured_from_the_writes_themselves(
    run_scenario: Any, stack: DemoStack
) -> None:
    ran = run_scenario(LOCAL / "store-data-loss.yaml")
    (audit_event,) = ran.events("data-audit")
    audit = audit_event["audit"]
    inject = ran.scenario.markers["inject"]
    assert audit["acknowledged"] > 30
    if audit["missing"]:
        # Lost writes are the acknowledged ones between the last backup and the deletion.
        assert (
            inject - BACKUP_EVERY - 0.2
            <= audit["first_missing_t"]
            <= audit["last_missing_t"]
            <= inject
        )
        assert audit["lost_span"] <= BACKUP_EVERY + 0.2
    assert ran.scenario.data_lost == audit["lost_span"]
    assert Path(stack.params()["data_file"]).exists()  # restored by the runbook step
    print(
        f"\ndata lost: {audit['missing']} of {audit['acknowledged']} acknowledged writes, "
        f"span {audit['lost_span']:.2f}s"
    )


@pytest.mark.parametrize("engine", ["stress-ng", "python"])
def test_cpu_stress_processes_appear_then_vanish(run_scenario: Any, engine: str) -> None:
    ran = run_scenario(
        TESTS / "stress.yaml",
        fault="cpu-stress",
        fault_params={"workers": 1, "load": "50%", "max_duration": "1m", "engine": engine},
    )
    assert max(s.value or 0 for s in ran.during_fault("stressors")) >= 1
    assert ran.probe("stressors").samples[-1].value == 0
    assert ran.scenario.evidence["engine"] == engine


def test_memory_stress_holds_memory_then_releases(run_scenario: Any) -> None:
    ran = run_scenario(
        TESTS / "stress.yaml",
        fault="memory-stress",
        fault_params={"size": "64MiB", "max_duration": "1m"},
    )
    assert max(s.value or 0 for s in ran.during_fault("stressors")) >= 1
    assert ran.probe("stressors").samples[-1].value == 0


def test_disk_fill_grows_the_directory_then_removes_the_file(
    run_scenario: Any, tmp_path: Path
) -> None:
    fill_dir = tmp_path / "fill"
    fill_dir.mkdir()
    ran = run_scenario(TESTS / "disk-fill.yaml", fill_dir=str(fill_dir), size="8MiB")
    sizes = ran.probe("dir-bytes").samples
    baseline, peak, final = (
        sizes[0].value,
        max(s.value or 0 for s in ran.during_fault("dir-bytes")),
        sizes[-1].value,
    )
    assert peak - baseline >= 8 * 1024 * 1024
    assert final == baseline and list(fill_dir.iterdir()) == []


def test_a_fault_that_hits_nothing_is_reported_and_nothing_is_injected(run_scenario: Any) -> None:
    ran = run_scenario(TESTS / "kill-nothing.yaml")
    s = ran.scenario
    assert (s.outcome, s.verdict, s.score) == ("not-run", "not-run", None)
    assert "selected nothing (pattern=no-such-process-[g]ameday-7f3a)" in s.reasons[0]
    assert ran.events("injection-planned") == []


def test_steady_state_not_met_means_not_run(run_scenario: Any, tmp_path: Path) -> None:
    ran = run_scenario(TESTS / "unsteady.yaml")
    assert (
        ran.scenario.outcome == "not-run"
        and "steady state not met: closed 0/" in ran.scenario.reasons[0]
    )
    assert ran.events("injection-planned") == []


def test_dry_run_plans_and_checks_steady_state_but_injects_nothing(
    run_scenario: Any, stack: DemoStack
) -> None:
    before = {program(stack, n)["pid"] for n in ("web-1", "web-2")}
    ran = run_scenario(LOCAL / "web-replica-kill.yaml", dry_run=True)
    (plan,) = ran.events("plan")
    (target,) = plan["injection"]["targets"]
    assert re.fullmatch(r"pid:\d+ web:web-[12]", target) and int(target[4:].split()[0]) in before
    assert ran.scenario.outcome == "dry-run" and ran.events("injection-planned") == []
    assert {program(stack, n)["pid"] for n in ("web-1", "web-2")} == before
    assert "process-kill would touch 1: pid:" in ran.log


def test_the_journal_alone_re_renders_the_same_report(run_scenario: Any) -> None:
    from gameday.execute.journal import read_journal
    from gameday.render.report_json import render_json
    from gameday.score import score_journal

    ran = run_scenario(TESTS / "pause-frontend.yaml", pause="500ms")
    first = render_json(score_journal(read_journal(ran.run_dir / "journal.jsonl")))
    second = render_json(score_journal(read_journal(ran.run_dir / "journal.jsonl")))
    assert first == second


def test_an_expected_breach_that_does_not_happen_is_a_surprise(
    run_scenario: Any, stack: DemoStack
) -> None:
    ran = run_scenario(TESTS / "surprise-outage.yaml")
    s = ran.scenario
    assert s.landing is not None and s.landing.confirmed is True, s.landing  # web-2 was down
    assert s.recovery == "no impact observed" and s.time_to_recover is None
    assert (s.verdict, s.score) == ("inconclusive", None), s.reasons
    assert s.reasons[0].startswith("no impact observed although the scenario expects a breach")
    assert program(stack, "web-2")["statename"] == "RUNNING"
