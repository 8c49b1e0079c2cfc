"""The shipped MariaDB drill on a real server: kill + data directory lost, logical
backup + binary log replay. RPO is checked against a ground truth read with the
mariadb client, not through gameday."""

from __future__ import annotations

from typing import Any

from tests.dr.conftest import DrRun
from tests.dr.servers import Mariadb

EVERY = 0.05


def params(server: Mariadb, **extra: Any) -> dict[str, Any]:
    return {
        "my_cnf": str(server.cnf),
        "mariadb_port": server.port,
        "mariadb_socket": str(server.socket),
        "datadir": str(server.data),
        "binlog_index": str(server.root / "binlog" / "mysql-bin.index"),
        "pid_file": str(server.pid_file),
        "dump": str(server.root / "backups" / "drill.sql"),
        **extra,
    }


def ground_truth(server: Mariadb, ran: DrRun) -> tuple[list[int], float]:
    (audit,) = [e["audit"] for e in ran.events("data-audit")]
    out = server.sql(f"SELECT seq FROM app.gameday_writes WHERE writer = '{audit['writer']}'")
    present = {int(line) for line in out.split()}
    acked = ran.acked()
    lost = sorted(seq for seq in acked if seq not in present)
    span = acked[lost[-1]] - acked[lost[0]] + EVERY if lost else 0.0
    return lost, span


def test_dump_and_binlog_replay_loses_no_acknowledged_write(mariadb: Mariadb, run_dr: Any) -> None:
    ran = run_dr("mariadb-dump-binlog", **params(mariadb))
    s = ran.scenario
    assert (s.outcome, s.verdict) == ("completed", "pass"), (s.reasons, ran.log[-3000:])
    lost, truth = ground_truth(mariadb, ran)
    print(
        f"\nmariadb dump + binlog: gameday RPO {s.data_lost:.3f}s, ground truth {truth:.3f}s, "
        f"lost {len(lost)} writes, RTO {s.time_to_recover:.2f}s"
    )
    assert abs((s.data_lost or 0.0) - truth) <= EVERY
    assert lost == []
    (audit,) = [e["audit"] for e in ran.events("data-audit")]
    assert audit["out_of_order"] == 0 and audit["duplicates"] == 0
    steps = {step.name: step for step in s.steps}
    assert steps["the sentinel written after the backup is back"].ok
    assert steps["reference data is unchanged"].ok


def test_a_stale_dump_fails_the_drill_and_the_safety_net_restores_the_server(
    mariadb: Mariadb, run_dr: Any
) -> None:
    ran = run_dr("mariadb-dump-binlog", **params(mariadb, dump_max_age="1ms"))
    s = ran.scenario
    assert (s.outcome, s.verdict) == ("recovery-failed", "fail"), s.reasons
    assert "stale" in s.reasons[0] and "bound 0.001s" in s.reasons[0], s.reasons
    # Rollback's revert put the lost data directory back and started the server.
    assert mariadb.answers() and mariadb.data.exists()
    assert not mariadb.data.with_name("data.gameday-lost").exists()
    assert mariadb.sql("SELECT count(*) FROM app.reference").strip() == "1000"
