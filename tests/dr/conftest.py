"""Fixtures for the DR tests: real PostgreSQL, MariaDB and Redis servers (see
servers.py), and a runner that executes a shipped scenario against one in-process."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.model.scorecard import ScenarioScore
from gameday.render import render_all
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import ROOT
from tests.dr.servers import Mariadb, Postgres, Redis

SCENARIOS = ROOT / "scenarios" / "dr"


def _need(*programs: str) -> None:
    missing = [p for p in programs if shutil.which(p) is None]
    if not missing:
        return
    message = f"not installed: {', '.join(missing)} (scripts/test installs them as root)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)  # CI must run the DR drills, never skip them
    pytest.skip(message)


@dataclass
class DrRun:
    scenario: ScenarioScore
    records: list[dict[str, Any]]
    run_dir: Path
    log: str

    def events(self, type_: str) -> list[dict[str, Any]]:
        return [r for r in self.records if r["type"] == type_]

    def acked(self, probe: str = "writes") -> dict[int, float]:
        """seq -> t of every acknowledged write, from the journal's raw samples."""
        rows = [
            row
            for r in self.records
            if r["type"] == "samples" and r["probe"] == probe
            for row in r["s"]
        ]
        return {int(row[3]): float(row[0]) for row in rows if row[1]}


@pytest.fixture
def run_dr(tmp_path: Path) -> Any:
    def run(name: str, **params: Any) -> DrRun:
        subject = load(SCENARIOS / f"{name}.yaml", params)
        log = io.StringIO()
        run_dir, _ = execute(
            subject,
            tmp_path / "reports",
            RunOptions(auto_approve=True),
            PlainView(Console(file=log, width=200)),
        )
        records = read_journal(run_dir / JOURNAL)
        card = score_journal(records)
        render_all(card, run_dir)
        (scenario,) = card.scenarios
        return DrRun(scenario, records, run_dir, log.getvalue())

    return run


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    if not Path("/usr/lib/postgresql").is_dir():
        _need("postgresql-server")  # skips, or fails under CI
    server = Postgres.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def mariadb() -> Iterator[Mariadb]:
    _need("mariadbd", "mariadb-install-db", "mariadb-dump", "mariadb-binlog")
    server = Mariadb.start()
    yield server
    server.stop()


@pytest.fixture
def redis_rdb() -> Iterator[Redis]:
    _need("redis-server", "redis-cli", "redis-check-rdb")
    server = Redis.start(aof=False)
    yield server
    server.stop()


@pytest.fixture
def redis_aof() -> Iterator[Redis]:
    _need("redis-server", "redis-cli", "redis-check-aof")
    server = Redis.start(aof=True)
    yield server
    server.stop()
