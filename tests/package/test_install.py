"""The built wheel, installed the way a team would (a fresh venv outside the repository,
and pipx), runs `gameday demo` from an unrelated directory: the demo's drill, scenarios
and services ship inside the package. The base install stays lean; extras exist.

Needs the package index (PyPI) for the dependencies, as any install does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gameday import DISTRIBUTION
from gameday.demo.intro import EXPECTED_MISS
from tests.conftest import ROOT

HEAVY_EXTRAS = {
    "psycopg",
    "psycopg-binary",
    "pymysql",
    "redis",
    "pytest",
    "mypy",
    "ruff",
    "kubernetes",
}


def sh(
    *args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 600
) -> str:
    # A clean environment: nothing from the test venv or the repository leaks in.
    base = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**base, "NO_COLOR": "1", "COLUMNS": "200", **(env or {})},
    )
    assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    pip = (sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, ROOT)
    sh(*pip, cwd=out)
    (built,) = out.glob("gameday_drills-*.whl")
    return built


def check_demo(gameday: Path, where: Path) -> None:
    """`gameday demo` from a directory that is not the repository, with its own state."""
    output = sh(
        gameday, "demo", "--plain", "--reports", where / "reports",
        cwd=where, env={"GAMEDAY_STATE": str(where / "state")}, timeout=300,
    )  # fmt: skip
    for name in EXPECTED_MISS:
        assert f"{name}: expected to MISS its SLO" in output
    # store-outage's breach is its hypothesis (expect.breach): announced as such
    assert "store-outage: expected to BREACH its SLOs while the fault is in place" in output
    assert "nothing left running" in output
    (report,) = (where / "reports" / "demo").glob("*/report.json")
    verdicts = {s["name"]: s["verdict"] for s in json.loads(report.read_text())["scenarios"]}
    # What the demo announces is what happens: exactly the announced scenarios miss.
    assert {n for n, v in verdicts.items() if v != "pass"} == set(EXPECTED_MISS), verdicts
    assert len(verdicts) == 4


def test_wheel_in_a_fresh_venv_runs_the_demo_from_anywhere(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    sh(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    started = time.monotonic()
    sh(venv / "bin/pip", "install", "-q", "--disable-pip-version-check", wheel, cwd=tmp_path)
    print(f"install: {time.monotonic() - started:.1f}s")
    installed = sh(venv / "bin/pip", "list", "--format=json", cwd=tmp_path)
    names = {p["name"].lower() for p in json.loads(installed.splitlines()[0])}
    assert DISTRIBUTION in names and "gameday" not in names
    assert not names & HEAVY_EXTRAS, f"the base install pulls in extras: {names & HEAVY_EXTRAS}"
    version = sh(venv / "bin/gameday", "--version", cwd=tmp_path)
    assert version.strip() == f"gameday 0.1.0 ({DISTRIBUTION})"
    where = sh(venv / "bin/python", "-c", "import gameday; print(gameday.__file__)", cwd=tmp_path)
    assert where.startswith(str(venv)), f"imported from {where}, not the venv"
    check_demo(venv / "bin/gameday", tmp_path)
    # a Kubernetes scenario in the base install names the extra it needs
    scenario = ROOT / "examples" / "ci" / "scenarios" / "web-pod-delete.yaml"
    done = subprocess.run(
        [venv / "bin/gameday", "validate", scenario], cwd=tmp_path, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "pip install 'gameday-drills[kubernetes]'" in done.stderr, done.stderr


EXTRAS = {
    "postgres": "psycopg",
    "mysql": "pymysql",
    "redis": "redis",
    "browser": "websocket-client",
    "kubernetes": "kubernetes",
}


def test_extras_resolve_to_their_drivers(wheel: Path, tmp_path: Path) -> None:
    """One resolution (no install) of every extra: each brings its driver."""
    report = tmp_path / "report.json"
    sh(
        sys.executable, "-m", "pip", "install", "-q", "--dry-run", "--ignore-installed",
        "--report", report, f"{DISTRIBUTION}[{','.join(EXTRAS)}] @ {wheel.as_uri()}",
        cwd=tmp_path,
    )  # fmt: skip
    resolved = {i["metadata"]["name"].lower() for i in json.loads(report.read_text())["install"]}
    assert set(EXTRAS.values()) <= resolved, set(EXTRAS.values()) - resolved


def test_pipx_installs_the_command(wheel: Path, tmp_path: Path) -> None:
    tools = tmp_path / "tools"
    sh(sys.executable, "-m", "venv", tools, cwd=tmp_path)
    sh(tools / "bin/pip", "install", "-q", "--disable-pip-version-check", "pipx", cwd=tmp_path)
    env = {"PIPX_HOME": str(tmp_path / "pipx"), "PIPX_BIN_DIR": str(tmp_path / "bin")}
    sh(tools / "bin/pipx", "install", wheel, cwd=tmp_path, env=env)
    gameday = tmp_path / "bin" / "gameday"
    assert sh(gameday, "--version", cwd=tmp_path, env=env).startswith("gameday 0.1.0")
    check_demo(gameday, tmp_path)
