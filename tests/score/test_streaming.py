"""Scoring a journal as a stream (issue #16: an 8-hour journal in bounded memory).

`tests/data/scoring/` holds journals scored by the previous, whole-journal-in-memory
scorer, each beside the report.json it wrote then (`run-*`: real runs of the local
drills in tests/execute and tests/dr; `hand-*`: journals of tests/score with breach
bounds, detection, an unreachable alert source, Prometheus SLIs, resumed attempts).
The streaming scorer must write the same reports, byte for byte, and keep the same
samples for the charts when a run is short.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gameday.execute.journal import iter_records, read_records
from gameday.model import journal as j
from gameday.model.journal_json import to_json
from gameday.model.outcomes import Outcome
from gameday.plugins.protocols import Sample
from gameday.render.report_json import render_json
from gameday.score import score_journal, score_stream
from gameday.scoring.samples import BUCKETS, SERIES_LIMIT, Series

CORPUS = Path(__file__).resolve().parents[1] / "data" / "scoring"
JOURNALS = sorted(CORPUS.glob("*.jsonl"))


def test_the_corpus_is_there() -> None:
    assert len(JOURNALS) >= 30
    assert sum(p.name.startswith("run-") for p in JOURNALS) >= 15


@pytest.mark.parametrize("path", JOURNALS, ids=lambda p: p.stem)
def test_streamed_scores_equal_the_previous_scorer(path: Path) -> None:
    expected = path.with_name(path.stem + ".report.json").read_text(encoding="utf-8")
    streamed = score_stream(lambda: iter_records(path))
    assert render_json(streamed) == expected
    assert render_json(score_journal(read_records(path))) == expected


@pytest.mark.parametrize("path", JOURNALS, ids=lambda p: p.stem)
def test_a_short_run_charts_every_sample(path: Path) -> None:
    records = read_records(path)
    card = score_stream(lambda: iter(records))
    for scenario in card.scenarios:
        # the attempt scored is the last one of its name (resumed runs start it again)
        first = max(
            i
            for i, r in enumerate(records)
            if isinstance(r, j.ScenarioStart) and r.scenario == scenario.name
        )
        for probe in scenario.probes:
            assert list(probe.samples) == samples_of(records, first, probe.name)


def samples_of(records: list[j.Record], first: int, probe: str) -> list[Sample]:
    found = []
    for record in records[first + 1 :]:
        if isinstance(record, j.ScenarioEnd | j.ScenarioStart):
            break
        if isinstance(record, j.Samples) and record.probe == probe:
            found += [Sample(r[0], bool(r[1]), r[2], r[3], r[4]) for r in record.s]
    return found


# -- an 8-hour journal -------------------------------------------------------------

HOURS, RATE = 8, 1
END = HOURS * 3600.0
INJECT = END / 2
OUTAGE = 30
"""The front end fails for 30 samples (30 s at 1 Hz) from the injection."""
SPEC: dict[str, Any] = {
    "name": "long",
    "fault": {"type": "process-kill"},
    "steady_state": {
        "probes": [{"name": n, "type": "http"} for n in ("frontend", "api", "db")],
    },
    "slos": [
        {"name": "availability", "kind": "availability", "probe": "frontend", "objective": 0.99},
        {"name": "p99", "kind": "latency", "probe": "api", "percentile": 99, "below": 0.5},
    ],
    "recovery": {"rto": 60, "stabilization": 5},
}


def latency(k: int) -> float:
    """2 ms plus 0 to 99 microseconds, in a pattern that repeats every 100 samples."""
    return round(0.002 + spread(k) * 1e-6, 6)


def spread(k: int) -> int:
    return k * 37 % 100


def long_journal(path: Path) -> None:
    events = [
        j.RunStart(name="long", kind="scenario", run_id="r", entries=(j.EntryData("long"),)),
        j.ScenarioStart(scenario="long", index=0, spec=SPEC),
        j.Phase(scenario="long", phase="steady-state"),
        j.Phase(t=INJECT, scenario="long", phase="inject"),
        j.InjectionApplied(
            t=INJECT,
            scenario="long",
            key="k",
            injection=j.InjectionData("process-kill", ("pid:1",)),
        ),
        j.FaultLanding(t=INJECT, scenario="long", key="k", confirmed=True, checked="gone"),
        j.InjectionReverted(t=INJECT + 10, scenario="long", key="k"),
        j.Phase(t=INJECT + 60, scenario="long", phase="verify"),
        j.Phase(t=END - 1, scenario="long", phase="rollback"),
        j.ScenarioEnd(t=END, scenario="long", outcome=Outcome.COMPLETED),
        j.RunEnd(t=END),
    ]
    with open(path, "w", encoding="utf-8") as out:
        for record in records(events):
            out.write(json.dumps(to_json(record), separators=(",", ":")) + "\n")


def records(events: list[j.Record]) -> Iterator[j.Record]:
    for k in range(0, int(END * RATE), 5):
        while events and events[0].t <= k / RATE:
            yield events.pop(0)
        for probe in ("frontend", "api", "db"):
            rows = []
            for i in range(k, k + 5):
                bad = probe == "frontend" and INJECT <= i / RATE < INJECT + OUTAGE
                rows.append((i / RATE, int(not bad), latency(i), None, None))
            yield j.Samples(scenario="long", probe=probe, s=tuple(rows))
    yield from events


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("long") / "journal.jsonl"
    long_journal(path)
    return path


def test_an_outage_in_the_middle_of_8_hours_is_scored(long_run: Path) -> None:
    passes = []

    def source() -> Iterator[j.Record]:
        passes.append(1)
        return iter_records(long_run)

    card = score_stream(source)
    assert len(passes) == 2  # the events, then the samples: never a list of the journal
    scenario = card.scenarios[0]
    front = next(p for p in scenario.probes if p.name == "frontend")
    # failing from INJECT for 30 s, closed by the next good answer (sent 30 s later,
    # answered after its latency)
    assert front.time_to_detect == 0.0
    assert front.outage_total == round(OUTAGE + latency(int(INJECT) + OUTAGE), 4)
    assert front.time_to_recover == front.outage_total
    assert scenario.recovery == "recovered"
    assert scenario.time_to_recover == front.time_to_recover
    steady = front.phases["steady-state"]
    # sent in [0, INJECT]: 14401 samples, the last one failed
    assert steady["samples"] == int(INJECT) + 1 and steady["good"] == int(INJECT)
    assert steady["p50"] == nearest(int(INJECT) + 1, 50)
    assert steady["p99"] == nearest(int(INJECT) + 1, 99)
    availability = scenario.slos[0]
    window = int(INJECT + 60 - INJECT) + 1  # samples sent in [inject, verify]
    assert availability.detail == f"{window - OUTAGE}/{window} good"
    assert availability.met is False
    assert scenario.slos[1].measured == nearest(window, 99)


def nearest(n: int, pct: float) -> float:
    """The nearest-rank percentile of the latencies of samples 0..n-1 (those of any
    window of n samples starting at a multiple of 100 s), by sorting them all."""
    ordered = sorted(latency(k) for k in range(n))
    return ordered[max(1, math.ceil(pct / 100 * n)) - 1]


def test_an_8_hour_chart_is_bounded_and_keeps_the_outage(long_run: Path) -> None:
    card = score_stream(lambda: iter_records(long_run))
    front = next(p for p in card.scenarios[0].probes if p.name == "frontend")
    assert len(front.samples) <= 7 * BUCKETS < HOURS * 3600 * RATE
    failed = [s.t for s in front.samples if not s.ok]
    assert failed[0] == INJECT and failed[-1] == INJECT + OUTAGE - 1
    back = next(s for s in front.samples if s.ok and s.t > INJECT)
    assert back.t == INJECT + OUTAGE  # the outage ends where it ended, not a bucket later
    assert front.samples[0].t == 0.0 and front.samples[-1].t == END - 1


def test_the_series_keeps_every_sample_up_to_its_limit_then_the_extremes() -> None:
    series = Series(0.0, 100.0)
    for k in range(SERIES_LIMIT):
        series.add(Sample(k * 100 / SERIES_LIMIT, True, 0.01))
    assert len(series.points()) == SERIES_LIMIT
    more = Series(0.0, 100.0)
    n = SERIES_LIMIT * 10
    for k in range(n):
        spike = 0.9 if k == n // 3 else 0.01
        more.add(Sample(k * 100 / n, k != n // 2, spike))
    points = more.points()
    assert len(points) <= 7 * BUCKETS
    assert [s.t for s in points] == sorted(s.t for s in points)
    assert any(not s.ok for s in points)  # one failure among 40,000 is still drawn
    assert max(s.latency or 0 for s in points) == 0.9  # and so is one slow answer


def test_a_window_asked_for_late_reads_the_samples_again(tmp_path: Path) -> None:
    """An expected breach judges SLOs from recovery on: a window only known after the
    sample pass. It is read in a pass of its own, and equals the in-memory result."""
    path = next(p for p in JOURNALS if "surprise-outage" in p.name or "store-outage" in p.name)
    passes = []

    def source() -> Iterator[j.Record]:
        passes.append(1)
        return iter_records(path)

    card = score_stream(source)
    assert len(passes) > 2
    assert card == score_journal(read_records(path))
    assert dataclasses.asdict(card)["scenarios"][0]["slos"]
