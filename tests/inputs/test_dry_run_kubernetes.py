"""`--dry-run` of every shipped Kubernetes scenario and drill changes no cluster object
(#11.2), on the real control plane: pods (uid), workloads (generation, replicas),
config maps, secrets, network policies, Chaos Mesh objects, namespaces and nodes
(unschedulable, taints) are identical before and after. (Chaos Mesh scenarios end as
an error where the cluster lacks their CRD; their objects are compared when it has it.) A real run of pod-delete,
snapshotted the same way, differs: the comparison can fail."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException
from rich.console import Console

from gameday.declared import taken_by
from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.validate import load
from tests.conftest import ROOT
from tests.kubernetes.conftest import api, kubeconfig, workload  # noqa: F401
from tests.kubernetes.model import json_object, known, meta, name_of
from tests.kubernetes.test_cluster_faults import make_config
from tests.kubernetes.test_shipped_scenarios import healthy_url, quick  # noqa: F401

SHIPPED = sorted((ROOT / "scenarios" / "kubernetes").glob("*.yaml"))
CHAOS = ("stresschaos", "networkchaos")


class _Everything(set[str]):
    def __contains__(self, item: object) -> bool:
        return True


ALL = _Everything()


def cluster_state(api_client: Any, namespace: str) -> dict[str, Any]:
    """What a scenario in `namespace` could change there (nodes: see `node_state`)."""
    core, apps = client.CoreV1Api(api_client), client.AppsV1Api(api_client)
    net, custom = client.NetworkingV1Api(api_client), client.CustomObjectsApi(api_client)
    state: dict[str, Any] = {
        "pods": sorted(
            (name_of(p), meta(p).uid, known(p.spec).node_name)
            for p in core.list_namespaced_pod(namespace).items
        ),
        "deployments": sorted(
            (name_of(d), meta(d).generation, known(d.spec).replicas)
            for d in apps.list_namespaced_deployment(namespace).items
        ),
        "configmaps": sorted(
            (name_of(c), meta(c).resource_version)
            for c in core.list_namespaced_config_map(namespace).items
        ),
        "secrets": sorted(
            (name_of(s), meta(s).resource_version)
            for s in core.list_namespaced_secret(namespace).items
        ),
        "networkpolicies": sorted(
            name_of(n) for n in net.list_namespaced_network_policy(namespace).items
        ),
        "namespace": meta(core.read_namespace(namespace)).uid,
    }
    for plural in CHAOS:
        try:
            items = json_object(
                custom.list_namespaced_custom_object(
                    "chaos-mesh.org", "v1alpha1", namespace, plural
                )
            )
            state[plural] = sorted(i["metadata"]["name"] for i in items["items"])
        except ApiException as exc:  # the CRD is not installed: nothing to compare
            assert exc.status == 404
            state[plural] = "not installed"
    return state


def node_state(api_client: Any, names: set[str]) -> dict[str, Any]:
    """Cordon and taints of the nodes a dry run planned to act on. Other sessions share
    this control plane, so other nodes may legitimately change meanwhile."""
    return {
        name_of(n): (
            bool(known(n.spec).unschedulable),
            sorted((t.key, t.value, t.effect) for t in known(n.spec).taints or []),
        )
        for n in client.CoreV1Api(api_client).list_node().items
        if name_of(n) in names
    }


def assert_unchanged(api_client: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    """Equal, except pods that vanished from a node someone else cordoned or tainted
    meanwhile (other sessions drain nodes of this shared control plane)."""
    gone = set(before["pods"]) - set(after["pods"])
    if gone:
        drained = {
            name_of(n)
            for n in client.CoreV1Api(api_client).list_node().items
            if known(n.spec).unschedulable
            or any(t.effect == "NoExecute" for t in known(n.spec).taints or [])
        }
        assert all(node in drained for _, _, node in gone), f"pods replaced: {sorted(gone)}"
        before, after = dict(before, pods=None), dict(after, pods=None)
    assert after == before


def planned_nodes(records: list[dict[str, Any]]) -> set[str]:
    return {
        t.split()[0].removeprefix("node:")
        for r in records
        if r["type"] == "plan"
        for t in r["injection"]["targets"]
        if t.startswith("node:")
    }


def params(workload_ns: str, url: str) -> dict[str, Any]:
    return {
        "context": "gameday-test",
        "namespace": workload_ns,
        "app": "web",
        "zone": "zone-0",
        "url": url,
    }


def dry_run(
    path: Path, reports: Path, overrides: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    subject = load(path, overrides or {})
    run_dir, _ = execute(
        subject,
        reports,
        RunOptions(dry_run=True),
        PlainView(Console(file=io.StringIO(), width=200)),
    )
    return read_journal(run_dir / JOURNAL)


FORBIDDEN = {"approval", "injection-planned", "injection-applied", "step-start", "step-end"}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_kubernetes_dry_run_changes_no_cluster_object(
    path: Path,
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
    workload: str,  # noqa: F811
    healthy_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    make_config(api, workload)
    before, nodes = cluster_state(api, workload), node_state(api, ALL)
    records = dry_run(
        quick(path, tmp_path / path.name, params(workload, healthy_url)), tmp_path / "reports"
    )
    assert_unchanged(api, before, cluster_state(api, workload))
    touched = planned_nodes(records)
    assert node_state(api, touched) == {k: v for k, v in nodes.items() if k in touched}
    assert not FORBIDDEN & {r["type"] for r in records}
    (end,) = [r for r in records if r["type"] == "scenario-end"]
    if end["outcome"] == "error":  # a Chaos Mesh CRD this cluster does not have
        assert "Chaos Mesh" in end["reason"] and "not installed" in end["reason"], end
    else:
        # a busy shared control plane can miss the 1 s steady-state window: then not-run,
        # but the plan was made and listed, and nothing was changed either way
        assert end["outcome"] == "dry-run" or (
            end["outcome"] == "not-run" and "steady state not met" in end["reason"]
        ), end["reason"]
    assert [r for r in records if r["type"] == "plan"] or end["outcome"] == "error", end
    assert not (tmp_path / "state").exists()


def test_kubernetes_drill_dry_run_changes_nothing(
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
    workload: str,  # noqa: F811
    healthy_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    make_config(api, workload)
    before, nodes = cluster_state(api, workload), node_state(api, ALL)
    drill = ROOT / "drills" / "storefront-weekly.yaml"
    records = dry_run(drill, tmp_path / "r", taken_by(drill, params(workload, healthy_url)))
    assert not FORBIDDEN & {r["type"] for r in records}
    assert_unchanged(api, before, cluster_state(api, workload))
    touched = planned_nodes(records)
    assert node_state(api, touched) == {k: v for k, v in nodes.items() if k in touched}
    assert len([r for r in records if r["type"] == "scenario-end"]) == 3


def test_the_cluster_comparison_sees_a_real_run(
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
    workload: str,  # noqa: F811
    healthy_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    before = cluster_state(api, workload)
    source = ROOT / "scenarios" / "kubernetes" / "checkout-pod-delete.yaml"
    subject = load(quick(source, tmp_path / "real.yaml", params(workload, healthy_url)), {})
    execute(
        subject,
        tmp_path / "reports",
        RunOptions(auto_approve=True),
        PlainView(Console(file=io.StringIO(), width=200)),
    )
    assert {p[1] for p in cluster_state(api, workload)["pods"]} != {p[1] for p in before["pods"]}
