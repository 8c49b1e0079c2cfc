"""Verification actions on a real store, so a drill cannot pass on stale data.

`sentinel`: `seed` writes a marker record (in `setup:`, after the backup was taken);
after the restore, `present` or `absent` checks it, as the scenario declares: a
point-in-time restore must bring back what was written after the base backup, a plain
restore from that backup must not have it (if it does, the "restore" never happened).

`table-checksum`: `record` takes the row count and checksum of chosen tables (in
`setup:`); `compare` takes them again after the restore and fails on any difference.

Both hand their first reading to the later step through the run's facts, and journal
what they saw as the step's data.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, ClassVar, Literal

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import ActionContext, StepOutcome
from gameday.spec.base import PluginParams
from gameday.targets.stores.clients import connect, require_driver
from gameday.targets.stores.connections import StoreConnection

SENTINEL_PREFIX = "sentinel-"
"""Sentinel records are written as this writer id plus the sentinel's name."""


class SentinelParams(PluginParams):
    store: StoreConnection = Field(description="Where the sentinel lives (`kind` + connection).")
    name: str = Field("after-backup", pattern=r"^[a-z0-9-]{1,40}$", description="Which sentinel.")
    mode: Literal["seed", "present", "absent"] = Field(
        description="`seed` (setup), then `present` (after a point-in-time restore) or "
        "`absent` (after a plain restore from the backup)."
    )


class Sentinel:
    name: ClassVar[str] = "sentinel"
    Params: ClassVar[type[SentinelParams]] = SentinelParams

    def run(self, params: SentinelParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        require_driver(params.store.kind)
        key = f"sentinel:{params.name}"
        writer = SENTINEL_PREFIX + params.name
        try:
            client = connect(params.store)
        except TargetError as exc:
            return StepOutcome(False, f"cannot reach the store: {exc.message}")
        try:
            if params.mode == "seed":
                token = secrets.randbelow(10**12) + 1
                client.write(writer, token, time.time())
                ctx.facts[key] = token
                data = {"sentinel": params.name, "token": token, "seeded_wall": time.time()}
                return StepOutcome(True, f"sentinel {params.name} seeded ({token})", data=data)
            recorded: int | None = ctx.facts.get(key)
            if recorded is None:
                return StepOutcome(
                    False,
                    f"sentinel {params.name} was never seeded in this run",
                    data={"sentinel": params.name},
                )
            token = recorded
            found = token in client.read(writer)
        except TargetError as exc:
            return StepOutcome(False, f"sentinel {params.name}: {exc.message}")
        finally:
            client.close()
        want = params.mode == "present"
        data = {"sentinel": params.name, "token": token, "found": found, "expected": params.mode}
        if found == want:
            return StepOutcome(
                True, f"sentinel {params.name} {params.mode}, as expected", data=data
            )
        why = (
            "written after the backup but not restored: the restore stopped short"
            if want
            else "written after the backup, yet present: this was not a restore from that backup"
        )
        return StepOutcome(False, f"sentinel {params.name} {why}", data=data)


class TableChecksumParams(PluginParams):
    store: StoreConnection
    tables: list[str] = Field(
        min_length=1,
        description="Tables to compare (Redis: key patterns). Choose data that does not "
        "change during the drill, e.g. reference tables.",
    )
    mode: Literal["record", "compare"] = Field(
        description="`record` (setup), then `compare` after the restore."
    )


class TableChecksum:
    name: ClassVar[str] = "table-checksum"
    Params: ClassVar[type[TableChecksumParams]] = TableChecksumParams

    def run(self, params: TableChecksumParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        require_driver(params.store.kind)
        try:
            client = connect(params.store)
            try:
                now = {table: client.digest(table) for table in params.tables}
            finally:
                client.close()
        except TargetError as exc:
            return StepOutcome(False, f"cannot read the tables: {exc.message}")
        seen: dict[str, Any] = {t: {"rows": c, "checksum": d} for t, (c, d) in now.items()}
        if params.mode == "record":
            for table, reading in seen.items():
                ctx.facts[f"checksum:{table}"] = reading
            rows = ", ".join(f"{t}: {r['rows']} rows" for t, r in seen.items())
            return StepOutcome(True, f"recorded {rows}", data={"tables": seen})
        before = {t: ctx.facts.get(f"checksum:{t}") for t in params.tables}
        differ = []
        for table, reading in seen.items():
            was = before[table]
            if was is None:
                differ.append(f"{table}: never recorded in this run")
            elif was != reading:
                differ.append(
                    f"{table}: {was['rows']} rows ({was['checksum'][:12]}) before, "
                    f"{reading['rows']} rows ({reading['checksum'][:12]}) after"
                )
        data = {"before": before, "after": seen}
        if differ:
            return StepOutcome(False, "tables differ: " + "; ".join(differ), data=data)
        return StepOutcome(True, f"{len(seen)} tables identical to before", data=data)
