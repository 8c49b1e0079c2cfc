"""The shipped namespace Role is enough inside its namespace, and outside it the runner
gets a 403 that gameday reports with the missing verb and resource."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import yaml
from kubernetes import client, utils
from kubernetes.client.exceptions import ApiException
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.schedule.rbac import runner_rbac
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import DATA, ROOT
from tests.kubernetes.model import known

ROLE = ROOT / "deploy" / "rbac" / "namespace-role.yaml"
CLUSTER_ROLE = ROOT / "deploy" / "rbac" / "cluster-faults-clusterrole.yaml"


def apply_role(api: Any, namespace: str, manifest: Path = ROLE) -> None:
    """The runner's RBAC as `gameday rbac` emits it from deploy/rbac/: ROLE for the
    namespaced objects and the namespace reader, CLUSTER_ROLE for the opt-in pair."""
    docs = runner_rbac(namespace, cluster_faults=manifest == CLUSTER_ROLE)
    if manifest == CLUSTER_ROLE:
        docs = [d for d in docs if d["metadata"]["name"].startswith("gameday-cluster-faults")]
    for doc in docs:
        if doc["kind"].startswith("Cluster"):
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
                "users": [{"name": "runner", "user": {"token": known(token.status).token}}],
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


def run(
    kubeconfig: Path, namespace: str, tmp_path: Path, name: str = "pod-delete", **params: Any
) -> Any:
    scenario = (
        (DATA / "kubernetes" / f"{name}.yaml")
        .read_text()
        .replace("context: gameday-test", "context: runner")
    )
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / f"{name}-{namespace}.yaml"
    path.write_text(scenario)
    params = {"kubeconfig": str(kubeconfig), "namespace": namespace, **params}
    if name == "pod-delete":
        params.setdefault("percent", "25%")
    subject = load(path, params)
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


def test_node_faults_need_the_opt_in_cluster_role_and_say_so(
    api: Any, workload: str, tmp_path: Path
) -> None:
    apply_role(api, workload)
    kubeconfig = runner_kubeconfig(api, workload, tmp_path / "runner.kubeconfig")
    rbac = client.RbacAuthorizationV1Api(api)
    try:
        partition = run(kubeconfig, workload, tmp_path, "network-partition")
        assert partition.outcome == "completed", partition.reasons  # the Role covers it
        refused = run(kubeconfig, workload, tmp_path, "node-drain")
        assert refused.outcome == "error"
        assert (
            "forbidden: the runner's credentials may not list nodes at cluster scope (hint: grant "
            "`list` on `nodes` in the runner's ClusterRole (opt-in: "
            "deploy/rbac/cluster-faults-clusterrole.yaml))"
        ) in refused.reasons[0]
        apply_role(api, workload, CLUSTER_ROLE)
        drained = run(kubeconfig, workload, tmp_path / "granted", "node-drain")
        assert drained.outcome == "completed", drained.reasons
        assert drained.evidence["evicted"], "the drain evicted nothing"
    finally:
        for name in ("gameday-namespace-reader", "gameday-cluster-faults"):
            with contextlib.suppress(ApiException):
                rbac.delete_cluster_role(f"{name}-{workload}")
            with contextlib.suppress(ApiException):
                rbac.delete_cluster_role_binding(f"{name}-{workload}")
