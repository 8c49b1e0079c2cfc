"""Plugins load lazily: validating a local scenario or drill imports neither the
Kubernetes nor the Prometheus client.

Each case runs `gameday validate` in a fresh interpreter and reads its `sys.modules`,
so an import anywhere on the path (CLI, registry, validate, a plugin module) is seen.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("kubernetes", "prometheus_api_client", "rich.table", "pandas")
PROBE = """
import json, sys
from gameday.cli.main import run
try:
    run(["validate", *sys.argv[1:]])
except SystemExit as done:
    code = done.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def loaded(*files: Path) -> tuple[int, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return out["code"], set(out["modules"])


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (ROOT / "scenarios" / "local").glob("*.yaml"))
)
def test_local_scenario_imports_no_cluster_or_monitoring_client(name: str) -> None:
    code, modules = loaded(ROOT / "scenarios" / "local" / name)
    assert code == 0
    assert not {m for m in HEAVY if m in modules}


def test_local_drill_imports_no_cluster_or_monitoring_client() -> None:
    code, modules = loaded(ROOT / "drills" / "demo.yaml")
    assert code == 0
    assert not {m for m in HEAVY if m in modules}


def test_the_check_sees_a_heavy_import() -> None:
    """Negative control: a Kubernetes scenario does load its plugins and their client."""
    code, modules = loaded(ROOT / "scenarios" / "kubernetes" / "checkout-pod-delete.yaml")
    assert code == 0
    assert {"gameday.targets.kubernetes.faults", "kubernetes"} <= modules
