"""`--push-metrics URL`: drill results pushed to a Prometheus Pushgateway, so game-day
scores, recovery times and detection times can be graphed and alerted on like any
other metric. Grouped by drill: each push replaces that drill's previous results.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

from gameday.errors import TargetError
from gameday.interop.faultwindows import fault_windows
from gameday.model.scorecard import Scorecard

NOT_JUDGED = ("error", "inconclusive", "dry-run")
"""Verdicts left out of `gameday_scenario_pass` (pass rates), as from the index's trends."""


def registry_for(card: Scorecard) -> CollectorRegistry:
    registry = CollectorRegistry()

    def gauge(name: str, doc: str, labels: tuple[str, ...] = ()) -> Gauge:
        return Gauge(name, doc, labels, registry=registry)

    run_time = gauge("gameday_run_timestamp_seconds", "When the run started (Unix time).")
    run_time.set(card.started_wall)
    drill = gauge("gameday_drill_score", "Drill score, 0-100 (absent: nothing scored).")
    passed = gauge("gameday_drill_pass", "1 if every scenario passed.")
    passed.set(1.0 if card.verdict == "pass" else 0.0)
    if card.score is not None:
        drill.set(card.score)
    score = gauge("gameday_scenario_score", "Scenario score, 0-100.", ("scenario", "fault"))
    ok = gauge(
        "gameday_scenario_pass",
        "1 if the scenario passed, 0 if not; absent when it could not be judged.",
        ("scenario", "fault"),
    )
    ttr = gauge("gameday_time_to_recover_seconds", "Measured time to recover.", ("scenario",))
    rto = gauge("gameday_rto_seconds", "The scenario's recovery time objective.", ("scenario",))
    ttd = gauge(
        "gameday_time_to_detect_seconds",
        "Injection to expected alert firing.",
        ("scenario", "alert"),
    )
    gap = gauge(
        "gameday_monitoring_gap", "1 if an expected alert never fired.", ("scenario", "alert")
    )
    burned = gauge(
        "gameday_error_budget_burned_ratio",
        "Error budget burned in the fault window.",
        ("scenario", "slo"),
    )
    verdict = gauge(
        "gameday_scenario_verdict",
        "1 for the scenario's verdict (pass, fail, inconclusive, aborted, error, not-run).",
        ("scenario", "fault", "verdict"),
    )
    _fault_windows(registry, card)
    for s in card.scenarios:
        verdict.labels(s.name, s.fault, s.verdict).set(1.0)
        if s.verdict not in NOT_JUDGED:  # an error says nothing about resilience
            ok.labels(s.name, s.fault).set(1.0 if s.verdict == "pass" else 0.0)
        if s.score is not None:
            score.labels(s.name, s.fault).set(s.score)
        if s.time_to_recover is not None:
            ttr.labels(s.name).set(s.time_to_recover)
        if s.rto is not None:
            rto.labels(s.name).set(s.rto)
        for alert in s.alerts:
            gap.labels(s.name, alert.name).set(1.0 if alert.status == "missed" else 0.0)
            if alert.time_to_detect is not None:
                ttd.labels(s.name, alert.name).set(alert.time_to_detect)
        for slo in s.slos:
            if slo.budget_consumed is not None:
                burned.labels(s.name, slo.name).set(slo.budget_consumed)
    return registry


def _fault_windows(registry: CollectorRegistry, card: Scorecard) -> None:
    """When each fault was in place, for dashboards to overlay (interop/faultwindows.py)."""
    labels = ("scenario", "fault")
    start = Gauge(
        "gameday_fault_start_timestamp_seconds",
        "When the scenario's fault was injected (Unix time).",
        labels,
        registry=registry,
    )
    end = Gauge(
        "gameday_fault_end_timestamp_seconds",
        "When the scenario's fault was reverted (Unix time).",
        labels,
        registry=registry,
    )
    for window in fault_windows(card):
        start.labels(window.scenario, window.fault).set(window.start)
        end.labels(window.scenario, window.fault).set(window.end)


def push(card: Scorecard, url: str) -> None:
    try:
        push_to_gateway(
            url, job="gameday", registry=registry_for(card), grouping_key={"drill": card.name}
        )
    except OSError as exc:
        raise TargetError(
            f"cannot push metrics to {url}: {exc}",
            hint="check --push-metrics (a Pushgateway URL, e.g. http://pushgateway:9091); "
            "the reports were written all the same",
        ) from None
