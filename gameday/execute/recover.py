"""`gameday recover`: revert what a crashed run left injected, from its journal alone.

An injection is outstanding when the journal has its `injection-planned` record (written
and fsync'd before the fault was applied) and no `injection-reverted` after it. The
latest record of it (applied if there is one, else planned) holds what is needed to
undo it; every fault's revert is idempotent, so reverting a fault that was planned but
never applied, or running recover twice, is harmless.

Rules (docs/cli.md): recover never fights a live run (a runner whose pid and process
start time match the journal's is alive: refused unless `force`); journals are untrusted
input (one writable by another user is refused, and every undo record must pass the
guardrails, `guardrails.check_undo`, before it is acted on); and it takes the target's
lock while reverting, so it never reverts under another run injecting into that target.
"""

from __future__ import annotations

import os
import platform
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gameday.errors import GamedayError, RefusedError
from gameday.execute.journal import JOURNAL, continuing, iter_records
from gameday.execute.lock import TargetLock, holder, is_alive, target_key
from gameday.execute.waiting import retry_transient
from gameday.guardrails import GuardrailConfig, check_undo
from gameday.model import journal as j
from gameday.plugins.protocols import Injection
from gameday.plugins.registry import registry


@dataclass(frozen=True)
class Outstanding:
    run_dir: Path
    key: str
    scenario: str
    target: dict[str, Any]
    injection: j.InjectionData
    spec: dict[str, Any]


@dataclass(frozen=True)
class Recovered:
    item: Outstanding
    ok: bool
    detail: str
    refused: bool = False


def outstanding(run_dir: Path) -> list[Outstanding]:
    pending: dict[str, Outstanding] = {}
    spec: dict[str, Any] = {}
    for record in iter_records(run_dir / JOURNAL):
        if isinstance(record, j.ScenarioStart):
            spec = record.spec
        elif isinstance(record, j.InjectionPlanned | j.InjectionApplied):
            target = spec.get("target")
            if not (
                isinstance(target, dict)
                and isinstance(target.get("kind"), str)
                and isinstance(target.get("params"), dict)
            ):
                raise RefusedError(
                    f"{run_dir}: journal malformed: injection {record.key!r} (seq {record.seq}) "
                    "follows no scenario-start naming its target",
                    hint="a journal is untrusted input; check it and revert by hand",
                )
            pending[record.key] = Outstanding(
                run_dir, record.key, record.scenario, target, record.injection, spec
            )
        elif isinstance(record, j.InjectionReverted):
            pending.pop(record.key, None)
    return list(pending.values())


def run_dirs(reports: Path) -> list[Path]:
    return sorted(p.parent for p in reports.glob(f"*/*/{JOURNAL}"))


def live_runner(run_dir: Path) -> str | None:
    """Who is still running this journal's run, or None. A runner on another host
    cannot be checked from here and counts as alive."""
    owner: j.RunStart | j.RunResumed | None = None
    host = platform.node()
    for record in iter_records(run_dir / JOURNAL):
        if isinstance(record, j.RunStart):
            owner, host = record, record.host or host
        elif isinstance(record, j.RunResumed):
            owner = record
        elif isinstance(record, j.RunEnd):
            owner = None
    if owner is None or not owner.pid:
        return None
    if host != platform.node():
        return f"a runner on host {host} (pid {owner.pid}; its liveness cannot be checked here)"
    if is_alive(owner.pid, owner.pid_start):
        return f"runner pid {owner.pid} (started {_when(owner.pid_start)}) is still running"
    return None


def untrusted(run_dir: Path) -> str | None:
    """Why this journal cannot be trusted to say what to undo, or None."""
    me = os.geteuid()
    for path in (run_dir, run_dir / JOURNAL):
        info = path.stat()
        if info.st_uid != me:
            return f"{path} belongs to uid {info.st_uid}, not to you (uid {me})"
        if info.st_mode & stat.S_IWOTH:
            return f"{path} is writable by other users (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def recover(
    run_dir: Path, guardrails: GuardrailConfig | None = None, force: bool = False
) -> list[Recovered]:
    """Revert every outstanding injection of one run, journaling each revert.

    Raises RefusedError when the run's runner is alive (unless `force`) or the journal
    is untrusted; an undo record the guardrails refuse is reported, not acted on."""
    items = outstanding(run_dir)
    if not items:
        return []
    alive = live_runner(run_dir)
    if alive and not force:
        raise RefusedError(
            f"{run_dir}: {alive}; recover never fights a live run",
            hint="let it finish (it reverts its own faults), stop it with Ctrl-C, or "
            "pass --force to revert under it",
        )
    doubt = untrusted(run_dir)
    if doubt:
        raise RefusedError(
            f"{run_dir}: journal not trusted: {doubt}",
            hint="recover as the user who ran it, or fix the permissions after checking the journal",
        )
    results = []
    for item in items:
        try:
            _revert(item, guardrails or GuardrailConfig(), force)
        except RefusedError as exc:
            results.append(Recovered(item, False, exc.message, refused=True))
            continue
        except GamedayError as exc:
            _append(
                run_dir,
                j.RevertFailed(
                    scenario=item.scenario, key=item.key, error=exc.message, by="recover"
                ),
            )
            results.append(Recovered(item, False, exc.message))
            continue
        _append(run_dir, j.InjectionReverted(scenario=item.scenario, key=item.key, by="recover"))
        results.append(Recovered(item, True, "reverted"))
    return results


def _revert(item: Outstanding, guardrails: GuardrailConfig, force: bool) -> None:
    target_spec = item.target
    target_plugin = registry("target").get(target_spec["kind"])()
    params = target_plugin.Params.model_validate(target_spec["params"])
    identity = getattr(target_plugin, "identity", None)
    server = None if identity is None else identity(params).get("server")
    data = item.injection
    check_undo(guardrails, target_spec["kind"], target_spec["params"], data.undo, server, {})
    target = retry_transient(lambda: target_plugin.connect(params))
    lock = None
    try:
        cmdlines = getattr(target, "cmdlines", None)
        if cmdlines is not None:
            found = cmdlines(data.targets)
            check_undo(guardrails, target_spec["kind"], target_spec["params"], {}, server, found)
        if not force:
            key = target_key(target_spec["kind"], target_spec["params"], server)
            lock = TargetLock(key, holder(item.run_dir)).__enter__()
        injection = Injection(data.fault, data.targets, data.undo, data.evidence)
        fault = registry("fault").get(injection.fault)()
        retry_transient(lambda: fault.revert(injection, target))
    finally:
        if lock is not None:
            lock.__exit__(None, None, None)
        target.close()


def _when(started: float | None) -> str:
    if started is None:
        return "at an unknown time"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))


def _append(run_dir: Path, record: j.Record) -> None:
    """Add a record to a crashed run's journal: `seq` continues, and `t` is the real time
    since the last record (the crashed run's monotonic clock is gone)."""
    writer = continuing(run_dir / JOURNAL)
    try:
        writer.write(record, sync=True)
    finally:
        writer.close()
