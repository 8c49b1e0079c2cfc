"""`gameday recover`: revert what a crashed run left injected, from its journal alone.

An injection is outstanding when the journal has its `injection-planned` record (written
and fsync'd before the fault was applied) and no `injection-reverted` after it. The
latest record of it (applied if there is one, else planned) holds what is needed to
undo it; every fault's revert is idempotent, so reverting a fault that was planned but
never applied, or running recover twice, is harmless.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gameday.errors import GamedayError
from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.waiting import retry_transient
from gameday.plugins.protocols import Injection
from gameday.plugins.registry import registry


@dataclass(frozen=True)
class Outstanding:
    run_dir: Path
    key: str
    scenario: str
    target: dict[str, Any]
    injection: dict[str, Any]


@dataclass(frozen=True)
class Recovered:
    item: Outstanding
    ok: bool
    detail: str


def outstanding(run_dir: Path) -> list[Outstanding]:
    pending: dict[str, Outstanding] = {}
    spec: dict[str, Any] = {}
    for record in read_journal(run_dir / JOURNAL):
        kind = record["type"]
        if kind == "scenario-start":
            spec = record["spec"]
        elif kind in ("injection-planned", "injection-applied"):
            pending[record["key"]] = Outstanding(
                run_dir,
                record["key"],
                record.get("scenario", ""),
                spec["target"],
                record["injection"],
            )
        elif kind == "injection-reverted":
            pending.pop(record["key"], None)
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
                {
                    "type": "revert-failed",
                    "key": item.key,
                    "scenario": item.scenario,
                    "error": exc.message,
                    "by": "recover",
                },
            )
            results.append(Recovered(item, False, exc.message))
            continue
        _append(
            run_dir,
            {
                "type": "injection-reverted",
                "key": item.key,
                "scenario": item.scenario,
                "by": "recover",
            },
        )
        results.append(Recovered(item, True, "reverted"))
    return results


def _revert(item: Outstanding) -> None:
    target_spec = item.target
    target_plugin = registry("target").get(target_spec["kind"])()
    params = target_plugin.Params.model_validate(target_spec["params"])
    target = retry_transient(lambda: target_plugin.connect(params))
    injection = Injection(
        fault=item.injection["fault"],
        targets=tuple(item.injection["targets"]),
        undo=item.injection.get("undo", {}),
        evidence=item.injection.get("evidence", {}),
    )
    fault = registry("fault").get(injection.fault)()
    try:
        retry_transient(lambda: fault.revert(injection, target))
    finally:
        target.close()


def _append(run_dir: Path, record: dict[str, Any]) -> None:
    """Add a record to a crashed run's journal. `t` continues from the last record: the
    crashed run's monotonic clock is gone, so only `wall` says when this happened."""
    records = read_journal(run_dir / JOURNAL)
    last = records[-1] if records else {"seq": 0, "t": 0.0}
    line = json.dumps(
        {"seq": last.get("seq", 0) + 1, "t": last.get("t", 0.0), "wall": time.time(), **record}
    )
    with open(run_dir / JOURNAL, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
