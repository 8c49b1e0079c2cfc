"""A real run to publish and export (the demo system's web-replica-kill), and the
monitoring fixtures (a real Pushgateway)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from tests.cli.helpers import gameday
from tests.conftest import ROOT
from tests.monitoring.conftest import pushgateway  # noqa: F401 (fixture)

SCENARIO = ROOT / "scenarios" / "local" / "web-replica-kill.yaml"


@pytest.fixture(scope="module")
def run_dir(stack: DemoStack, tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = tmp_path_factory.mktemp("reports")
    params = stack.params()
    sets = [a for k in ("frontend_url", "supervisor_url") for a in ("--set", f"{k}={params[k]}")]
    done = gameday("run", str(SCENARIO), "--reports", str(reports), "--plain", *sets, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = reports.glob("*/*/journal.jsonl")
    return found.parent
