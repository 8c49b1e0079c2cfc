"""The shipped namespace Role is enough inside its namespace, and outside it the runner
gets a 403 that gameday reports with the missing verb and resource."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, utils
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import DATA, ROOT

ROLE = ROOT / "deploy" / "rbac" / "namespace-role.yaml"


def apply_role(api: Any, namespace: str) -> None:
    docs = list(yaml.safe_load_all(ROLE.read_text()))
    for doc in docs:
        if doc["kind"].startswith("Cluster"):
            doc["metadata"]["name"] += f"-{namespace}"
            if doc["kind"] == "ClusterRoleBinding":
                doc["roleRef"]["name"] += f"-{namespace}"
                doc["subjects"][0]["namespace"] = namespace
            utils.create_from_dict(api, doc)
        else:
            utils.create_from_dict(api, doc, namespace=namespace)


def runner_kubeconfig(api: Any, namespace: str, path: Path) -> Path:
    request = client.AuthenticationV1TokenRequest(
        spec=client.V1TokenRequestSpec(audiences=[], expiration_seconds=3600)
    )
    token = client.CoreV1Api(api).create_namespaced_service_account_token(
        "gameday-runner", namespace, request
    )
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "runner",
                "clusters": [
                    {
                        "name": "c",
                        "cluster": {
                            "server": api.configuration.host,
                            "insecure-skip-tls-verify": True,
                        },
                    }
                ],
                "users": [{"name": "runner", "user": {"token": token.status.token}}],
                "contexts": [
                    {
                        "name": "runner",
                        "context": {"cluster": "c", "user": "runner", "namespace": namespace},
                    }
                ],
            }
        )
    )
    return path


def run(kubeconfig: Path, namespace: str, tmp_path: Path) -> Any:
    scenario = (
        (DATA / "kubernetes" / "pod-delete.yaml")
        .read_text()
        .replace("context: gameday-test", "context: runner")
    )
    path = tmp_path / f"pod-delete-{namespace}.yaml"
    path.write_text(scenario)
    subject = load(path, {"kubeconfig": str(kubeconfig), "namespace": namespace, "percent": "25%"})
    run_dir, _ = execute(
        subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=io.StringIO()))
    )
    (result,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    return result


def test_namespace_role_works_inside_and_gets_a_clear_403_outside(
    api: Any, workload: str, tmp_path: Path
) -> None:
    core = client.CoreV1Api(api)
    home = f"{workload}-runner"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=home)))
    try:
        apply_role(api, workload)  # the Role lives where the workload is...
        kubeconfig = runner_kubeconfig(api, workload, tmp_path / "runner.kubeconfig")
        inside = run(kubeconfig, workload, tmp_path)
        assert inside.outcome == "completed" and len(inside.evidence["deleted"]) == 1, (
            inside.reasons
        )
        outside = run(kubeconfig, home, tmp_path)  # ...and not in `home`
        assert outside.outcome == "error"
        assert (
            f"forbidden: the runner's credentials may not get deployments in namespace {home} "
            "(hint: grant `get` on `deployments` in the runner's Role (deploy/rbac/namespace-role.yaml))"
        ) in outside.reasons[0]
    finally:
        core.delete_namespace(home)
        rbac = client.RbacAuthorizationV1Api(api)
        rbac.delete_cluster_role(f"gameday-namespace-reader-{workload}")
        rbac.delete_cluster_role_binding(f"gameday-namespace-reader-{workload}")
