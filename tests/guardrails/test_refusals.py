"""Each guardrail refusal, through the real CLI: exit 3, the rule named, the fix given,
and nothing touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from textwrap import dedent

import pytest

from gameday.demo.stack import DemoStack
from tests.cli.helpers import GAMEDAY
from tests.conftest import ROOT

POD_DELETE = ROOT / "scenarios" / "kubernetes" / "checkout-pod-delete.yaml"
KUBECONFIG = dedent("""\
    apiVersion: v1
    kind: Config
    clusters:
      - name: staging-cluster
        cluster: {server: "https://127.0.0.1:16443"}
      - name: prod-cluster
        cluster: {server: "https://127.0.0.2:6443"}
    contexts:
      - name: staging
        context: {cluster: staging-cluster, user: u}
      - name: renamed-prod
        context: {cluster: prod-cluster, user: u}
      - name: prod
        context: {cluster: prod-cluster, user: u}
    users:
      - name: u
        user: {token: not-a-real-token}
    """)
GUARDRAILS = dedent("""\
    [tool.gameday.guardrails]
    local_processes = ['gameday\\.demo\\.services (store|frontend)']

    [[tool.gameday.guardrails.kube_contexts]]
    name = "staging"
    server = "https://127.0.0.1:16443"
    namespaces = ["checkout"]

    [[tool.gameday.guardrails.kube_contexts]]
    name = "renamed-prod"
    server = "https://127.0.0.1:16443"

    [[tool.gameday.guardrails.kube_contexts]]
    name = "prod"
    server = "https://127.0.0.2:6443"
    production = true
    max_pod_percent = "10%"
    """)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(GUARDRAILS)
    (tmp_path / "kubeconfig").write_text(KUBECONFIG)
    return tmp_path


def run(project: Path, scenario: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONFIG": str(project / "kubeconfig"), "COLUMNS": "250"}
    argv = [GAMEDAY, "run", str(scenario), "--reports", str(project / "reports"), *args]
    return subprocess.run(argv, cwd=project, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "rule", "fix"),
    [
        (
            ["--set", "context=dev"],
            "allowed-contexts",
            "add it under [[tool.gameday.guardrails.kube_contexts]]",
        ),
        (
            ["--set", "context=renamed-prod"],
            "context-server",
            "points at https://127.0.0.2:6443, but the allow-list says https://127.0.0.1:16443",
        ),
        (
            ["--set", "context=staging", "--set", "namespace=payments"],
            "allowed-namespaces",
            "allowed: checkout",
        ),
        (["--set", "context=prod"], "production-confirm", "--confirm prod"),
        (["--set", "context=prod", "--confirm", "prod"], "production-blast-radius", "at most 10%"),
    ],
    ids=[
        "unknown-context",
        "renamed-context",
        "namespace",
        "production-unconfirmed",
        "production-blast",
    ],
)
def test_kubernetes_refusals(project: Path, args: list[str], rule: str, fix: str) -> None:
    done = run(project, POD_DELETE, *args)
    assert done.returncode == 3, done.stdout[-1500:] + done.stderr[-1500:]
    assert f"refused by guardrail `{rule}`" in done.stdout
    assert fix in done.stdout


def test_explicit_context_is_required_for_destructive_faults(project: Path) -> None:
    scenario = project / "no-context.yaml"
    scenario.write_text(POD_DELETE.read_text().replace('  context: "{{ context }}"\n', ""))
    done = run(project, scenario)
    assert done.returncode == 3 and "refused by guardrail `explicit-context`" in done.stdout


def test_passing_every_guardrail_reaches_the_target(project: Path) -> None:
    scenario = project / "ten-percent.yaml"
    scenario.write_text(POD_DELETE.read_text().replace("percent: 33%", "percent: 10%"))
    done = run(project, scenario, "--set", "context=prod", "--confirm", "prod")
    assert "refused by guardrail" not in done.stdout
    # every guardrail passed; the next stop is the (unreachable, fake) API server itself
    assert "API server https://127.0.0.2:6443" in done.stdout, done.stdout[-2000:]
    assert done.returncode == 6  # error: the dependency could not be reached


def test_local_process_allow_list_refuses_before_touching(project: Path, stack: DemoStack) -> None:
    before = {i["name"]: i["pid"] for i in stack.rpc().supervisor.getAllProcessInfo()}
    p = stack.params()
    done = run(
        project,
        ROOT / "scenarios/local/web-replica-kill.yaml",
        "--set",
        f"frontend_url={p['frontend_url']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
    )
    assert done.returncode == 3, done.stdout[-1500:]
    assert (
        "refused by guardrail `local-processes`" in done.stdout
        and "gameday.demo.services web" in done.stdout
    )
    assert "add a pattern to `local_processes`" in done.stdout
    assert {i["name"]: i["pid"] for i in stack.rpc().supervisor.getAllProcessInfo()} == before
