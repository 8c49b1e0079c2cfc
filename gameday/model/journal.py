"""The journal's records, typed: one frozen dataclass per event type.

This module is the one definition of what a journal line holds. The runner builds
these records and `gameday.execute.journal` writes them; scoring, `recover`,
`resume` and tests read them back through `parse`. A renamed or retyped field
therefore fails `mypy --strict` at every writer and reader instead of producing a
wrong report.

On disk each record is one JSON object per line (JSON Lines): `seq`, `type`, `t`
(seconds on the run's monotonic clock), `wall` (Unix time), then the fields of its
class. `parse` tolerates what older journals and hand-built test journals omit
(missing fields take their defaults); a type it does not know becomes `Unknown`,
which keeps every field, so a newer journal still reads.

Each class declares which of its fields are *presentation*: free text that may hold
a secret (error messages, step output, notes) and is masked before it is written.
Every other field (keys, ids, targets, undo data, numbers, the structure itself) is
written byte for byte as given: masking must never change what `recover` relies on.

To add an event type: subclass `Event` (or `Record` if it belongs to no scenario)
with `TYPE`, its fields (all with defaults) and `PRESENTATION`; list it in `TYPES`
in `gameday.model.journal_json` (a test checks every subclass is listed).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from gameday.model.outcomes import Outcome

SampleRow = tuple[float, int, float | None, float | None, str | None]
"""One probe sample on disk: (t, ok 0/1, latency seconds, value, detail)."""


@dataclass(frozen=True, kw_only=True)
class Record:
    """Fields every record has. `seq` rises by one per record for the whole life of
    the journal (run, resume and recover continue it); the writer sets it, `t` and
    `wall`."""

    TYPE: ClassVar[str] = ""
    PRESENTATION: ClassVar[tuple[str, ...]] = ()
    """Fields that may hold secrets in free text: masked before writing. `a.b` names
    field `b` of the dataclass in field `a`."""
    FLAT: ClassVar[str | None] = None
    """A dict field written as top-level keys of the line (on-disk compatibility)."""
    TIMED: ClassVar[bool] = True
    """Whether `t` and `wall` are written (sample batches carry their own times)."""

    seq: int = 0
    t: float = 0.0
    wall: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Event(Record):
    """A record that belongs to one scenario."""

    scenario: str = ""


@dataclass(frozen=True)
class InjectionData:
    """`plugins.protocols.Injection` as journaled: what was touched and how to undo it.
    `undo` and `targets` are undo data: never masked, never rewritten."""

    fault: str = ""
    targets: tuple[str, ...] = ()
    undo: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class EntryData:
    """One scenario of a run: its name, drill weight, file and content hash."""

    scenario: str = ""
    weight: float = 1.0
    source: str = ""
    sha256: str = ""


@dataclass(frozen=True)
class RunFlags:
    dry_run: bool = False
    auto_approve: bool = False


# -- run level ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RunStart(Record):
    TYPE = "run-start"
    PRESENTATION = ("overrides", "drill")
    run_id: str = ""
    name: str = ""
    kind: str = ""
    """`drill` or `scenario`."""
    source: str = ""
    """Absolute path of the scenario or drill file."""
    sha256: str = ""
    """Content hash of that file when the run started."""
    overrides: dict[str, Any] = field(default_factory=dict)
    entries: tuple[EntryData, ...] = ()
    drill: dict[str, Any] | None = None
    options: RunFlags = field(default_factory=RunFlags)
    host: str = ""
    pid: int = 0
    pid_start: float | None = None
    """The runner's process start time (Unix), so a reused pid is not taken for it."""
    gameday: str = ""


@dataclass(frozen=True, kw_only=True)
class RunResumed(Record):
    TYPE = "run-resumed"
    from_index: int = 0
    pid: int = 0
    pid_start: float | None = None
    fresh: tuple[str, ...] = ()
    """Scenarios whose file changed and were started afresh (`--restart-changed`)."""


@dataclass(frozen=True, kw_only=True)
class RunEnd(Record):
    TYPE = "run-end"
    PRESENTATION = ("reason",)
    interrupted: bool = False
    error: bool = False
    """The run could not go on (e.g. the journal could not be written)."""
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Note(Record):
    """A note from the room; `scenario` is None between scenarios."""

    TYPE = "note"
    PRESENTATION = ("text", "author")
    scenario: str | None = None
    text: str = ""
    author: str = ""
    noted_wall: float | None = None


# -- scenario level ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ScenarioStart(Event):
    TYPE = "scenario-start"
    PRESENTATION = ("spec",)
    index: int | None = None
    spec: dict[str, Any] = field(default_factory=dict)
    """The scenario as data (`model.scenario.to_jsonable`). Masked by key and in its
    free text only; names, types and the target's identity are kept."""


@dataclass(frozen=True, kw_only=True)
class ScenarioEnd(Event):
    TYPE = "scenario-end"
    PRESENTATION = ("reason",)
    outcome: Outcome = Outcome.INCOMPLETE
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Phase(Event):
    TYPE = "phase"
    phase: str = ""


@dataclass(frozen=True, kw_only=True)
class Plan(Event):
    TYPE = "plan"
    PRESENTATION = ("target", "injection.evidence")
    target: str = ""
    injection: InjectionData = field(default_factory=InjectionData)


@dataclass(frozen=True, kw_only=True)
class Approval(Event):
    TYPE = "approval"
    PRESENTATION = ("by",)
    by: str = ""
    go: bool = False


@dataclass(frozen=True, kw_only=True)
class InjectionPlanned(Event):
    """Written and fsync'd before the fault is applied: enough to undo it."""

    TYPE = "injection-planned"
    PRESENTATION = ("injection.evidence",)
    key: str = ""
    injection: InjectionData = field(default_factory=InjectionData)


@dataclass(frozen=True, kw_only=True)
class InjectionApplied(Event):
    TYPE = "injection-applied"
    PRESENTATION = ("injection.evidence",)
    key: str = ""
    injection: InjectionData = field(default_factory=InjectionData)


@dataclass(frozen=True, kw_only=True)
class InjectionReverted(Event):
    TYPE = "injection-reverted"
    key: str = ""
    by: str = ""
    """Empty for the runner; `recover` when `gameday recover` reverted it."""


@dataclass(frozen=True, kw_only=True)
class RevertFailed(Event):
    TYPE = "revert-failed"
    PRESENTATION = ("error",)
    key: str = ""
    error: str = ""
    by: str = ""
    dependency: str = ""
    """What did not answer (`supervisord http://…`, `Kubernetes API server https://…`);
    "the target" when the failure named none."""
    deadline: float | None = None
    """The revert deadline (seconds) that passed, when it was the runner's."""
    pending: tuple[str, ...] = ()
    """What is still injected (the injection's targets) until `recover` runs."""


@dataclass(frozen=True, kw_only=True)
class FaultLanding(Event):
    """Whether the fault was seen to take effect (`FaultPlugin.confirm`), written right
    after `injection-applied`."""

    TYPE = "fault-landing"
    PRESENTATION = ("checked", "evidence")
    key: str = ""
    confirmed: bool | None = None
    checked: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Abort(Event):
    TYPE = "abort"
    PRESENTATION = ("reason",)
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class AbortCondition(Event):
    TYPE = "abort-condition"
    probe: str = ""
    bad: int = 0
    total: int = 0
    known_t: float | None = None
    """Run clock when the triggering sample's result was known (sample t + latency)."""


@dataclass(frozen=True, kw_only=True)
class StepStart(Event):
    TYPE = "step-start"
    section: str = ""
    index: int = 0
    name: str = ""
    step_type: str = ""
    step_phase: str | None = None
    """Which part of the recovery time the step is (decide, restore, replay, serving)."""


@dataclass(frozen=True, kw_only=True)
class StepEnd(Event):
    TYPE = "step-end"
    PRESENTATION = ("detail", "output", "data")
    section: str = ""
    index: int = 0
    name: str = ""
    ok: bool = False
    detail: str = ""
    output: str = ""
    duration: float = 0.0
    data: dict[str, Any] = field(default_factory=dict)
    """Structured findings of the step (a backup's label and time, checksums)."""


@dataclass(frozen=True, kw_only=True)
class DataAudit(Event):
    TYPE = "data-audit"
    probe: str = ""
    audit: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Verify(Event):
    TYPE = "verify"
    PRESENTATION = ("failures",)
    ok: bool = False
    failures: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class TargetStats(Event):
    TYPE = "target-stats"
    FLAT = "stats"
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class AlertFired(Event):
    TYPE = "alert-fired"
    alert: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    started_wall: float | None = None


@dataclass(frozen=True, kw_only=True)
class AlertSource(Event):
    """The alert watcher's source answered (or stopped answering): written on its first
    read and on every change, so "never fired" is only claimed while it was readable."""

    TYPE = "alert-source"
    PRESENTATION = ("error",)
    url: str = ""
    reachable: bool = False
    error: str = ""


@dataclass(frozen=True, kw_only=True)
class AlertResolved(Event):
    TYPE = "alert-resolved"
    alert: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    started_wall: float | None = None


@dataclass(frozen=True, kw_only=True)
class SliMeasured(Event):
    """A Prometheus SLI over the fault window; `result` is what `promsli.measure`
    returned (written flat, beside `slo`)."""

    TYPE = "sli-measured"
    PRESENTATION = ("result",)
    FLAT = "result"
    slo: str = ""
    start_wall: float = 0.0
    end_wall: float = 0.0
    result: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Samples(Event):
    """A batch of one probe's samples (`s`: rows of `SampleRow`)."""

    TYPE = "samples"
    PRESENTATION = ("s",)
    TIMED = False
    probe: str = ""
    s: tuple[SampleRow, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Unknown(Record):
    """A record of a type this version does not know; `data` is the whole line."""

    type_name: str = ""
    data: dict[str, Any] = field(default_factory=dict)
