"""Scoring and rendering a long run in bounded memory (issue #16): the peak RSS of
`gameday report` on an 8-hour journal must be flat against a 1-hour one.

Two synthetic journals, 1 h and 8 h of three probes at 10 Hz (108,000 and 864,000
samples), with the fault and a 20 s outage of the front end in the middle of the run.
The lines are written directly, in the journal writer's exact format (the record
classes and `to_json`, batches of 5 samples per probe as the writer flushes them
every 0.5 s at 10 Hz): feeding 864,000 samples through `JournalWriter` on its wall
clock would take most of the benchmark's budget. Each journal is scored and rendered
(report.json, .md, .html with its charts) by `pipeline.finish` in its own child
process, which reports its peak RSS (`ru_maxrss`) and CPU time. The same-run baseline
is the 1-hour journal (and, for scale, the previous design on it: the whole journal
read into a list, then scored).

Targets: the 8-hour peak RSS within 10% or 4 MiB (whichever is larger) of the 1-hour
one; the 8-hour report finds the outage (20 s, probe `frontend`). Also printed: CPU
seconds per 100,000 samples scored.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from gameday.model import journal as j
from gameday.model.journal_json import to_json
from gameday.model.outcomes import Outcome
from gameday.model.scenario import Scenario, to_jsonable
from gameday.validate import load

ROOT = Path(__file__).resolve().parents[1]
RATE, BATCH = 10, 5
OUTAGE = 20.0
"""Seconds the front end fails, starting at the injection in the middle of the run."""
PROBES = ("frontend", "web-replicas", "api")
NAME = "web-replica-kill"
LATENCY = random.Random(16)


def spec() -> dict[str, Any]:
    scenario = load(ROOT / "scenarios" / "local" / "web-replica-kill.yaml")
    assert isinstance(scenario, Scenario)
    data: dict[str, Any] = to_jsonable(scenario)
    probes = data["steady_state"]["probes"]
    probes.append({**probes[0], "name": "api"})
    for probe in probes:
        probe["every"] = 1 / RATE
    return data


def line(record: j.Record) -> str:
    return json.dumps(to_json(record), separators=(",", ":"), default=str) + "\n"


def events(hours: float) -> list[j.Record]:
    """A run of `hours`: steady state, the fault in the middle (the front end fails for
    OUTAGE seconds from the injection), verification until the end."""
    end = hours * 3600.0
    inject = round(end / 2, 6)
    injection = j.InjectionData("process-kill", ("pid:1 web",))
    return [
        j.RunStart(run_id="bench", name=NAME, kind="scenario", entries=(j.EntryData(NAME),)),
        j.ScenarioStart(scenario=NAME, index=0, spec=spec()),
        j.Phase(scenario=NAME, phase="steady-state"),
        j.Phase(t=inject, scenario=NAME, phase="inject"),
        j.InjectionPlanned(t=inject, scenario=NAME, key="k", injection=injection),
        j.InjectionApplied(t=inject, scenario=NAME, key="k", injection=injection),
        j.FaultLanding(t=inject, scenario=NAME, key="k", confirmed=True, checked="replica gone"),
        j.Phase(t=inject, scenario=NAME, phase="observe"),
        j.InjectionReverted(t=inject + 3, scenario=NAME, key="k"),
        j.Phase(t=inject + 3, scenario=NAME, phase="recover"),
        j.Phase(t=inject + 40, scenario=NAME, phase="verify"),
        j.Phase(t=end - 1, scenario=NAME, phase="rollback"),
        j.ScenarioEnd(t=end, scenario=NAME, outcome=Outcome.COMPLETED),
        j.RunEnd(t=end),
    ]


def generate(path: Path, hours: float) -> int:
    """Writes the journal of `events(hours)` with its samples, each event where the
    writer would put it (after the batches sent before it). Returns the sample count."""
    pending = events(hours)
    inject = next(r.t for r in pending if isinstance(r, j.InjectionApplied))
    steps, seq, total = int(hours * 3600 * RATE), 0, 0
    with open(path, "w", encoding="utf-8") as out:
        for first in range(0, steps, BATCH):
            while pending and pending[0].t <= first / RATE:
                seq += 1
                record = pending.pop(0)
                out.write(line(dataclasses.replace(record, seq=seq, wall=1.8e9 + record.t)))
            for probe in PROBES:
                seq += 1
                rows = [row(probe, k, inject) for k in range(first, min(first + BATCH, steps))]
                out.write(line(j.Samples(seq=seq, scenario=NAME, probe=probe, s=tuple(rows))))
                total += len(rows)
        for record in pending:
            seq += 1
            out.write(line(dataclasses.replace(record, seq=seq, wall=1.8e9 + record.t)))
    return total


def row(probe: str, k: int, inject: float) -> j.SampleRow:
    """Sample `k` of a probe: good, with a latency like an HTTP probe's (log-normal
    around 3 ms, rounded to the microsecond as the writer rounds it: the percentiles
    are exact, so the spread of latencies is what they cost), except the front end's
    from the injection for OUTAGE seconds."""
    t = round(k / RATE + 0.01, 6)
    bad = probe == "frontend" and inject <= t < inject + OUTAGE
    latency = round(LATENCY.lognormvariate(math.log(0.003), 0.6), 6)
    return (t, 0 if bad else 1, latency, None if bad else 200.0, "HTTP 200")


def child(run_dir: str, held: bool) -> None:
    """Scores and renders one run directory; prints peak RSS (KiB) and CPU seconds.
    `held`: the previous design, every record read into a list and then scored."""
    from gameday.pipeline import finish

    cpu = time.process_time()
    if held:
        from gameday.execute.journal import read_records
        from gameday.render import render_all
        from gameday.score import score_journal

        card = score_journal(read_records(Path(run_dir) / "journal.jsonl"))
        render_all(card, Path(run_dir))
    else:
        card = finish(Path(run_dir)).card
    cpu = time.process_time() - cpu
    probe = next(p for p in card.scenarios[0].probes if p.name == "frontend")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rss_kib": peak, "cpu": cpu, "outage": probe.outage_total}))


def measure(run_dir: Path, held: bool = False) -> dict[str, Any]:
    env = {
        **os.environ,
        "GAMEDAY_STATE": str(run_dir.parents[2] / "state"),
        "GAMEDAY_LOCK_DIR": str(run_dir.parents[2] / "locks"),
        "GAMEDAY_SPILL_DIR": str(run_dir.parents[2] / "spill"),
    }
    out = subprocess.run(
        [sys.executable, __file__, "--held" if held else "--child", str(run_dir)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def main() -> int:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for hours in (1, 8):
            run_dir = Path(tmp) / "reports" / "web-replica-kill" / f"run-{hours}h"
            run_dir.mkdir(parents=True)
            began = time.perf_counter()
            samples = generate(run_dir / "journal.jsonl", hours)
            size = (run_dir / "journal.jsonl").stat().st_size / 2**20
            made = time.perf_counter() - began
            result = measure(run_dir)
            results[hours] = result
            if hours == 1:
                baseline = measure(run_dir, held=True)
            print(
                f"score-memory: {hours} h journal: {samples:,} samples, {size:.0f} MiB "
                f"(written in {made:.1f}s); score + render: peak RSS "
                f"{result['rss_kib'] / 1024:.1f} MiB, CPU {result['cpu']:.2f}s "
                f"({result['cpu'] / samples * 1e5:.3f}s per 100k samples); "
                f"outage {result['outage']:.2f}s"
            )
    print(
        f"score-memory: baseline (the 1 h journal read whole, then scored): peak RSS "
        f"{baseline['rss_kib'] / 1024:.1f} MiB, CPU {baseline['cpu']:.2f}s"
    )
    one, eight = results[1]["rss_kib"] / 1024, results[8]["rss_kib"] / 1024
    allowed = max(one * 0.10, 4.0)
    flat = eight - one <= allowed
    found = abs(results[8]["outage"] - OUTAGE) < 0.5
    print(
        f"score-memory: 8 h peak RSS {eight:.1f} MiB vs 1 h {one:.1f} MiB: +{eight - one:.1f} MiB "
        f"(target <= +{allowed:.1f} MiB): {'met' if flat else 'MISSED'}; "
        f"outage in the 8 h report {results[8]['outage']:.2f}s (expected ~{OUTAGE:g}s): "
        f"{'found' if found else 'MISSED'}"
    )
    return 0 if flat and found else 1


if __name__ == "__main__":
    if sys.argv[1:2] in (["--child"], ["--held"]):
        child(sys.argv[2], held=sys.argv[1] == "--held")
        sys.exit(0)
    sys.exit(main())
