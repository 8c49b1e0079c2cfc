"""Redis drills on real servers: an RDB snapshot restore loses everything since the
snapshot, the append-only file loses nothing on a process crash. RPO is checked
against a ground truth read with redis-cli, not through gameday."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from tests.dr.conftest import DrRun
from tests.dr.servers import Redis

EVERY = 0.05


def params(server: Redis, snapshot: bool = True, **extra: Any) -> dict[str, Any]:
    """The scenario's params for this server (`snapshot`: the RDB restore drill's too)."""
    found = {
        "redis_conf": str(server.conf),
        "redis_port": server.port,
        "redis_pid_file": str(server.pid_file),
        **extra,
    }
    if snapshot:
        found["redis_dir"] = str(server.data)
        found["snapshot"] = str(server.root / "backups" / "drill.rdb")
    return found


def ground_truth(server: Redis, ran: DrRun) -> tuple[list[int], float]:
    """(lost acknowledged writes, their span + one interval), from redis-cli alone."""
    (audit,) = [e["audit"] for e in ran.events("data-audit")]
    out = subprocess.run(
        [
            "redis-cli",
            "-p",
            str(server.port),
            "LRANGE",
            f"gameday:writes:{audit['writer']}",
            "0",
            "-1",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    present = {json.loads(line)["seq"] for line in out.splitlines() if line.strip()}
    acked = ran.acked()
    lost = sorted(seq for seq in acked if seq not in present)
    span = acked[lost[-1]] - acked[lost[0]] + EVERY if lost else 0.0
    return lost, span


def test_rdb_restore_loses_everything_since_the_snapshot(redis_rdb: Redis, run_dr: Any) -> None:
    ran = run_dr("redis-rdb-restore", **params(redis_rdb))
    s = ran.scenario
    assert (s.outcome, s.verdict) == ("completed", "pass"), (s.reasons, ran.log[-3000:])
    lost, truth = ground_truth(redis_rdb, ran)
    print(
        f"\nredis RDB restore: gameday RPO {s.data_lost:.3f}s, ground truth {truth:.3f}s, "
        f"lost {len(lost)} writes, RTO {s.time_to_recover:.2f}s"
    )
    assert abs(s.data_lost - truth) <= EVERY
    # Lost: the 2 s of business as usual after the snapshot, up to the kill (the writes
    # land every EVERY seconds, so the span of the lost ones is 2 s within one interval).
    assert 2.0 - EVERY <= truth <= 10.0
    steps = {step.name: step for step in s.steps}
    assert steps["the sentinel written after the snapshot is absent"].ok


def test_aof_loses_nothing_on_a_crash(redis_aof: Redis, run_dr: Any) -> None:
    ran = run_dr("redis-aof-crash", **params(redis_aof, snapshot=False))
    s = ran.scenario
    assert (s.outcome, s.verdict) == ("completed", "pass"), (s.reasons, ran.log[-3000:])
    lost, truth = ground_truth(redis_aof, ran)
    print(
        f"\nredis AOF crash: gameday RPO {s.data_lost:.3f}s, ground truth {truth:.3f}s, "
        f"lost {len(lost)} writes, RTO {s.time_to_recover:.2f}s"
    )
    assert lost == [] and s.data_lost == 0.0 and s.data_missing == 0


def test_the_same_crash_without_aof_misses_the_rpo(redis_rdb: Redis, run_dr: Any) -> None:
    subprocess.run(["redis-cli", "-p", str(redis_rdb.port), "SAVE"], check=True, timeout=30)
    ran = run_dr(
        "redis-aof-crash", **params(redis_rdb, snapshot=False, sentinel_after_restart="absent")
    )
    s = ran.scenario
    lost, truth = ground_truth(redis_rdb, ran)
    print(f"\nredis RDB-only crash: gameday RPO {s.data_lost:.3f}s, ground truth {truth:.3f}s")
    assert s.verdict == "fail"
    assert any(r.startswith("RPO exceeded") for r in s.reasons), s.reasons
    assert lost and abs(s.data_lost - truth) <= EVERY
