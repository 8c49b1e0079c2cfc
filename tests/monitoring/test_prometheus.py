"""Against a real Prometheus and Alertmanager scraping the demo stack: PromQL SLIs are
measured, the StoreDown alert fires and its time to detect is reported, an alert no rule
defines is reported as a monitoring gap, and a PromQL stop condition aborts the fault."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.model.scorecard import ScenarioScore
from gameday.render import render_all
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import DATA
from tests.monitoring.conftest import Monitoring


def run(
    name: str, stack: DemoStack, monitoring: Monitoring, tmp_path: Path, **params: Any
) -> tuple[ScenarioScore, Path]:
    p = stack.params()
    subject = load(
        DATA / "local" / name,
        {
            "frontend_url": p["frontend_url"],
            "supervisor_url": p["supervisor_url"],
            "prometheus_url": monitoring.prometheus,
            **params,
        },
    )
    log = io.StringIO()
    run_dir, _ = execute(
        subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=log, width=200))
    )
    card = score_journal(read_journal(run_dir / JOURNAL))
    render_all(card, run_dir)
    (scenario,) = card.scenarios
    return scenario, run_dir


@pytest.mark.parametrize("source", ["prometheus", "alertmanager"])
def test_store_outage_fires_a_real_alert_and_reports_time_to_detect(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path, source: str
) -> None:
    url = monitoring.alertmanager if source == "alertmanager" else None
    s, run_dir = run(
        "monitored-store-outage.yaml",
        stack,
        monitoring,
        tmp_path,
        alert_source=source,
        alert_url=url,
    )
    assert s.outcome == "completed", s.reasons
    alerts = {a.name: a for a in s.alerts}
    store_down = alerts["StoreDown"]
    assert store_down.status == "on time", store_down
    assert store_down.time_to_detect is not None and 0 < store_down.time_to_detect <= 10
    assert alerts["StoreDataCorrupted"].status == "missed"
    assert any(r.startswith("monitoring gap: alert StoreDataCorrupted") for r in s.reasons)
    assert s.components["detection"] == pytest.approx(50.0)  # one on time, one missed
    print(f"\n{source}: StoreDown detected {store_down.time_to_detect:.2f}s after injection")

    report = json.loads((run_dir / "report.json").read_text())
    (scenario,) = report["scenarios"]
    assert scenario["alerts"][0]["name"] == "StoreDown"
    html = (run_dir / "report.html").read_text()
    assert "StoreDown" in html and f"{store_down.time_to_detect:.2f}s" in html
    assert "monitoring gap" in (run_dir / "report.md").read_text()


def test_promql_slis_are_measured_from_the_demo_metrics(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    s, _ = run("monitored-store-outage.yaml", stack, monitoring, tmp_path)
    slos = {x.name: x for x in s.slos}
    prom = slos["availability (Prometheus)"]
    probe = slos["availability (probe)"]
    assert prom.measured is not None and prom.measured < 0.99  # the outage burned budget
    assert prom.budget_consumed is not None and prom.budget_consumed > 1.0
    assert prom.met is False and probe.met is False
    assert "(Prometheus)" in prom.detail
    latency = slos["p99 latency (Prometheus)"]
    assert latency.measured is not None and latency.measured < 2.0 and latency.met
    burn = slos["burn rate"]
    assert burn.met is False and burn.measured is not None and burn.measured > 1.0
    scrapes = slos["store scrapes"]
    assert scrapes.met is False and scrapes.measured == 0.0  # the store was down, so up == 0


def test_a_query_that_returns_no_series_is_an_error_not_a_pass(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    source = (DATA / "local" / "monitored-store-outage.yaml").read_text()
    (tmp_path / "typo.yaml").write_text(
        source.replace("metric: gameday_demo_request_duration_seconds", "metric: gameday_demo_typo")
    )
    p = stack.params()
    subject = load(
        tmp_path / "typo.yaml",
        {
            "frontend_url": p["frontend_url"],
            "supervisor_url": p["supervisor_url"],
            "prometheus_url": monitoring.prometheus,
            "fault_for": "1s",
        },
    )
    run_dir, _ = execute(
        subject, tmp_path / "r", RunOptions(), PlainView(Console(file=io.StringIO()))
    )
    (s,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    latency = next(x for x in s.slos if x.name == "p99 latency (Prometheus)")
    assert latency.met is False and latency.score == 0.0
    assert "gameday_demo_typo_bucket" in latency.detail and "hint:" in latency.detail
    assert s.verdict == "fail"


def test_promql_stop_condition_reverts_at_once(
    stack: DemoStack, monitoring: Monitoring, tmp_path: Path
) -> None:
    s, _ = run("promql-abort.yaml", stack, monitoring, tmp_path)
    assert s.outcome == "aborted" and "abort-promql-1" in s.reasons[0]
    assert s.abort_reaction is not None and s.abort_reaction < 1.0
    assert s.markers["abort"] - s.markers["inject"] < 15  # not the 60 s fault duration
    print(
        f"\nPromQL abort: condition tripped -> fault reverted in {s.abort_reaction * 1000:.0f} ms"
    )
