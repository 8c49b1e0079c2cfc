"""Plugins load lazily: validating a local scenario or drill imports neither the
Kubernetes nor the Prometheus client, nor Jinja2's sandbox when nothing is templated.

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
from tests.plugins.minimal import minimal_scenario

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


UNTEMPLATED = minimal_scenario("plain-kill")


def test_untemplated_scenario_does_not_import_the_sandbox(tmp_path: Path) -> None:
    path = tmp_path / "plain.yaml"
    path.write_text(UNTEMPLATED)
    code, modules = loaded(path)
    assert code == 0, "the fixture scenario must itself be valid"
    assert not {"jinja2.sandbox", "gameday.sandbox"} & modules
    assert "gameday.targets.local.faults" in modules  # the plugin it names was loaded


def test_templated_scenario_imports_the_sandbox(tmp_path: Path) -> None:
    """Negative control for the one above: the same file with one template does."""
    path = tmp_path / "templated.yaml"
    path.write_text(UNTEMPLATED.replace('"http://127.0.0.1:9/"', '"http://127.0.0.1:{{ 9 }}/"'))
    code, modules = loaded(path)
    assert code == 0
    assert "jinja2.sandbox" in modules


def test_the_check_sees_a_heavy_import() -> None:
    """Negative control: a Kubernetes scenario does load its plugins and their client."""
    code, modules = loaded(ROOT / "scenarios" / "kubernetes" / "checkout-pod-delete.yaml")
    assert code == 0
    assert {"gameday.targets.kubernetes.faults", "kubernetes"} <= modules
