"""`backup-check` on real files: age from backup_label or modification times, integrity
by command and by checksum, and every failure saying why."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from gameday.targets.local.backupcheck import BackupCheck, BackupCheckParams


def check(**params: Any) -> Any:
    ctx: Any = SimpleNamespace(facts={})
    outcome = BackupCheck().run(BackupCheckParams(**params), ctx, 30.0)
    return outcome, ctx.facts


def test_a_fresh_intact_file_passes_and_is_recorded(tmp_path: Path) -> None:
    dump = tmp_path / "dump.rdb"
    dump.write_bytes(b"REDIS0011" + os.urandom(64))
    (tmp_path / "dump.rdb.sha256").write_text(
        hashlib.sha256(dump.read_bytes()).hexdigest() + "  dump.rdb\n"
    )
    outcome, facts = check(
        path=str(dump),
        max_age="1h",
        integrity=["test", "-s", str(dump)],
        sha256_file=str(dump) + ".sha256",
    )
    assert outcome.ok, outcome.detail
    assert facts["backup"]["age_source"] == "file modification time"
    assert abs(outcome.data["taken_wall"] - dump.stat().st_mtime) < 0.01


def test_each_problem_fails_with_its_evidence(tmp_path: Path) -> None:
    dump = tmp_path / "dump.sql"
    dump.write_text("-- dump\n")
    two_days = time.time() - 2 * 86400
    os.utime(dump, (two_days, two_days))
    (tmp_path / "dump.sql.sha256").write_text("0" * 64 + "  dump.sql\n")
    outcome, _ = check(
        path=str(dump), max_age="24h", integrity=["false"], sha256_file=str(dump) + ".sha256"
    )
    assert not outcome.ok
    assert "stale: 172800s old (file modification time), bound 86400s" in outcome.detail
    assert "integrity check false exited 1" in outcome.detail
    assert "checksum mismatch" in outcome.detail
    missing, _ = check(path=str(tmp_path / "nothing"), max_age="1h")
    assert not missing.ok and "no backup at" in missing.detail


def test_a_base_backup_is_dated_by_its_backup_label(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base.mkdir()
    (base / "PG_VERSION").write_text("15\n")  # copied now: its mtime says nothing
    (base / "backup_label").write_text(
        "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)\n"
        "START TIME: 2026-11-28 06:00:00 UTC\nLABEL: nightly\n"
    )
    outcome, _ = check(path=str(base), max_age="700h")
    assert outcome.ok and outcome.data["label"] == "nightly"
    assert outcome.data["taken_wall"] == 1795845600.0  # 2026-11-28T06:00:00Z
    assert outcome.data["age_source"] == "backup_label START TIME"
    (base / "backup_label").write_text("START TIME: 2026-11-28 07:00:00 CET\nLABEL: x\n")
    outcome, _ = check(path=str(base), max_age="700h")
    assert not outcome.ok and "not UTC" in outcome.detail
