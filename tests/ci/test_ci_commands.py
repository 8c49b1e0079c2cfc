"""The commands examples/ci/ runs, run for real, in order, against the test control plane:
the namespace and the service, `gameday rbac | kubectl apply`, runner-kubeconfig.sh
(the runner's ServiceAccount context), validate, lint and the drill as that runner.

Left out, by name, are only the steps that need kind, Docker or the package index
(creating the cluster, downloading kind/kubectl, pip install): the gameday under test
is this checkout's, and the cluster is scripts/cluster's instead of kind's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from tests.ci.test_ci_examples import CI, gitlab_lines, workflow
from tests.kubernetes.model import known

NOT_HERE = ("curl ", "chmod ", "apt-get ", "kind create cluster", "sed -i", "python -m pip install")


def github_commands() -> list[str]:
    steps = workflow()["jobs"]["drill"]["steps"]
    skipped = [s["name"] for s in steps if s.get("name") == "Install gameday"]
    assert skipped == ["Install gameday"]  # the only run step left out
    return [s["run"] for s in steps if "run" in s and s.get("name") != "Install gameday"]


def gitlab_commands() -> list[str]:
    lines = gitlab_lines()
    left_out = [c for c in lines if c.startswith(NOT_HERE)]
    assert len(left_out) == 7, left_out  # curl x2, chmod, apt-get, kind, sed, pip: nothing else
    return [c for c in lines if c not in left_out]


def cleanup(api: Any, namespace: str) -> None:
    """What a pipeline made, whichever step it reached (a missing object is fine)."""
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    name = f"gameday-namespace-reader-{namespace}"
    for delete, what in (
        (core.delete_namespace, namespace),
        (rbac.delete_cluster_role, name),
        (rbac.delete_cluster_role_binding, name),
    ):
        with contextlib.suppress(ApiException):
            delete(what)


def run_in_repository(commands: list[str], tmp_path: Path, env: dict[str, str]) -> str:
    """A service repository laid out as the examples expect: examples/ci/ as ci/."""
    repo = tmp_path / "service-repo"
    shutil.copytree(CI, repo / "ci")
    script = "set -euo pipefail\n" + "\n".join(commands)
    done = subprocess.run(
        ["bash", "-c", script], cwd=repo, env=env, capture_output=True, text=True, timeout=600
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


@pytest.mark.parametrize("pipeline", ["github", "gitlab"])
def test_the_example_pipeline_runs_against_the_test_control_plane(
    pipeline: str, kubeconfig: Path, kubectl: Path, api: Any, tmp_path: Path
) -> None:
    namespace = f"gd-ci-{pipeline}-{uuid.uuid4().hex[:5]}"
    config = tmp_path / "kubeconfig"  # the job's own kubeconfig, as kind leaves it
    shutil.copy(kubeconfig, config)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "kubectl").symlink_to(kubectl)
    (tools / "gameday").symlink_to(Path(sys.executable).with_name("gameday"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "KUBECONFIG"},
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "KUBECONFIG": str(config),
        "NAMESPACE": namespace,
        "NO_COLOR": "1",
    }
    commands = github_commands() if pipeline == "github" else gitlab_commands()
    try:
        output = run_in_repository(commands, tmp_path, env)
        assert f"context gameday-runner: ServiceAccount {namespace}/gameday-runner" in output
        (report,) = (tmp_path / "service-repo" / "reports" / "checkout-ci").glob("*/report.json")
        card = json.loads(report.read_text())
        (scenario,) = card["scenarios"]
        assert scenario["outcome"] == "completed", scenario["reasons"]
        assert scenario["verdict"] == "pass", scenario["reasons"]  # the pod-delete confirmed
        assert len(scenario["evidence"]["deleted"]) == 1
        assert (report.parent / "junit.xml").is_file()
    finally:
        cleanup(api, namespace)


def test_the_runner_context_is_not_the_admin(
    kubeconfig: Path, kubectl: Path, api: Any, tmp_path: Path
) -> None:
    """runner-kubeconfig.sh refuses an identity that can do more than the namespace Role
    (the negative control: the runner bound to cluster-admin is refused)."""
    namespace = f"gd-ci-admin-{uuid.uuid4().hex[:5]}"
    config = tmp_path / "kubeconfig"
    shutil.copy(kubeconfig, config)
    env = {
        **os.environ,
        "KUBECONFIG": str(config),
        "PATH": f"{kubectl.parent}:{os.environ['PATH']}",
    }
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    core.create_namespaced_service_account(
        namespace, client.V1ServiceAccount(metadata=client.V1ObjectMeta(name="gameday-runner"))
    )
    too_much = f"gd-ci-too-much-{namespace}"
    rbac.create_cluster_role_binding(
        client.V1ClusterRoleBinding(
            metadata=client.V1ObjectMeta(name=too_much),
            role_ref=client.V1RoleRef(
                api_group="rbac.authorization.k8s.io", kind="ClusterRole", name="cluster-admin"
            ),
            subjects=[
                client.RbacV1Subject(
                    kind="ServiceAccount", name="gameday-runner", namespace=namespace
                )
            ],
        )
    )
    try:
        done = subprocess.run(
            [str(CI / "runner-kubeconfig.sh"), namespace], env=env, capture_output=True, text=True
        )
        assert done.returncode == 1 and "more than the namespace Role" in done.stderr
    finally:
        rbac.delete_cluster_role_binding(too_much)
        core.delete_namespace(namespace)


def test_two_teams_apply_their_rbac_side_by_side(kubectl: Path, kubeconfig: Path, api: Any) -> None:
    """Team B's apply leaves team A's runner able to do what it could before."""
    teams = [f"gd-team-{c}-{uuid.uuid4().hex[:5]}" for c in "ab"]
    core, rbac = client.CoreV1Api(api), client.RbacAuthorizationV1Api(api)
    gameday = str(Path(sys.executable).with_name("gameday"))
    env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
    try:
        for team in teams:
            core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=team)))
            emitted = subprocess.run(
                [gameday, "rbac", "--namespace", team], capture_output=True, text=True, check=True
            ).stdout
            subprocess.run(
                [str(kubectl), "apply", "-f", "-"], input=emitted, env=env, text=True, check=True,
                capture_output=True,
            )  # fmt: skip
        auth = client.AuthorizationV1Api(api)
        for team in teams:
            review = client.V1SubjectAccessReview(
                spec=client.V1SubjectAccessReviewSpec(
                    user=f"system:serviceaccount:{team}:gameday-runner",
                    resource_attributes=client.V1ResourceAttributes(
                        verb="get", resource="namespaces", name=team
                    ),
                )
            )
            assert known(auth.create_subject_access_review(review).status).allowed, team
            binding = rbac.read_cluster_role_binding(f"gameday-namespace-reader-{team}")
            assert [s.namespace for s in known(binding.subjects)] == [team]
    finally:
        for team in teams:
            cleanup(api, team)
