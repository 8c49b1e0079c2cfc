"""The shipped PostgreSQL PITR drill on a real server: kill + data directory lost,
base backup + WAL archive replay. RPO is checked against a ground truth read straight
from the restored server with psql, not through gameday."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import yaml

from gameday.execute.journal import CRASH_AFTER, JOURNAL, read_journal
from gameday.targets.stores.verify import (
    Sentinel,
    SentinelParams,
    TableChecksum,
    TableChecksumParams,
)
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT
from tests.dr.servers import SECRET_PASSWORD, SECRET_ROLE, Postgres


def params(pg: Postgres, **extra: Any) -> dict[str, Any]:
    return {
        "pg_bin": str(pg.bin),
        "pgdata": str(pg.data),
        "archive_dir": str(pg.archive),
        "backup_dir": str(pg.backups / "drill"),
        "restore_from": str(pg.backups / "drill"),
        "dsn": pg.dsn,
        "backup_max_age": "20s",
        **extra,
    }


def surviving(pg: Postgres, writer: str) -> set[int]:
    out = subprocess.run(
        [
            str(pg.bin / "psql"),
            pg.dsn,
            "-At",
            "-c",
            f"SELECT seq FROM gameday_writes WHERE writer = '{writer}'",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    return {int(line) for line in out.split()}


def test_pitr_drill_passes_and_its_rpo_matches_the_ground_truth(
    postgres: Postgres, run_dr: Any
) -> None:
    ran = run_dr("postgres-pitr", **params(postgres))
    s = ran.scenario
    assert (s.outcome, s.verdict) == ("completed", "pass"), (s.reasons, ran.log[-3000:])
    (audit,) = [e["audit"] for e in ran.events("data-audit")]
    (applied,) = ran.events("injection-applied")
    inject_t = applied["t"]
    acked = ran.acked()
    # Ground truth, independent of gameday: which acknowledged writes are in the
    # restored database, read with psql.
    present = surviving(postgres, audit["writer"])
    lost = sorted(seq for seq in acked if seq not in present)
    # Only writes not yet archived (archive_timeout = 1 s) may be lost; by chance the
    # kill can land right after a segment switch and lose none.
    assert all(acked[seq] <= inject_t for seq in lost), "a write after the disaster was lost"
    truth = acked[lost[-1]] - acked[lost[0]] + 0.05
    every = 0.05
    print(
        f"\npostgres PITR: gameday RPO {s.data_lost:.3f}s, ground truth {truth:.3f}s, "
        f"lost {len(lost)} writes, RTO {s.time_to_recover:.2f}s"
    )
    assert abs(s.data_lost - truth) <= every
    assert audit["missing"] == len(lost)
    assert s.data_lost <= 3.0, "far more lost than archive_timeout (1 s) allows"
    assert audit["out_of_order"] == 0 and audit["duplicates"] == 0
    if lost:
        assert audit["lost_ranges"] == 1  # a clean cut at one point in time
        assert audit["last_missing_seq"] == lost[-1]
        assert audit["restore_point_seq"] == max(seq for seq in present if seq < lost[0])
    steps = {step.name: step for step in s.steps}
    assert steps["the sentinel written after the backup is back"].ok
    assert steps["reference data is unchanged"].ok
    story = s.restore
    assert story is not None and story.store == "postgres"
    # The restore story: phases add up to the RTO, the backup is the one setup took.
    assert abs(sum(took for _, took in story.rto_phases) - (s.time_to_recover or 0)) < 0.01
    assert dict(story.rto_phases)["replay"] > 0 and dict(story.rto_phases)["restore"] > 0
    assert story.backup_label == "gameday postgres-pitr"
    assert 0 < (story.backup_age_at_disaster or 0) < 30
    assert story.rpo == s.data_lost and story.rpo_objective == 5.0
    if lost:
        assert story.restore_point_seq == audit["restore_point_seq"]
        assert story.lost_last_seq == lost[-1]
    report = (ran.run_dir / "report.md").read_text()
    assert "## Restore" in report and "gameday postgres-pitr" in report
    assert "RPO (objective)" in (ran.run_dir / "report.html").read_text()
    print(f"restore story: {story}")


def test_a_stale_backup_fails_the_drill(postgres: Postgres, run_dr: Any, tmp_path: Any) -> None:
    stale = postgres.backups / "stale"
    subprocess.run(
        [str(postgres.bin / "pg_basebackup"), "-d", postgres.dsn, "-D", str(stale), "-c", "fast"],
        user="postgres",
        check=True,
        capture_output=True,
        timeout=120,
    )
    time.sleep(3)
    ran = run_dr("postgres-pitr", **params(postgres, restore_from=str(stale), backup_max_age="2s"))
    s = ran.scenario
    assert s.verdict == "fail" and s.outcome == "recovery-failed", s.reasons
    assert "stale" in s.reasons[0] and "bound 2s" in s.reasons[0]
    # The safety net put the lost data directory back and started it again.
    assert subprocess.run([str(postgres.bin / "pg_isready"), "-d", postgres.dsn]).returncode == 0


def _run_file(tmp_path: Path, name: str, values: dict[str, Any], env: dict[str, str]) -> Path:
    values_file = tmp_path / f"{name}-values.yaml"
    values_file.write_text(yaml.safe_dump(values))
    reports = tmp_path / name
    subprocess.run(
        [
            GAMEDAY,
            "run",
            str(DATA / "dr" / "postgres-secret.yaml"),
            "--values",
            str(values_file),
            "--reports",
            str(reports),
            "--auto-approve",
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    (run_dir,) = reports.glob("postgres-secret/*")
    return run_dir


def _acked(run_dir: Path) -> tuple[int, list[str]]:
    rows = [
        row for r in read_journal(run_dir / JOURNAL) if r["type"] == "samples" for row in r["s"]
    ]
    return sum(row[1] for row in rows), [row[4] for row in rows if not row[1]]


def test_store_passwords_are_used_and_never_written(postgres: Postgres, tmp_path: Path) -> None:
    dsn = postgres.dsn.replace("user=postgres", f"user={SECRET_ROLE}")
    by_param = _run_file(tmp_path, "param", {"dsn": dsn, "password": SECRET_PASSWORD}, {})
    by_env = _run_file(
        tmp_path,
        "env",
        {"dsn": dsn, "password_env": "DRILL_PG_PASSWORD"},
        {"DRILL_PG_PASSWORD": SECRET_PASSWORD},
    )
    wrong = _run_file(tmp_path, "wrong", {"dsn": dsn, "password": SECRET_PASSWORD[::-1]}, {})
    assert _acked(by_param)[0] > 5 and _acked(by_env)[0] > 5  # the password worked
    acked, errors = _acked(wrong)
    assert acked == 0 and errors and "password authentication failed" in errors[0]
    for run_dir in (by_param, by_env, wrong):
        for path in run_dir.iterdir():
            text = path.read_text(errors="replace")
            assert SECRET_PASSWORD not in text and SECRET_PASSWORD[::-1] not in text, path


def test_a_crash_mid_disaster_is_undone_by_recover(postgres: Postgres, tmp_path: Path) -> None:
    """SIGKILL the runner while the data directory is lost: `gameday recover` runs the
    fault's revert from the journal, which puts the directory back and starts the server."""
    values = tmp_path / "values.yaml"
    values.write_text(yaml.safe_dump(params(postgres)))
    proc = subprocess.run(
        [
            GAMEDAY,
            "run",
            str(ROOT / "scenarios" / "dr" / "postgres-pitr.yaml"),
            "--values",
            str(values),
            "--reports",
            str(tmp_path / "r"),
            "--auto-approve",
        ],
        cwd=ROOT,
        env={**os.environ, CRASH_AFTER: "phase:observe"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-2000:]
    assert not postgres.data.exists(), "the disaster did not happen before the crash"
    (run_dir,) = (tmp_path / "r").glob("postgres-pitr/*")
    done = gameday("recover", str(run_dir), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    ready = subprocess.run([str(postgres.bin / "pg_isready"), "-d", postgres.dsn], check=False)
    assert ready.returncode == 0 and postgres.data.exists()
    rows = subprocess.run(
        [
            str(postgres.bin / "psql"),
            postgres.dsn,
            "-Atc",
            "SELECT count(*) FROM gameday_reference",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    assert rows.strip() == "1000"  # the original data directory, not an empty one


def test_checksums_and_sentinels_catch_what_changed(postgres: Postgres) -> None:
    """Negative controls for the verification actions, on the real server."""

    def psql(sql: str) -> None:
        subprocess.run(
            [str(postgres.bin / "psql"), postgres.dsn, "-c", sql],
            check=True,
            capture_output=True,
            timeout=30,
        )

    ctx: Any = SimpleNamespace(facts={})
    store = {"kind": "postgres", "dsn": postgres.dsn}
    psql("CREATE TABLE IF NOT EXISTS drill_ref AS SELECT g AS id FROM generate_series(1, 50) g")
    tables = TableChecksumParams.model_validate(
        {"store": store, "tables": ["drill_ref"], "mode": "record"}
    )
    assert TableChecksum().run(tables, ctx, 10).ok
    psql("UPDATE drill_ref SET id = id + 1000 WHERE id = 7")  # same count, other content
    compare = tables.model_copy(update={"mode": "compare"})
    changed = TableChecksum().run(compare, ctx, 10)
    assert not changed.ok and "drill_ref: 50 rows" in changed.detail
    assert changed.data["before"]["drill_ref"] != changed.data["after"]["drill_ref"]

    seed = SentinelParams.model_validate({"store": store, "name": "ctl", "mode": "seed"})
    assert Sentinel().run(seed, ctx, 10).ok
    present = seed.model_copy(update={"mode": "present"})
    absent = seed.model_copy(update={"mode": "absent"})
    assert Sentinel().run(present, ctx, 10).ok
    refused = Sentinel().run(absent, ctx, 10)
    assert not refused.ok and "not a restore from that backup" in refused.detail
    psql("DELETE FROM gameday_writes WHERE writer = 'sentinel-ctl'")
    lost = Sentinel().run(present, ctx, 10)
    assert not lost.ok and "the restore stopped short" in lost.detail
    never = Sentinel().run(
        SentinelParams.model_validate({"store": store, "name": "other", "mode": "present"}), ctx, 10
    )
    assert not never.ok and "never seeded" in never.detail
