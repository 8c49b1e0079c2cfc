"""`pytest --gameday scenarios/local` against the real demo stack: each scenario is a
test item; the front end's latency, raised past its SLO with `--gameday-set delay=900ms`,
is a failed item carrying its reasons, and pytest's JUnit XML reports it. (The store
outage breaches its SLO by design, within the bounds its hypothesis states: it passes.)"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from gameday.demo.stack import DemoStack
from tests.conftest import ROOT


def test_scenario_library_runs_as_pytest_items(stack: DemoStack, tmp_path: Path) -> None:
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "--gameday",
        "scenarios/local",
        "-p",
        "no:cacheprovider",
    ]
    for key, value in {**stack.params(), "delay": "900ms"}.items():
        argv += ["--gameday-set", f"{key}={value}"]
    argv += [
        "--gameday-reports",
        str(tmp_path / "reports"),
        "--junitxml",
        str(tmp_path / "junit.xml"),
    ]
    argv += ["-k", "not web-cpu-stress", "-rf", "--rootdir", str(tmp_path)]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout[-3000:]  # 1 = some tests failed
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert set(cases) == {"web-replica-kill", "frontend-latency", "store-outage", "store-data-loss"}
    failure = cases["frontend-latency"].find("failure")
    assert failure is not None and "SLO 'p95 latency' missed" in (failure.get("message") or "") + (
        failure.text or ""
    )
    assert cases["web-replica-kill"].find("failure") is None
    assert cases["store-outage"].find("failure") is None
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED")]
    assert len(failed) == 1 and "frontend-latency.yaml::frontend-latency" in failed[0], failed


def test_select_by_owner_keyword_and_tag_marker(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "pytest", "--gameday", "scenarios", "--collect-only", "-q"]
    argv += ["-p", "no:cacheprovider", "--rootdir", str(tmp_path)]
    by_owner = subprocess.run(
        [*argv, "-k", "checkout-squad"], cwd=ROOT, capture_output=True, text=True
    )
    assert "3 tests collected" in by_owner.stdout or "3/" in by_owner.stdout, by_owner.stdout
    assert "checkout-pod-delete" in by_owner.stdout and "store-outage" not in by_owner.stdout
    by_tag = subprocess.run(
        [*argv, "-m", "gameday_tag_disaster_recovery"], cwd=ROOT, capture_output=True, text=True
    )
    assert "payments-namespace-restore" in by_tag.stdout and "checkout" not in by_tag.stdout
