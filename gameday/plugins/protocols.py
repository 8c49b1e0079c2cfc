"""The plugin protocols: what a fault, probe, action or target must provide.

Every plugin class has a `name` and a `Params` pydantic model (extra keys forbidden),
so scenario files are checked against the plugin's parameters at validation time.
Built-ins are registered through the same entry-point groups as third-party plugins:
`gameday.faults`, `gameday.probes`, `gameday.actions`, `gameday.targets`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel

if TYPE_CHECKING:
    from gameday.model.scorecard import Scorecard

SHELL_COMMAND: dict[str, Any] = {"x-gameday-shell": True}
"""Marks a params field that a shell runs as a command line:
`shell: str | None = Field(None, json_schema_extra=SHELL_COMMAND)`. Template values
substituted into such a field are shell-quoted (gameday/template.py)."""


class Touches(StrEnum):
    """What kind of thing a fault acts on. Each kind has its allow-list under
    `[tool.gameday.guardrails]` (docs/cli.md); a fault declares its kind in `reach`, so
    guardrails check every fault, built-in or third-party, without knowing its name."""

    PROCESSES = "processes"
    """Signals or stops local processes: `local_processes` (command lines)."""
    FILES = "files"
    """Creates, fills or deletes local files: `local_paths` (directories)."""
    HOST = "host"
    """Loads the host (CPU, memory) with workers it starts: `local_hosts`."""
    PROXY = "proxy"
    """Changes a gameday fault proxy's routes: `proxy_admins` (admin URLs)."""
    COMMANDS = "commands"
    """Runs programs of the scenario's choosing: `local_commands` (regexes on argv)."""
    KUBE_OBJECTS = "kube-objects"
    """Namespaced Kubernetes objects: `kube_contexts` (context, server, namespaces)."""
    KUBE_NAMESPACES = "kube-namespaces"
    """Whole namespaces (cluster-scoped): `kube_contexts` (context, server, namespaces)."""
    KUBE_NODES = "kube-nodes"
    """Cluster nodes, and so pods of every namespace: `kube_contexts` (`max_nodes`)."""


@dataclass(frozen=True)
class Reach:
    """What a fault touches, declared once per plugin (`FaultPlugin.reach`).

    `fields` names the params that say where (paths, the namespace, the proxy admin URL,
    argv): guardrails check their values against the allow-list of `touches` before
    anything connects. `unit` is what one selected target is ("process", "pod", "node",
    "file"): the unit of the blast radius. Every local fault is also held to
    `local_hosts`, every Kubernetes fault to the context allow-list."""

    touches: Touches
    unit: str
    fields: tuple[str, ...] = ()
    share: str | None = None
    """The params field holding the share of the matched pool it picks (`percent`), if
    any: checked before connecting against a production context's cap."""


@dataclass(frozen=True)
class Injection:
    """What a fault touched, and everything needed to undo it.

    Written to the journal (and fsync'd) *before* the fault is applied, so that a
    crashed run can still be reverted. `targets` names each touched object
    (e.g. `pid:1234 web-1`, `pod:uid name`); `undo` holds previous values.
    """

    fault: str
    targets: tuple[str, ...]
    undo: dict[str, Any] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    matched: int | None = None
    """How many candidates the selector matched before `count`/`percent`/`mode` picked:
    the pool `blast_radius.max_percent` is a share of. None: the fault picks from no pool
    (a file, a route, the host), and a scenario setting `max_percent` is refused."""
    affected: int | None = None
    """How many objects of the fault's `reach.unit` the injection affects, when that is
    not one per entry of `targets` (a Chaos Mesh object over N pods). None: len(targets)."""

    @property
    def blast(self) -> int:
        """The blast radius: objects affected, checked against `blast_radius`."""
        return len(self.targets) if self.affected is None else self.affected


@dataclass(frozen=True)
class Landing:
    """Whether a fault was seen to take effect, checked after `inject` returned.

    `confirmed` is True (seen), False (checked and not seen) or None (could not be
    checked). `checked` says in words what was looked at, for the report
    ("3 pods terminated and replaced: uid-a, uid-b, uid-c"). A scenario whose fault is
    not confirmed is `inconclusive`, never a pass.
    """

    confirmed: bool | None
    checked: str
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """One probe measurement. `t` is seconds on the run's monotonic clock."""

    t: float
    ok: bool
    latency: float | None = None
    value: float | None = None
    detail: str | None = None


@dataclass(frozen=True)
class StepOutcome:
    ok: bool
    detail: str = ""
    output: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    """Structured findings journaled with the step (`step-end.data`), e.g. a backup's
    label and time, a table checksum, a verification's evidence."""


@runtime_checkable
class TargetSession(Protocol):
    """A connected target. `describe()` says what it is, for plans and reports."""

    kind: str

    def describe(self) -> str: ...

    def close(self) -> None: ...


class TargetPlugin(Protocol):
    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]]

    def connect(self, params: Any) -> TargetSession: ...


class FaultPlugin(Protocol):
    """A fault. `select` has no side effects; `inject` applies; `confirm` looks for
    evidence that it took effect; `revert` is idempotent."""

    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]]
    target_kind: ClassVar[str]
    destructive: ClassVar[bool]
    reversible: ClassVar[bool]
    reach: ClassVar[Reach]
    """What it touches and how its blast radius counts (guardrails read only this)."""

    def select(self, params: Any, target: Any) -> Injection: ...

    def inject(self, injection: Injection, params: Any, target: Any) -> Injection: ...

    def confirm(self, injection: Injection, params: Any, target: Any) -> Landing:
        """Called right after `inject` (with what it returned): look at the target, not at
        what `inject` believes it did, and say whether the fault took effect (pods
        replaced, a process stopped, a toxic active) and what was checked. Must not
        raise for "not landed": return `Landing(False, ...)`; `Landing(None, ...)` when
        it cannot be checked. The runner journals it (`fault-landing`); scoring gives
        `inconclusive` unless it is confirmed."""
        ...

    def revert(self, injection: Injection, target: Any) -> None: ...


class ProbeSession(Protocol):
    def sample(self, t: float) -> Sample: ...

    def close(self) -> None: ...


class ProbePlugin(Protocol):
    """A probe. A probe whose sessions can `audit()` what they wrote (a data writer)
    declares `audits_data: ClassVar[bool] = True`; `recovery.rpo` needs one."""

    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]]

    def read_only(self, params: Any) -> bool:
        """True when sampling with these params changes nothing anywhere (an HTTP GET, a
        TCP connect, a read of the process table or the API). `--dry-run` samples only
        read-only probes; the others (a command, a data writer) are listed, not run."""
        ...

    def open(self, params: Any, target: Any, every: float) -> ProbeSession: ...


class ActionContext(Protocol):
    """What an action may use: the live probe samples, the operator, the target."""

    auto_approve: bool
    interactive: bool
    facts: dict[str, Any]
    """Values a step hands to later steps of the same scenario (a checksum taken in
    `setup`, compared after the restore). In memory only: one run's steps share them."""

    def samples(self, probe: str) -> list[Sample]:
        """The probe's recent samples, oldest first: at least the last 30 s and the
        scenario's longest window; older ones are in the journal only."""
        ...

    def target(self) -> Any: ...

    def injections(self) -> list[Injection]:
        """What this scenario's fault has injected and not yet reverted."""
        ...

    def ask(self, prompt: str, timeout: float | None = None) -> bool | None:
        """The operator's yes or no to `prompt`; None if nobody answered within
        `timeout` seconds (a step must not wait past its own timeout)."""
        ...


class ActionPlugin(Protocol):
    name: ClassVar[str]
    Params: ClassVar[type[BaseModel]]

    def run(self, params: Any, ctx: ActionContext, timeout: float) -> StepOutcome: ...


class ReporterPlugin(Protocol):
    """A report format (`gameday.reporters`): every installed reporter writes its file
    into each run directory. Pure: it sees the scorecard only (no journal, no network),
    so `gameday report RUN_DIR` can re-render any run with any reporter."""

    name: ClassVar[str]
    filename: ClassVar[str]
    """The file written into the run directory, e.g. `report.html`."""

    def render(self, card: Scorecard) -> str: ...
