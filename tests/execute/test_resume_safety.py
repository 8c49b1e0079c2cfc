"""`gameday resume` is as safe and honest as `run` (#11.10): a dry run resumes as a dry
run; scenarios are matched by name and content hash, and a changed one is refused unless
`--restart-changed`; an edited list of scenarios is refused; `seq` and `t` keep rising
through crash, recover and resume."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil

from gameday.demo.stack import DemoStack
from gameday.execute.journal import CRASH_AFTER, JOURNAL, read_journal, read_records
from gameday.model import journal as j
from gameday.score import score_journal
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT


def _sets(stack: DemoStack) -> list[str]:
    p = stack.params()
    return [
        "--set",
        f"frontend_url={p['frontend_url']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
        "--set",
        f"proxy_admin={p['proxy_admin']}",
    ]


def _crash(
    stack: DemoStack, drill: Path, reports: Path, point: str, *extra: str, cwd: Path = ROOT
) -> Path:
    proc = subprocess.run(
        [GAMEDAY, "run", str(drill), "--reports", str(reports), *_sets(stack), *extra],
        cwd=cwd,
        env={**os.environ, CRASH_AFTER: point},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-2000:] + proc.stderr[-2000:]
    (run_dir,) = reports.glob("*/*")
    return run_dir


def _frontend_paused(stack: DemoStack) -> bool:
    info = {i["name"]: i for i in stack.rpc().supervisor.getAllProcessInfo()}
    return psutil.Process(info["frontend"]["pid"]).status() == psutil.STATUS_STOPPED


def test_a_dry_run_resumes_as_a_dry_run(stack: DemoStack, tmp_path: Path) -> None:
    drill = DATA / "drills" / "three-step.yaml"
    run_dir = _crash(stack, drill, tmp_path, "scenario-end", "--dry-run")
    done = gameday("resume", str(run_dir))
    # a dry run's own exit code (0 once #11.2 scores it `dry-run`) is not this test's point
    assert done.returncode in (0, 1), done.stdout[-2000:] + done.stderr[-2000:]
    assert "(a dry run, as the run it resumes)" in done.stdout
    records = read_records(run_dir / JOURNAL)
    injected = [r for r in records if isinstance(r, j.InjectionPlanned | j.InjectionApplied)]
    assert injected == [], "resuming a dry run injected faults"
    outcomes = [r.outcome for r in records if isinstance(r, j.ScenarioEnd)]
    assert outcomes == ["dry-run"] * 3
    assert not _frontend_paused(stack)


def _copy_drill(tmp_path: Path) -> Path:
    (tmp_path / "local").mkdir()
    (tmp_path / "drills").mkdir()
    shutil.copy(DATA / "local" / "pause-frontend.yaml", tmp_path / "local")
    shutil.copy(DATA / "local" / "http-errors.yaml", tmp_path / "local")
    drill = tmp_path / "drills" / "two.yaml"
    drill.write_text(
        "apiVersion: gameday/v1\n"
        "kind: Drill\n"
        "metadata: {name: two, facilitator: tests}\n"
        "params: {pause: 300ms}\n"
        "scenarios:\n"
        "  - ref: ../local/pause-frontend.yaml\n"
        "  - ref: ../local/http-errors.yaml\n"
        "    params: {ratio: 10%, fault_for: 500ms}\n"
    )
    return drill


def test_a_changed_scenario_is_refused_unless_restarted_afresh(
    stack: DemoStack, tmp_path: Path
) -> None:
    drill = _copy_drill(tmp_path)
    run_dir = _crash(stack, drill, tmp_path / "reports", "scenario-end")
    scenario = tmp_path / "local" / "pause-frontend.yaml"
    scenario.write_text(scenario.read_text().replace("owner: tests", "owner: tests-edited"))

    refused = gameday("resume", str(run_dir), *_sets(stack))
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "changed since the run started" in refused.stdout + refused.stderr
    assert "pause-frontend" in refused.stdout + refused.stderr
    assert not any(isinstance(r, j.RunResumed) for r in read_records(run_dir / JOURNAL))

    done = gameday("resume", str(run_dir), "--restart-changed", *_sets(stack))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "run again from the start: pause-frontend" in done.stdout
    records = read_records(run_dir / JOURNAL)
    starts = [r.index for r in records if isinstance(r, j.ScenarioStart)]
    assert starts == [0, 0, 1]  # the finished but changed scenario ran again
    (resumed,) = [r for r in records if isinstance(r, j.RunResumed)]
    assert resumed.fresh == ("pause-frontend",)
    card = score_journal(read_journal(run_dir / JOURNAL))
    assert [s.name for s in card.scenarios] == ["pause-frontend", "http-errors"]


def test_an_edited_list_of_scenarios_is_refused_even_with_restart_changed(
    stack: DemoStack, tmp_path: Path
) -> None:
    drill = _copy_drill(tmp_path)
    run_dir = _crash(stack, drill, tmp_path / "reports", "scenario-end")
    text = drill.read_text()
    cut = text.index("  - ref: ../local/pause-frontend.yaml")
    first, second = text[cut:].split("  - ref: ../local/http-errors.yaml")
    drill.write_text(text[:cut] + "  - ref: ../local/http-errors.yaml" + second + first)
    done = gameday("resume", str(run_dir), "--restart-changed", *_sets(stack))  # reordered
    assert done.returncode == 3, done.stdout + done.stderr
    assert "scenarios changed since the run started" in done.stdout + done.stderr
    assert "recorded [pause-frontend x1, http-errors x1], now [http-errors x1" in done.stderr
    # dropping one also refuses (its params are then undeclared: exit 2 before anything runs)
    drill.write_text(text[: text.index("  - ref: ../local/http-errors.yaml")])
    dropped = gameday("resume", str(run_dir), "--restart-changed", *_sets(stack))
    assert dropped.returncode in (2, 3), dropped.stdout + dropped.stderr
    assert not any(isinstance(r, j.RunResumed) for r in read_records(run_dir / JOURNAL))


def test_seq_and_time_keep_rising_through_crash_recover_and_resume(
    stack: DemoStack, tmp_path: Path
) -> None:
    drill = _copy_drill(tmp_path)
    run_dir = _crash(stack, drill, tmp_path / "reports", "injection-applied")
    assert _frontend_paused(stack)
    time.sleep(2.0)  # the crashed runner's clock is gone; recover must still say when
    assert gameday("recover", str(run_dir)).returncode == 0
    done = gameday("resume", str(run_dir), *_sets(stack))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [json.loads(x) for x in (run_dir / JOURNAL).read_text().splitlines() if x]
    seqs = [x["seq"] for x in lines]
    assert seqs == list(range(1, len(seqs) + 1)), seqs
    timed = [x["t"] for x in lines if "t" in x]
    assert timed == sorted(timed), "a record is dated before the one written before it"
    records = read_records(run_dir / JOURNAL)
    applied = next(r for r in records if isinstance(r, j.InjectionApplied))
    reverted = next(r for r in records if isinstance(r, j.InjectionReverted))
    assert reverted.by == "recover"
    assert reverted.t - applied.t >= 2.0, (applied.t, reverted.t)  # real time, not the last t
    card = score_journal(read_journal(run_dir / JOURNAL))
    assert card.duration > 0 and all(v >= 0 for s in card.scenarios for v in s.markers.values())


def test_a_run_started_with_a_relative_path_resumes_from_anywhere(
    stack: DemoStack, tmp_path: Path
) -> None:
    """The content hash is of the file and its params, not of the path it was named by."""
    _copy_drill(tmp_path)
    run_dir = _crash(
        stack, Path("drills/two.yaml"), tmp_path / "reports", "scenario-end", cwd=tmp_path
    )
    done = gameday("resume", str(run_dir), *_sets(stack))  # from the repository root
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "resuming two at scenario 2 of 2" in done.stdout
