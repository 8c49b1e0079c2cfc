"""Runs a scenario or a drill into a fresh run directory and returns that directory.

`reports/<name>/<run-id>/journal.jsonl` is written as the run goes; scoring and
rendering read it back afterwards.
"""

from __future__ import annotations

import contextlib
import os
import platform
import secrets
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

from gameday import __version__
from gameday.execute import notes
from gameday.execute.journal import JOURNAL, Clock, JournalError, JournalWriter, continuing
from gameday.execute.lock import process_start
from gameday.execute.resume import entries_of, entry_hash, file_hash
from gameday.execute.runner import RunOptions, ScenarioRun
from gameday.execute.view import View
from gameday.model import journal as j
from gameday.model.scenario import Drill, Scenario, to_jsonable
from gameday.redact import env_secrets, find_secrets

RESUME_GAP = 1.0
"""Seconds put between a crashed or interrupted run's last record and the resumed part."""


def new_run_dir(reports: Path, name: str) -> Path:
    run_id = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)
    path = reports / name / run_id
    path.mkdir(parents=True, exist_ok=False)
    return path


def execute(
    subject: Scenario | Drill,
    reports: Path,
    options: RunOptions,
    view: View,
    overrides: dict[str, Any] | None = None,
) -> tuple[Path, bool]:
    """Runs every scenario; returns the run directory and whether it was interrupted.

    `overrides` (the --set/--values params) are journaled, secrets masked, so that
    `gameday resume` can load the same drill again."""
    entries = entries_of(subject)
    run_dir = new_run_dir(reports, subject.name)
    journal = JournalWriter(run_dir / JOURNAL, Clock())
    try:
        journal.check_space()  # before anything: the journal can be fsync'd and has room
    except JournalError:
        journal.close()
        raise
    journal.redactor.add(find_secrets(overrides or {}) | env_secrets(os.environ))
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
    journal.write(
        j.RunStart(
            run_id=run_dir.name,
            name=subject.name,
            kind="drill" if isinstance(subject, Drill) else "scenario",
            source=str(Path(subject.source).resolve()),
            sha256=file_hash(subject.source),
            overrides=overrides or {},
            entries=tuple(
                j.EntryData(
                    e.scenario.name,
                    e.weight,
                    str(Path(e.scenario.source).resolve()),
                    entry_hash(e.scenario),
                )
                for e in entries
            ),
            drill=drill_meta,
            options=j.RunFlags(dry_run=options.dry_run, auto_approve=options.auto_approve),
            host=platform.node(),
            pid=os.getpid(),
            pid_start=process_start(os.getpid()),
            gameday=__version__,
        ),
        sync=True,
    )
    return run_dir, _run_entries(subject, journal, options, view, range(len(entries)))


def resume(
    run_dir: Path,
    subject: Scenario | Drill,
    options: RunOptions,
    view: View,
    todo: Collection[int],
    fresh: tuple[str, ...] = (),
) -> bool:
    """Runs entries `todo` of `subject` into the existing journal of `run_dir`; returns
    whether it was interrupted. `seq` and the clock continue after the last record."""
    journal = continuing(run_dir / JOURNAL, gap=RESUME_GAP)
    journal.redactor.add(find_secrets(to_jsonable(subject)) | env_secrets(os.environ))
    journal.write(
        j.RunResumed(
            from_index=min(todo, default=0),
            pid=os.getpid(),
            pid_start=process_start(os.getpid()),
            fresh=fresh,
        ),
        sync=True,
    )
    return _run_entries(subject, journal, options, view, todo)


def _run_entries(
    subject: Scenario | Drill,
    journal: JournalWriter,
    options: RunOptions,
    view: View,
    todo: Collection[int],
) -> bool:
    interrupted = False
    drill_deadline = subject.deadline if isinstance(subject, Drill) else None
    deadline_at = None if drill_deadline is None else journal.clock() + drill_deadline
    current: list[str | None] = [None]
    unreachable: dict[str, str] = {}  # targets that did not answer: later entries not run
    run_dir = journal.path.parent
    # a dry run leaves the state directory as it was (`gameday note --run DIR` still works)
    marker = None if options.dry_run else notes.register(run_dir)
    inbox = notes.NoteInbox(run_dir, journal, lambda: current[0])
    inbox.start()
    try:
        for index, entry in enumerate(entries_of(subject)):
            if journal.failed:  # no record can be kept: nothing more may be injected
                break
            if index in todo:
                current[0] = entry.scenario.name
                ScenarioRun(
                    entry.scenario, journal, view, options, deadline_at, index, unreachable
                ).execute()
                current[0] = None
    except KeyboardInterrupt:
        interrupted = True
    finally:
        inbox.stop()
        if marker is not None:
            marker.unlink(missing_ok=True)
        failed = journal.failed or ""
        with contextlib.suppress(JournalError):
            journal.write(
                j.RunEnd(interrupted=interrupted, error=bool(failed), reason=failed), sync=True
            )
        journal.close()
    return interrupted
