"""`gameday recover`: revert what a crashed run left injected, from its journal alone.

An injection is outstanding when the journal has its `injection-planned` record (written
and fsync'd before the fault was applied) and no `injection-reverted` after it. The
latest record of it (applied if there is one, else planned) holds what is needed to
undo it; every fault's revert is idempotent, so reverting a fault that was planned but
never applied, or running recover twice, is harmless.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gameday.errors import GamedayError
from gameday.execute.journal import JOURNAL, continuing, read_records
from gameday.execute.waiting import retry_transient
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


def outstanding(run_dir: Path) -> list[Outstanding]:
    pending: dict[str, Outstanding] = {}
    spec: dict[str, Any] = {}
    for record in read_records(run_dir / JOURNAL):
        if isinstance(record, j.ScenarioStart):
            spec = record.spec
        elif isinstance(record, j.InjectionPlanned | j.InjectionApplied):
            pending[record.key] = Outstanding(
                run_dir, record.key, record.scenario, spec["target"], record.injection, spec
            )
        elif isinstance(record, j.InjectionReverted):
            pending.pop(record.key, None)
    return list(pending.values())


def run_dirs(reports: Path) -> list[Path]:
    return sorted(p.parent for p in reports.glob(f"*/*/{JOURNAL}"))


def recover(run_dir: Path) -> list[Recovered]:
    """Revert every outstanding injection of one run, journaling each revert."""
    results = []
    for item in outstanding(run_dir):
        try:
            _revert(item)
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


def _revert(item: Outstanding) -> None:
    target_spec = item.target
    target_plugin = registry("target").get(target_spec["kind"])()
    params = target_plugin.Params.model_validate(target_spec["params"])
    target = retry_transient(lambda: target_plugin.connect(params))
    data = item.injection
    injection = Injection(data.fault, data.targets, data.undo, data.evidence)
    fault = registry("fault").get(injection.fault)()
    try:
        retry_transient(lambda: fault.revert(injection, target))
    finally:
        target.close()


def _append(run_dir: Path, record: j.Record) -> None:
    """Add a record to a crashed run's journal: `seq` continues, and `t` is the real time
    since the last record (the crashed run's monotonic clock is gone)."""
    writer = continuing(run_dir / JOURNAL)
    try:
        writer.write(record, sync=True)
    finally:
        writer.close()
