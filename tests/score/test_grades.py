"""Grades follow the verdict and the size of a breach; the formula is in the report so
a reader can redo it. Detection is unknown, not a gap, when the alert source was not
reachable throughout. Arithmetic written out."""

from __future__ import annotations

from typing import Any

import pytest

from gameday.render.html import render_html
from gameday.render.markdown import render_markdown
from gameday.score import score_journal
from tests.score.test_score import journal
from tests.score.test_score_prometheus import CLEAN, with_detection

AUDIT = {"acknowledged": 100, "missing": 5, "first_missing_t": 1.0, "last_missing_t": 1.5}


def data_loss(lost: float) -> list[dict[str, Any]]:
    return journal(CLEAN, rpo=1.0, audit={**AUDIT, "lost_span": lost})


def test_missing_the_rpo_by_6x_scores_far_below_missing_it_by_3_percent() -> None:
    (near,) = score_journal(data_loss(1.03)).scenarios
    (far,) = score_journal(data_loss(6.0)).scenarios
    # 3% over: data = 100 x (3 - 1.03) / (3 - 1) = 98.5; mean (100x40 + 100x30 + 98.5x15) / 85
    # = 99.7; cap 79 x (100 + 98.5) / 200 = 78.4 -> a C, not an A
    assert near.components["data"] == 98.5
    assert near.formula is not None and near.formula.mean == pytest.approx(99.7)
    assert (near.score, near.grade, near.verdict) == (78.4, "C", "fail")
    # 6x: data = 0 (past 3 x RPO); mean (100x40 + 100x30 + 0x15) / 85 = 82.4 (a B before);
    # cap 79 x (100 + 0) / 200 = 39.5 -> F
    assert far.formula is not None and far.formula.mean == pytest.approx(82.4)
    assert (far.score, far.grade) == (39.5, "F")


def test_missing_the_rto_by_6x_scores_far_below_missing_it_by_3_percent() -> None:
    # outage t=1.0..1.4, recovered 0.51 s after the fault
    outage = "." * 10 + "x" * 5 + "." * 25
    (near,) = score_journal(journal(outage, rto=0.51 / 1.03, objective=0.5)).scenarios
    (far,) = score_journal(journal(outage, rto=0.51 / 6, objective=0.5)).scenarios
    # SLO met (11/16 >= 50%). 3% over: recovery 98.5, mean (100x40 + 98.5x30) / 70 = 99.4,
    # cap 78.4. 6x over: recovery 0, mean (100x40 + 0x30) / 70 = 57.1, cap 39.5
    assert near.components["recovery"] == 98.5 and near.score == 78.4
    assert far.components["recovery"] == 0.0 and far.score == 39.5
    assert near.grade == "C" and far.grade == "F"


@pytest.mark.parametrize("pattern", ["." * 12 + "xx" + "." * 26, "." * 10 + "x" * 5 + "." * 25])
def test_a_failed_scenario_never_gets_an_a_or_b(pattern: str) -> None:
    for objective in (0.5, 0.8, 0.9, 0.99):
        for rto in (0.05, 0.4, 5.0):
            (s,) = score_journal(journal(pattern, objective=objective, rto=rto)).scenarios
            if s.verdict == "fail":
                assert s.grade not in ("A", "B") and s.score is not None and s.score < 80


def test_the_reports_show_the_formula_every_weight_and_value() -> None:
    card = score_journal(journal("." * 10 + "x" * 5 + "." * 25, objective=0.9, rto=0.2))
    md = render_markdown(card)
    assert (
        "- Score: (0 x 40 + 22.5 x 30) / 70 = 9.6; capped at 39.5 (missed SLO 'availability'" in md
    )
    assert (
        "  - recovery 22.5 x weight 30: recovered in 0.51s vs 0.2s: "
        "100 x (0.6 - 0.51) / (0.6 - 0.2) = 22.5" in md
    )
    assert "  - slo 0 x weight 40: mean of 'availability' 0" in md
    assert "Drill score = (s 9.6 x 1) / 1 = 9.6." in md
    # burn as a multiple of the budget, not a five-digit percentage: 3.125 -> 3.12x budget
    assert "3.12x budget" in md
    html = render_html(card)
    assert "(0 x 40 + 22.5 x 30) / 70 = 9.6" in html and "3.12x budget" in html


def test_an_alert_not_seen_while_its_source_was_unreachable_is_unknown_not_a_gap() -> None:
    records = with_detection(journal(CLEAN), ("StoreDown", 2.5))
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    records.insert(
        end,
        {
            "type": "alert-source",
            "t": 1.2,
            "scenario": "s",
            "url": "http://prom:9090",
            "reachable": False,
            "error": "Prometheus http://prom:9090: connection refused",
        },
    )
    (s,) = score_journal(records).scenarios
    by_name = {a.name: a for a in s.alerts}
    assert by_name["HighErrors"].status == "unknown"
    assert by_name["StoreDown"].status == "on time"  # it was seen: that stands
    # detection = StoreDown alone (100): the unknown one is left out, not scored 0
    assert s.components["detection"] == 100.0
    assert s.verdict == "inconclusive" and s.score is None
    assert any(
        r.startswith("detection unknown: alert HighErrors") and "connection refused" in r
        for r in s.reasons
    )


def test_a_watcher_that_answered_throughout_makes_a_silence_a_gap() -> None:
    records = with_detection(journal(CLEAN))
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    records.insert(
        end,
        {
            "type": "samples",
            "scenario": "s",
            "probe": "detection",
            "s": [[0.5 + i, 1, 0.01, 0.0, ""] for i in range(4)],
        },
    )
    (s,) = score_journal(records).scenarios
    assert {a.status for a in s.alerts} == {"missed"} and s.verdict == "fail"


def test_a_source_that_was_down_only_before_the_fault_can_still_show_a_gap() -> None:
    records = with_detection(journal(CLEAN))
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    records[end:end] = [
        {"type": "alert-source", "t": 0.2, "scenario": "s", "reachable": False, "error": "down"},
        {"type": "alert-source", "t": 0.7, "scenario": "s", "reachable": True},
        {
            "type": "samples",
            "scenario": "s",
            "probe": "detection",
            "s": [[0.8 + i, 1, 0.01, 0.0, ""] for i in range(4)],
        },
    ]
    (s,) = score_journal(records).scenarios
    # back before the injection at 1.0 and answering throughout: the silence is a real gap
    assert {a.status for a in s.alerts} == {"missed"}
    records.insert(
        end,
        {
            "type": "alert-source",
            "t": 1.5,
            "scenario": "s",
            "reachable": False,
            "error": "Prometheus http://prom: read timeout",
        },
    )
    (s,) = score_journal(records).scenarios
    assert {a.status for a in s.alerts} == {"unknown"}
