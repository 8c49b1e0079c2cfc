"""Charts a reader can trust, checked on the SVG itself: a time axis in seconds since the
scenario started, the fault window and each outage shaded, failed samples drawn in their
own lane and never joined by the latency line, and every moment of the journal
(approval, manual and recovery steps, notes, alerts firing and resolving) numbered on
the chart and listed under it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest

from gameday.plugins.protocols import Sample
from gameday.render import render_all
from gameday.render.charts import LEFT, RIGHT, WIDTH, downsample, outages, tick_step, timeline
from gameday.score import score_journal
from tests.score.test_score import journal

SVG = "{http://www.w3.org/2000/svg}"
OUTAGE = "." * 10 + "x" * 5 + "." * 25
"""Samples every 0.1 s from t=0: t=1.0..1.4 fail, fault window [1.0, 2.0]."""


def event(kind: str, t: float, **fields: Any) -> dict[str, Any]:
    return {"type": kind, "t": t, "scenario": "s", **fields}


def game_day_journal() -> list[dict[str, Any]]:
    """OUTAGE, with what a facilitated game day journals around it."""
    records = journal(OUTAGE)
    records[1]["spec"]["detection"] = {
        "source": "prometheus",
        "expect_alerts": [{"name": "WebDown", "within": 1.0, "labels": {}}],
    }
    end = next(i for i, r in enumerate(records) if r["type"] == "scenario-end")
    records[end:end] = [
        event("approval", 0.5, by="alex", go=True),
        event("alert-fired", 1.2, alert="WebDown", labels={}),
        event("note", 1.3, author="sam", text="pages <b>failing</b>"),
        event(
            "step-start", 2.05, section="recovery", index=0, name="call the DBA", step_type="manual"
        ),
        event(
            "step-end",
            2.6,
            section="recovery",
            index=0,
            name="call the DBA",
            ok=True,
            duration=0.55,
        ),
        event("alert-resolved", 2.7, alert="WebDown", labels={}),
        {
            "type": "samples",
            "scenario": "s",
            "probe": "detection",
            "s": [[t / 10, 1, 0.01, 0.0, ""] for t in range(0, 40, 5)],
        },
    ]
    return records


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_journals_moments_are_marked_in_time_order() -> None:
    (s,) = score_journal(game_day_journal()).scenarios
    assert [(m.t, m.kind) for m in s.marks] == [
        (0.5, "approval"),
        (1.0, "inject"),
        (1.2, "alert-fired"),
        (1.3, "note"),
        (1.51, "recovered"),
        (2.0, "revert"),
        (2.05, "manual"),
        (2.7, "alert-resolved"),
    ]
    manual = next(m for m in s.marks if m.kind == "manual")
    assert manual.end == 2.6 and manual.label == "recovery step call the DBA ok"


def test_the_chart_draws_axes_shading_failures_and_numbered_marks(tmp_path: Path) -> None:
    card = score_journal(game_day_journal())
    (s,) = card.scenarios
    (probe,) = s.probes
    root = parse(timeline(probe.samples, 0.0, 4.0, s.markers, "web (http)", s.marks))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    # a 4 s chart: a tick every 0.5 s (at most 8), labelled from 0s
    assert tick_step(4.0) == 0.5 and texts[:3] == ["0s", "0.5s", "1s"] and "4s" in texts
    assert "seconds since the scenario started" in texts and "failed" in texts
    rects = {r.get("class"): r for r in root.iter(f"{SVG}rect")}
    # the fault window spans inject 1.0 -> revert 2.0: a quarter of the plot's width
    plot = WIDTH - LEFT - RIGHT
    assert float(rects["fault"].get("width") or 0) == pytest.approx(plot / 4, abs=0.2)
    (title,) = [t.text for t in rects["outage"].iter(f"{SVG}title")]
    assert title == "outage 1.00s to 1.50s (0.50s)"  # first failure -> next success
    # five failed samples, each a tick in the failure lane; no line point at their times
    failed = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "bad"]
    assert len(failed) == 5
    bad_x = {float(ln.get("x1") or 0) for ln in failed}
    lines = [pl for pl in root.iter(f"{SVG}polyline") if pl.get("class") == "ok-line"]
    assert len(lines) == 2  # broken at the outage: before it and after it
    for polyline in lines:
        xs = [float(p.split(",")[0]) for p in (polyline.get("points") or "").split()]
        assert not any(min(xs) <= x <= max(xs) for x in bad_x), "a line through a failure"
    # every mark is numbered, in the order listed under the chart
    numbers = [t.text for t in root.iter(f"{SVG}text") if "num" in (t.get("class") or "")]
    assert numbers == [str(i) for i in range(1, len(s.marks) + 1)]
    html = render_all(card, tmp_path)["html"].read_text()
    listed = re.findall(r'<li class="m-([a-z-]+)"><span class="at">([\d.]+)s</span> ([^<]*)', html)
    assert [(kind, float(at)) for kind, at, _ in listed] == [(m.kind, m.t) for m in s.marks]
    assert "note 1 (sam): pages &lt;b&gt;failing&lt;/b&gt;" in html
    assert "recovery step call the DBA ok, took 0.55s" in html
    assert "approval: go from alex at 0.50s" in html  # scenario clock (it starts at 0 here)
    assert "- Approval: go from alex at 0.50s" in (tmp_path / "report.md").read_text()
    for legend in ("latency of successful samples", "failed sample", "fault window", "outage"):
        assert legend in html
    assert "manual step" in html and "alert resolved" in html


def test_marks_close_together_do_not_print_over_each_other() -> None:
    from gameday.model.scorecard import Mark

    marks = [Mark(1.0 + i * 0.001, "note", f"n{i}") for i in range(2)]
    root = parse(timeline([Sample(0.0, True, 0.01)], 0.0, 10.0, {}, "p", marks))
    nums = [t for t in root.iter(f"{SVG}text") if "num" in (t.get("class") or "")]
    assert len({t.get("y") for t in nums}) == 2  # the second number moved up a row


def test_an_outage_running_to_the_end_is_shaded_to_the_end() -> None:
    samples = [Sample(i * 0.1, i < 5, 0.01) for i in range(10)]
    assert outages(samples, 1.0) == [(0.5, 1.0)]


def test_downsampling_keeps_every_failure_visible() -> None:
    samples = [Sample(i * 0.1, i != 12_345, 0.01) for i in range(36_000)]
    kept = downsample(samples, 0.0, 3_600.0, columns=760)
    assert len(kept) <= 760
    assert any(not s.ok for s in kept)
