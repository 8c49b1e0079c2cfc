"""Recovery times that add up: every SLO probe counts, "no impact observed" is said as
such, the phases from the journal sum to the time to recover, and a fault held longer
than declared is shown. Journals shaped like the runner's; arithmetic written out."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.model.scorecard import ScenarioScore
from gameday.render.markdown import render_markdown
from gameday.score import score_journal
from tests.score.test_score import journal


def phases(s: ScenarioScore) -> list[tuple[str, object]]:
    """(label, duration) of each phase, to compare with pytest.approx durations."""
    return [(p.label, p.duration) for p in s.phases]


def with_second_probe(records: list[dict[str, Any]], pattern: str) -> list[dict[str, Any]]:
    """Adds probe `api` (sampled every 0.1 s from t=0, latency 0.01) with its own SLO."""
    spec = records[1]["spec"]
    spec["steady_state"]["probes"].append({"name": "api", "type": "http"})
    spec["slos"].append(
        {"name": "api availability", "kind": "availability", "probe": "api", "objective": 0.5}
    )
    rows = [[round(i * 0.1, 6), int(c == "."), 0.01, None, None] for i, c in enumerate(pattern)]
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    records.insert(end, {"type": "samples", "scenario": "s", "probe": "api", "s": rows})
    return records


def insert_before_end(records: list[dict[str, Any]], *events: dict[str, Any]) -> None:
    end = next(i for i, r in enumerate(records) if r["type"] == "samples")
    records[end:end] = [{"scenario": "s", **e} for e in events]


def test_time_to_recover_waits_for_every_slo_probe_and_the_phases_sum_to_it() -> None:
    # web fails t=1.0..1.4 and is back when the sample sent at 1.5 answers (1.51);
    # api fails t=1.2..2.1 and is back at 2.2 + 0.01 = 2.21: the service recovered at 2.21
    records = with_second_probe(
        journal("." * 10 + "x" * 5 + "." * 25, rto=2.0),
        "." * 12 + "x" * 10 + "." * 18,
    )
    insert_before_end(
        records,
        {"type": "step-start", "t": 2.05, "section": "recovery", "index": 0, "name": "restart"},
        {
            "type": "step-end",
            "t": 2.15,
            "section": "recovery",
            "index": 0,
            "name": "restart",
            "ok": True,
            "detail": "",
            "duration": 0.1,
        },
    )
    (s,) = score_journal(records).scenarios
    web, api = s.probes
    assert web.time_to_recover == pytest.approx(0.51) and api.time_to_recover == pytest.approx(1.21)
    # the headline is the slowest SLO probe, not the first one listed: 2.21 - 1.0 = 1.21
    assert s.time_to_recover == pytest.approx(1.21)
    # phases, cut at the revert (2.0), the step's start (2.05) and end (2.15), recovered 2.21:
    # 1.0 -> 2.0 = 1.0, 2.0 -> 2.05 = 0.05, 2.05 -> 2.15 = 0.1, 2.15 -> 2.21 = 0.06
    assert phases(s) == [
        ("fault in place until reverted", pytest.approx(1.0)),
        ("until recovery step 'restart' started", pytest.approx(0.05)),
        ("recovery step 'restart'", pytest.approx(0.1)),
        ("until every SLO probe held again (api last)", pytest.approx(0.06)),
    ]
    assert sum(p.duration for p in s.phases) == pytest.approx(s.time_to_recover)
    md = render_markdown(score_journal(records))
    assert "- Time to recover: 1.21s (RTO 2.00s)" in md
    assert "  - 0.10s recovery step 'restart'" in md


def test_detection_by_alert_is_the_first_phase() -> None:
    records = journal("." * 10 + "x" * 5 + "." * 25, rto=2.0)
    records[1]["spec"]["detection"] = {
        "source": "prometheus",
        "expect_alerts": [{"name": "WebDown", "within": 1.0, "labels": {}}],
    }
    insert_before_end(records, {"type": "alert-fired", "t": 1.3, "alert": "WebDown", "labels": {}})
    # the watcher answered every second through the fault: the source was reachable
    insert_before_end(
        records,
        {
            "type": "samples",
            "probe": "detection",
            "s": [[t, 1, 0.01, 0.0, ""] for t in (0.5, 1.5, 2.5, 3.5)],
        },
    )
    (s,) = score_journal(records).scenarios
    # injected 1.0, alert 1.3, web back at 1.51: 0.3 + 0.21 = 0.51
    assert phases(s) == [
        ("until detected: alert WebDown", pytest.approx(0.3)),
        ("until every SLO probe held again (web last)", pytest.approx(0.21)),
    ]


def test_no_impact_is_said_never_as_zero_seconds() -> None:
    card = score_journal(journal("." * 40))
    (s,) = card.scenarios
    assert (s.recovery, s.time_to_recover, s.phases) == ("no impact observed", None, ())
    assert s.probes[0].time_to_recover is None and not s.probes[0].impact
    md = render_markdown(card)
    assert "- Time to recover: no impact observed (RTO 2.00s)" in md and "0.00s (RTO" not in md


def test_a_fault_held_longer_than_declared_is_shown() -> None:
    records = journal("." * 40)
    records[1]["spec"]["fault"]["duration"] = 0.3
    # injected at 1.0, reverted at 2.0: held 1.0s; declared 0.3s (+10% + 0.5s = 0.83s allowed)
    (s,) = score_journal(records).scenarios
    assert (s.fault_held, s.fault_declared) == (1.0, 0.3)
    assert "Fault held 1.00s, 0.70s longer than the declared 0.3s" in render_markdown(
        score_journal(records)
    )
    records[1]["spec"]["fault"]["duration"] = 1.0
    assert "Fault held" not in render_markdown(score_journal(records))
