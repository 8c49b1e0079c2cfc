"""Chaos Toolkit experiments -> gameday/v1 scenarios. The source documents are checked
by Chaos Toolkit itself (`chaos validate`, with chaostoolkit-kubernetes for the chaosk8s
activities, so their arguments are bound to the real function signatures), the import
says exactly what it could not map, and the imported web-replica experiment runs as a
gameday scenario against the real demo system."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, read_journal
from gameday.interop.chaostoolkit import import_experiment, read_experiment
from gameday.score import score_journal
from tests.cli.helpers import gameday
from tests.conftest import DATA, ROOT

WEB = DATA / "interop" / "ctk-web-replica.json"
POD = DATA / "interop" / "ctk-pod-kill.yaml"
CTK = Path.home() / ".cache" / "gameday" / "chaostoolkit-venv"
CTK_PINS = ["chaostoolkit==1.19.0", "chaostoolkit-kubernetes==0.39.0"]
VENV_BIN = str(Path(sys.executable).parent)  # supervisorctl, which the experiment calls


@pytest.fixture(scope="session")
def chaos() -> Path:
    """Chaos Toolkit in its own venv (~/.cache/gameday), installed from the index once."""
    binary = CTK / "bin" / "chaos"
    if not binary.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(CTK)], check=True)
        done = subprocess.run(
            [str(CTK / "bin" / "pip"), "install", "-q", *CTK_PINS],
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.fail(f"installing Chaos Toolkit failed:\n{done.stderr[-3000:]}")
    return binary


def chaos_validate(chaos: Path, path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}"}
    env |= {"CHECKOUT_NAMESPACE": "shop", "KUBE_CONTEXT": "kind-gameday"}  # the env config
    return subprocess.run(
        [str(chaos), "--no-log-file", "validate", str(path)],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


@pytest.mark.parametrize("path", [WEB, POD])
def test_chaos_toolkit_accepts_the_test_documents(chaos: Path, path: Path, tmp_path: Path) -> None:
    done = chaos_validate(chaos, path)
    assert done.returncode == 0, done.stdout + done.stderr
    broken = tmp_path / path.name  # negative control: a probe without a provider
    broken.write_text(
        path.read_text().replace('"provider"', '"provides"').replace("provider:", "provides:")
    )
    assert chaos_validate(chaos, broken).returncode != 0


def test_web_replica_experiment_maps_fully() -> None:
    result = import_experiment(read_experiment(WEB))
    scenario = result.document
    assert [p["type"] for p in scenario["steady_state"]["probes"]] == ["http", "http"]
    answers, body = scenario["steady_state"]["probes"]
    assert answers["params"]["url"] == "{{ frontend_url }}"  # ${var} -> {{ var }}
    assert answers["params"]["expect_status"] == [200] and answers["params"]["timeout"] == "2s"
    assert body["params"]["body_contains"] == "replica"  # a literal regex tolerance
    fault = scenario["fault"]
    assert fault["type"] == "command" and fault["duration"] == "3s"  # pauses.after
    assert fault["params"]["inject"][-2:] == ["stop", "web:web-1"]
    assert scenario["rollback"][0]["params"]["argv"][-2:] == ["start", "web:web-1"]
    assert [s["params"]["probe"] for s in scenario["recovery"]["steps"]] == [
        "front-end-answers",
        "front-end-body",
    ]
    assert fault["params"]["confirm"][:2] == ["sh", "-c"]  # the method probe after it
    assert "status web:web-1 | grep -q STOPPED" in fault["params"]["confirm"][2]
    assert result.unmapped == []


def test_kubernetes_experiment_says_what_did_not_map() -> None:
    result = import_experiment(read_experiment(POD))
    fault = result.document["fault"]
    assert fault == {
        "type": "pod-delete",
        "params": {"labels": {"app": "checkout", "tier": "web"}, "count": 1, "grace_period": "0s"},
        "duration": "20s",
        "blast_radius": {"max_targets": 1},
    }
    assert result.document["target"]["kind"] == "kubernetes"
    assert result.document["steady_state"]["probes"][0]["params"]["expect_status"] == [200, 204]
    assert result.unmapped == [
        "steady-state probe `all-pods-healthy`: python provider "
        "chaosk8s.probes.all_pods_healthy has no gameday probe",
        "method action `drain-a-node`: a second action (gameday injects one fault per scenario)",
        "rollback `uncordon-nodes`: python provider has no gameday step",
        "configuration `namespace`: env value (set it with --set)",
        "`secrets`: no gameday equivalent",
    ]


def test_imported_experiment_runs_against_the_demo(
    stack: DemoStack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "web-replica.yaml"
    done = gameday("import", "chaostoolkit", str(WEB), "-o", str(scenario))
    assert done.returncode == 0 and "everything was mapped" in done.stderr, done.stderr
    assert gameday("validate", str(scenario)).returncode == 0
    params = stack.params()
    supervisor = params["supervisor_url"].removesuffix("/RPC2")
    monkeypatch.setenv("PATH", f"{VENV_BIN}{os.pathsep}{os.environ['PATH']}")
    done = gameday(
        "run", str(scenario), "--reports", str(tmp_path / "reports"), "--plain", "--auto-approve",
        "--set", f"frontend_url={params['frontend_url']}", "--set", f"supervisor_url={supervisor}",
        timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (run_dir,) = (tmp_path / "reports").glob("*/*/")
    (result,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    assert result.outcome == "completed" and result.verdict == "pass", result.reasons
    states = {i["name"]: i["statename"] for i in stack.rpc().supervisor.getAllProcessInfo()}
    assert states["web-1"] == "RUNNING"  # the experiment's rollback started it again
    assert "start-web-1" in [s.name for s in result.steps if s.ok]  # the rollback step ran


@pytest.mark.parametrize("source", [WEB, POD])
def test_export_round_trip_is_valid_and_stable(chaos: Path, source: Path, tmp_path: Path) -> None:
    """import -> export -> `chaos validate` accepts it -> import again: the same scenario."""
    first = tmp_path / "first.yaml"
    assert gameday("import", "chaostoolkit", str(source), "-o", str(first)).returncode == 0
    exported = tmp_path / "exported.json"
    done = gameday("export", "chaostoolkit", str(first), "-o", str(exported))
    assert done.returncode == 0, done.stderr
    checked = chaos_validate(chaos, exported)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    again = import_experiment(read_experiment(exported)).document
    original = import_experiment(read_experiment(source)).document
    for doc in (again, original):
        doc["metadata"].pop("tags")  # the export adds `gameday`, the import `chaostoolkit`
        doc["params"] = {k: v for k, v in doc["params"].items() if not str(v).startswith("<")}
    assert again == original


def test_export_refuses_a_fault_chaos_toolkit_cannot_run() -> None:
    done = gameday("export", "chaostoolkit", str(ROOT / "scenarios/local/web-replica-kill.yaml"))
    assert done.returncode == 2
    assert "fault `process-kill` has no Chaos Toolkit counterpart" in done.stderr
