"""Rendering a report for a 1-hour run sampled at 10 Hz: 36,000 samples per probe,
3 probes, one fault window with outages. Prints render time and HTML size beside a
same-run baseline: the raw samples serialised as JSON (what embedding them would cost).
Targets: render under 2 s, report.html under 1.5 MB. Scoring is timed too: it uses
every sample (charts are downsampled, scores never are).
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gameday.render import render_all
from gameday.score import score_journal

SAMPLES, PROBES, EVERY = 36_000, 3, 0.1
TIME_TARGET, SIZE_TARGET = 2.0, 1.5 * 1024 * 1024


def journal() -> list[dict[str, Any]]:
    rng = random.Random(7)
    inject, revert = 1800.0, 2100.0
    probes = [{"name": f"probe-{i}", "type": "http"} for i in range(PROBES)]
    spec = {
        "name": "hour-long",
        "owner": "bench",
        "fault": {"type": "process-kill"},
        "steady_state": {"probes": probes},
        "slos": [
            {"name": "availability", "kind": "availability", "probe": "probe-0", "objective": 0.99},
            {
                "name": "latency",
                "kind": "latency",
                "probe": "probe-1",
                "percentile": 99,
                "below": 0.5,
            },
        ],
        "recovery": {"rto": 120.0, "stabilization": 5.0},
        "weights": {"slo": 40, "recovery": 30, "data": 15, "detection": 15},
    }
    records: list[dict[str, Any]] = [
        {
            "type": "run-start",
            "t": 0.0,
            "wall": 0.0,
            "run_id": "bench",
            "name": "hour-long",
            "kind": "scenario",
        },
        {"type": "scenario-start", "t": 0.0, "scenario": "hour-long", "spec": spec},
        {"type": "phase", "t": 0.0, "scenario": "hour-long", "phase": "steady-state"},
        {"type": "injection-planned", "t": inject, "scenario": "hour-long"},
        {"type": "phase", "t": inject, "scenario": "hour-long", "phase": "observe"},
        {
            "type": "injection-applied",
            "t": inject,
            "scenario": "hour-long",
            "injection": {"targets": ["pid:1 web"]},
        },
        {"type": "injection-reverted", "t": revert, "scenario": "hour-long"},
        {"type": "phase", "t": 3000.0, "scenario": "hour-long", "phase": "verify"},
    ]
    for p in probes:
        rows = []
        for i in range(SAMPLES):
            t = round(i * EVERY, 3)
            bad = inject <= t < inject + 45 or (inject <= t < revert and rng.random() < 0.02)
            latency = rng.lognormvariate(-3.5, 0.6) * (4 if inject <= t < revert else 1)
            rows.append([t, int(not bad), round(latency, 6), None, None if not bad else "HTTP 503"])
        for start in range(0, SAMPLES, 5):  # the runner flushes every 0.5 s: 5 samples a record
            records.append(
                {
                    "type": "samples",
                    "scenario": "hour-long",
                    "probe": p["name"],
                    "s": rows[start : start + 5],
                }
            )
    records.append(
        {
            "type": "scenario-end",
            "t": 3600.0,
            "scenario": "hour-long",
            "outcome": "completed",
            "reason": "",
        }
    )
    records.append({"type": "run-end", "t": 3600.0})
    return records


def main() -> int:
    records = journal()
    start = time.perf_counter()
    card = score_journal(records)
    scored = time.perf_counter() - start
    raw = [r for r in records if r["type"] == "samples"]
    start = time.perf_counter()
    raw_json = json.dumps(raw)
    baseline = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        paths = render_all(card, Path(out))
        took = time.perf_counter() - start
        size = paths["html"].stat().st_size
    print(f"render: {PROBES} probes x {SAMPLES:,} samples; scoring {scored:.2f}s (every sample)")
    print(f"render: all four reports {took:.2f}s, report.html {size / 1024:.0f} KiB")
    print(
        f"render: baseline, raw samples as JSON: {baseline:.2f}s, {len(raw_json) / 1024:.0f} KiB "
        f"({len(raw_json) / size:.0f}x the report)"
    )
    ok = took < TIME_TARGET and size < SIZE_TARGET
    print(f"render: target < {TIME_TARGET:g}s and < 1.5 MB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
