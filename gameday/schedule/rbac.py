"""The runner's RBAC for one team, with nothing shared between teams: `gameday rbac`
prints it, `gameday schedule` includes it, and the CI examples apply it.

The rules live in deploy/rbac/ (packaged as gameday/rbac/). Namespaced objects (the
ServiceAccount, the Role and its RoleBinding in each target namespace) are per namespace
by construction. Cluster-scoped ones (the read-only namespace reader, and the opt-in
cluster-faults role) are named after the runner's namespace, ClusterRole and binding
alike, so a second team's apply creates its own objects instead of overwriting the
first team's binding subject.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

RUNNER = "gameday-runner"
READER = "namespace-reader-clusterrole.yaml"
CLUSTER_FAULTS = "cluster-faults-clusterrole.yaml"


def rules(name: str) -> list[dict[str, Any]]:
    """The documents of one packaged RBAC file (a copy, free to change)."""
    text = resources.files("gameday").joinpath(f"rbac/{name}").read_text(encoding="utf-8")
    return [d for d in yaml.safe_load_all(text) if d]


def _subject(namespace: str) -> list[dict[str, str]]:
    return [{"kind": "ServiceAccount", "name": RUNNER, "namespace": namespace}]


def _cluster_pair(role: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    name = f"{role['metadata']['name']}-{namespace}"
    role["metadata"]["name"] = name
    role["metadata"]["labels"] = {"app.kubernetes.io/managed-by": "gameday"}
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "gameday"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name},
        "subjects": _subject(namespace),
    }
    return [role, binding]


def runner_rbac(
    namespace: str, targets: list[str] | None = None, cluster_faults: bool = False
) -> list[dict[str, Any]]:
    """The ServiceAccount in `namespace`, the Role + RoleBinding in every target
    namespace (default: `namespace` itself), the namespace reader, and, when asked,
    the cluster-faults role: everything a runner in `namespace` needs, and no more."""
    docs: list[dict[str, Any]] = [
        {
            "apiVersion": "v1",
            "kind": "ServiceAccount",
            "metadata": {"name": RUNNER, "namespace": namespace},
        }
    ]
    for target in targets or [namespace]:
        for doc in rules("namespace-role.yaml"):
            if doc["kind"] == "ServiceAccount":
                continue
            doc["metadata"]["namespace"] = target
            if doc["kind"] == "RoleBinding":
                doc["subjects"] = _subject(namespace)
            docs.append(doc)
    for name in (READER, CLUSTER_FAULTS) if cluster_faults else (READER,):
        for role in rules(name):
            docs += _cluster_pair(role, namespace)
    return docs
