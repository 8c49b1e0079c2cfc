"""Runs a scenario or a drill into a fresh run directory and returns that directory.

`reports/<name>/<run-id>/journal.jsonl` is written as the run goes; scoring and
rendering read it back afterwards.
"""

from __future__ import annotations

import os
import platform
import secrets
import time
from pathlib import Path

from gameday import __version__
from gameday.execute.journal import Clock, JournalWriter
from gameday.execute.runner import RunOptions, ScenarioRun
from gameday.execute.view import View
from gameday.model.scenario import Drill, DrillEntry, Scenario

JOURNAL = "journal.jsonl"


def new_run_dir(reports: Path, name: str) -> Path:
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)
    path = reports / name / run_id
    path.mkdir(parents=True, exist_ok=False)
    return path


def execute(
    subject: Scenario | Drill, reports: Path, options: RunOptions, view: View
) -> tuple[Path, bool]:
    """Runs every scenario; returns the run directory and whether it was interrupted."""
    entries = subject.entries if isinstance(subject, Drill) else (DrillEntry(subject, 1.0),)
    run_dir = new_run_dir(reports, subject.name)
    journal = JournalWriter(run_dir / JOURNAL, Clock())
    drill_meta = None
    if isinstance(subject, Drill):
        drill_meta = {
            "facilitator": subject.facilitator,
            "participants": list(subject.participants),
            "observers": list(subject.observers),
            "description": subject.description,
            "owner": subject.owner,
            "source": subject.source,
        }
    journal.event(
        "run-start",
        sync=True,
        run_id=run_dir.name,
        name=subject.name,
        kind="drill" if isinstance(subject, Drill) else "scenario",
        entries=[{"scenario": e.scenario.name, "weight": e.weight} for e in entries],
        drill=drill_meta,
        options={"dry_run": options.dry_run, "auto_approve": options.auto_approve},
        host=platform.node(),
        pid=os.getpid(),
        gameday=__version__,
    )
    interrupted = False
    drill_deadline = subject.deadline if isinstance(subject, Drill) else None
    deadline_at = None if drill_deadline is None else journal.clock() + drill_deadline
    try:
        for entry in entries:
            ScenarioRun(entry.scenario, journal, view, options, deadline_at).execute()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        journal.event("run-end", sync=True, interrupted=interrupted)
        journal.close()
    return run_dir, interrupted
