"""Namespace restore is complete or says what it is not (#12.8): a namespace holding a
PDB, Role + RoleBinding, ServiceAccount, NetworkPolicy, HPA, ConfigMap, Secret,
Service, Deployment, StatefulSet, CronJob and a custom resource comes back whole; when
an object cannot come back (its CRD is gone), the restore step fails naming it."""

from __future__ import annotations

import io
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client, utils
from kubernetes.client.exceptions import ApiException
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.execute.waiting import wait_until
from gameday.model.scorecard import ScenarioScore
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import DATA
from tests.kubernetes.model import json_object, known, manifest

KWOK = {
    "nodeSelector": {"type": "kwok"},
    "tolerations": [{"key": "kwok.x-k8s.io/node", "operator": "Exists"}],
}
POD: dict[str, Any] = {
    "metadata": {"labels": {"app": "web"}},
    "spec": {"containers": [{"name": "web", "image": "registry.example/web:1"}], **KWOK},
}


def crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"widgets.{group}"},
        "spec": {
            "group": group,
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


def contents(ns: str, group: str) -> list[dict[str, Any]]:
    """One object of every kind the issue names, plus a CronJob and a custom resource."""
    meta = {"namespace": ns}
    return [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", **meta}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web-config", **meta},
            "data": {"LOG_LEVEL": "info"},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "web-db", **meta},
            "stringData": {"password": "restore-me"},
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "read-config", **meta},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "web-reads-config", **meta},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "read-config",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "web", "namespace": ns}],
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "NetworkPolicy",
            "metadata": {"name": "web-ingress", **meta},
            "spec": {
                "podSelector": {"matchLabels": {"app": "web"}},
                "policyTypes": ["Ingress"],
                "ingress": [{"ports": [{"protocol": "TCP", "port": 8080}]}],
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", **meta},
            "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", **meta},
            "spec": {"replicas": 4, "selector": {"matchLabels": {"app": "web"}}, "template": POD},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "ledger", **meta},
            "spec": {
                "replicas": 1,
                "serviceName": "ledger",
                "selector": {"matchLabels": {"app": "ledger"}},
                "template": {**POD, "metadata": {"labels": {"app": "ledger"}}},
            },
        },
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "nightly", **meta},
            "spec": {
                "schedule": "0 3 * * *",
                "jobTemplate": {
                    "spec": {"template": {"spec": {**POD["spec"], "restartPolicy": "Never"}}}
                },
            },
        },
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "web", **meta},
            "spec": {"minAvailable": 3, "selector": {"matchLabels": {"app": "web"}}},
        },
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web", **meta},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "minReplicas": 4,
                "maxReplicas": 6,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 80},
                        },
                    }
                ],
            },
        },
        {
            "apiVersion": f"{group}/v1",
            "kind": "Widget",
            "metadata": {"name": "w1", **meta},
            "spec": {"colour": "teal", "size": 3},
        },
    ]


@pytest.fixture
def full_namespace(api: Any) -> Iterator[tuple[str, str]]:
    ns = f"gd-restore-{uuid.uuid4().hex[:6]}"
    group = f"{ns}.example.com"
    extensions = client.ApiextensionsV1Api(api)
    extensions.create_custom_resource_definition(manifest(crd(group)))
    assert wait_until(
        lambda: any(
            c.type == "Established" and c.status == "True"
            for c in known(
                extensions.read_custom_resource_definition(f"widgets.{group}").status
            ).conditions
            or []
        ),
        30,
        0.2,
    )
    core = client.CoreV1Api(api)
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
    for doc in contents(ns, group):
        if doc["kind"] == "Widget":
            client.CustomObjectsApi(api).create_namespaced_custom_object(
                group, "v1", ns, "widgets", doc
            )
        else:
            utils.create_from_dict(api, doc)
    yield ns, group
    cleanups: tuple[Callable[[], object], ...] = (
        lambda: core.delete_namespace(ns),
        lambda: extensions.delete_custom_resource_definition(f"widgets.{group}"),
    )
    for cleanup in cleanups:
        try:
            cleanup()
        except ApiException as exc:
            if exc.status != 404:
                raise


def scenario(tmp_path: Path, kubeconfig: Path, ns: str, steps: list[dict[str, Any]]) -> Path:
    doc = yaml.safe_load((DATA / "kubernetes" / "namespace-delete.yaml").read_text())
    doc["params"].update({"namespace": ns, "kubeconfig": str(kubeconfig)})
    doc["recovery"]["steps"] = steps + doc["recovery"]["steps"][1:]
    path = tmp_path / "restore.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run(path: Path, tmp_path: Path) -> tuple[ScenarioScore, str]:
    out = io.StringIO()
    run_dir, _ = execute(
        load(path, {}), tmp_path / "reports", RunOptions(), PlainView(Console(file=out, width=200))
    )
    (s,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    return s, out.getvalue()


RESTORE: dict[str, Any] = {
    "name": "restore the namespace",
    "type": "restore-snapshot",
    "timeout": "120s",
}


def test_every_namespaced_kind_comes_back(
    api: Any, kubeconfig: Path, full_namespace: tuple[str, str], tmp_path: Path
) -> None:
    ns, group = full_namespace
    s, log = run(scenario(tmp_path, kubeconfig, ns, [RESTORE]), tmp_path)
    assert s.outcome == "completed", (s.reasons, log[-3000:])
    print("\n" + "\n".join(f"{st.name}: {st.duration:.1f}s {st.detail}" for st in s.steps))
    kept = s.evidence["snapshot"]
    for key, name in [
        ("serviceaccounts", "web"),
        ("configmaps", "web-config"),
        ("roles.rbac.authorization.k8s.io", "read-config"),
        ("rolebindings.rbac.authorization.k8s.io", "web-reads-config"),
        ("networkpolicies.networking.k8s.io", "web-ingress"),
        ("services", "web"),
        ("deployments.apps", "web"),
        ("statefulsets.apps", "ledger"),
        ("cronjobs.batch", "nightly"),
        ("poddisruptionbudgets.policy", "web"),
        ("horizontalpodautoscalers.autoscaling", "web"),
        (f"widgets.{group}", "w1"),
    ]:
        # names under credential-like keys ("secrets", "...authorization...") are masked
        assert kept.get(key) in ([name], ["***"]), (key, kept.get(key))
    assert len(kept["secrets"]) == 1  # its name is masked in the journal (a Secret's)
    # what controllers make was left to them, not snapshotted
    assert "replicasets.apps" not in kept and "pods" not in kept and "endpoints" not in kept
    # and it is all back, with its content
    rbac = client.RbacAuthorizationV1Api(api)
    binding = rbac.read_namespaced_role_binding("web-reads-config", ns)
    assert known(binding.subjects)[0].name == "web" and binding.role_ref.name == "read-config"
    widget = json_object(
        client.CustomObjectsApi(api).get_namespaced_custom_object(group, "v1", ns, "widgets", "w1")
    )
    assert widget["spec"] == {"colour": "teal", "size": 3}
    secret = client.CoreV1Api(api).read_namespaced_secret("web-db", ns)
    assert known(secret.data)["password"] == "cmVzdG9yZS1tZQ=="
    hpa = client.AutoscalingV2Api(api).read_namespaced_horizontal_pod_autoscaler("web", ns)
    assert hpa.spec.min_replicas == 4
    policy = client.NetworkingV1Api(api).read_namespaced_network_policy("web-ingress", ns)
    assert known(known(known(policy.spec).ingress)[0].ports)[0].port == 8080
    pdb = client.PolicyV1Api(api).read_namespaced_pod_disruption_budget("web", ns)
    assert known(pdb.spec).min_available == 3
    assert client.BatchV1Api(api).read_namespaced_cron_job("nightly", ns).spec.schedule


def test_an_object_that_cannot_come_back_fails_the_restore_by_name(
    api: Any, kubeconfig: Path, full_namespace: tuple[str, str], tmp_path: Path
) -> None:
    """The CRD is deleted while the namespace is gone (someone 'cleaned up'): the Widget
    cannot be re-created, and the restore says so instead of reporting success."""
    ns, group = full_namespace
    delete_crd = (
        "import sys, time\n"
        "from kubernetes import client, config\n"
        f"api = config.new_client_from_config(config_file={str(kubeconfig)!r})\n"
        "ext = client.ApiextensionsV1Api(api)\n"
        f"ext.delete_custom_resource_definition('widgets.{group}')\n"
        "for _ in range(300):\n"
        "    try:\n"
        f"        ext.read_custom_resource_definition('widgets.{group}')\n"
        "    except client.exceptions.ApiException:\n"
        "        sys.exit(0)\n"
        "    time.sleep(0.1)\n"
        "sys.exit(1)\n"
    )
    steps = [
        {
            "name": "someone deletes the CRD",
            "type": "command",
            "timeout": "60s",
            "params": {"argv": [sys.executable, "-c", delete_crd]},
        },
        RESTORE,
    ]
    s, log = run(scenario(tmp_path, kubeconfig, ns, steps), tmp_path)
    assert s.steps, log[-3000:]
    (restore,) = [st for st in s.steps if st.name == "restore the namespace"]
    assert not restore.ok
    assert f"widgets.{group}/w1" in restore.detail, restore.detail
    assert "1 objects of the snapshot not restored" in restore.detail
    assert s.outcome != "completed" or s.verdict != "pass", (s.outcome, s.verdict)
    # everything else did come back
    assert client.AppsV1Api(api).read_namespaced_deployment("web", ns)
