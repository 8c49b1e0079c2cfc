"""What `gameday resume` may run again, decided from the journal and the files as they
are now.

A run records at its start the content hash of its file and of every scenario it
includes (`run-start.sha256`, `entries[].sha256`: the scenario file's bytes plus the
parameters it resolved to). Resume matches the drill's scenarios to the recorded ones
by name and hash, never by position alone:
- a scenario that finished and is unchanged is kept as recorded;
- one that did not finish runs (from the first unfinished one on);
- one whose file or parameters changed is refused, unless `restart_changed`: then it
  runs afresh, finished or not, and the report scores that new attempt;
- a drill whose list of scenarios changed (added, dropped, renamed, reordered or
  re-weighted) is refused outright: an edited drill must not turn a recorded failure
  into a pass by dropping or reordering it. Start a new run instead.
A dry run resumes as a dry run.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from gameday.errors import RefusedError
from gameday.model import journal as j
from gameday.model.outcomes import Outcome
from gameday.model.scenario import Drill, DrillEntry, Scenario, to_jsonable


@dataclass(frozen=True)
class ResumePlan:
    todo: tuple[int, ...]
    """Entry indices to run, in order."""
    fresh: tuple[str, ...]
    """Changed scenarios started afresh (`--restart-changed`)."""
    dry_run: bool


def entry_hash(scenario: Scenario) -> str:
    """sha256 of the scenario file and the parameters it resolved to ("" if unreadable)."""
    try:
        data = Path(scenario.source).read_bytes()
    except OSError:
        return ""
    fields = {k: v for k, v in to_jsonable(scenario).items() if k != "source"}  # cwd-relative
    spec = json.dumps(fields, sort_keys=True, default=str).encode()
    return hashlib.sha256(data + b"\0" + spec).hexdigest()


def file_hash(source: str) -> str:
    """sha256 of a scenario or drill file as it is now ("" if it cannot be read)."""
    try:
        return hashlib.sha256(Path(source).read_bytes()).hexdigest()
    except OSError:
        return ""


def finished(records: list[j.Record]) -> set[tuple[int | None, str]]:
    """(index, name) of every scenario attempt that ended (not interrupted)."""
    done = set()
    current: tuple[int | None, str] | None = None
    for record in records:
        if isinstance(record, j.ScenarioStart):
            current = (record.index, record.scenario)
        elif isinstance(record, j.ScenarioEnd) and current is not None:
            if record.outcome != Outcome.INTERRUPTED:
                done.add(current)
            current = None
    return done


def plan_resume(
    records: list[j.Record], entries: tuple[DrillEntry, ...], restart_changed: bool
) -> ResumePlan:
    start = next((r for r in records if isinstance(r, j.RunStart)), None)
    if start is None:
        raise RefusedError("the journal has no run-start record: nothing to resume from")
    recorded = [(e.scenario, e.weight) for e in start.entries]
    now = [(e.scenario.name, e.weight) for e in entries]
    if recorded != now:
        raise RefusedError(
            f"the drill's scenarios changed since the run started: recorded {_names(recorded)}, "
            f"now {_names(now)}",
            hint="start a new run: resuming an edited list of scenarios could hide a recorded result",
        )
    done = finished(records)
    changed = [
        i
        for i, (entry, was) in enumerate(zip(entries, start.entries, strict=True))
        if not was.sha256 or entry_hash(entry.scenario) != was.sha256
    ]
    if changed and not restart_changed:
        names = ", ".join(
            f"{entries[i].scenario.name} ({entries[i].scenario.source})" for i in changed
        )
        raise RefusedError(
            f"changed since the run started (file or parameters): {names}",
            hint="restore them, start a new run, or pass --restart-changed to run each changed "
            "scenario again from the start (its earlier attempt is then not scored)",
        )
    todo = tuple(
        i for i, e in enumerate(entries) if i in changed or (i, e.scenario.name) not in done
    )
    return ResumePlan(
        todo,
        tuple(entries[i].scenario.name for i in changed),
        start.options.dry_run,
    )


def _names(entries: list[tuple[str, float]]) -> str:
    return "[" + ", ".join(f"{n} x{w:g}" for n, w in entries) + "]"


def entries_of(subject: Scenario | Drill) -> tuple[DrillEntry, ...]:
    return subject.entries if isinstance(subject, Drill) else (DrillEntry(subject, 1.0),)
