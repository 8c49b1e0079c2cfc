"""Node, network, config and namespace faults end to end on the real control plane:
injected, observed by a probe, recovered (by the controllers or the runbook), reverted,
and nothing left behind: no cordon, taint, NetworkPolicy or changed key."""

from __future__ import annotations

import base64
import os
import stat
from collections import Counter
from pathlib import Path
from typing import Any

from kubernetes import client

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.waiting import wait_until
from tests.kubernetes.conftest import REPLICAS, ready_pods
from tests.kubernetes.model import known, meta
from tests.kubernetes.test_faults import SCENARIOS, run

SECRET_VALUE = "s3cr3t-db-password-7f2a"


def nodes(api: Any) -> list[Any]:
    return list(client.CoreV1Api(api).list_node(label_selector="type=kwok").items)


def assert_nodes_untouched(api: Any) -> None:
    for node in nodes(api):
        assert not node.spec.unschedulable, f"{node.metadata.name} left cordoned"
        assert not any(t.key.startswith("gameday.dev/") for t in node.spec.taints or []), (
            f"{node.metadata.name} left tainted"
        )


def test_node_drain_evicts_and_the_replicaset_reschedules(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    core = client.CoreV1Api(api)
    placed = Counter(p.spec.node_name for p in ready_pods(core, workload))
    drained = placed.most_common(1)[0][0]  # the node holding most of the workload
    on_drained = {
        p.metadata.name for p in ready_pods(core, workload) if p.spec.node_name == drained
    }
    s = run(
        SCENARIOS / "node-drain.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
        names=[drained],
    )
    assert s.touched == (f"node:{drained}",)
    evicted = {p.split("/", 1)[1] for p in s.evidence["evicted"] if p.startswith(workload)}
    assert evicted == on_drained and s.evidence["refused_by_pdb"] == []
    after = ready_pods(core, workload)
    assert len(after) == REPLICAS and all(p.spec.node_name != drained for p in after)
    assert_nodes_untouched(api)
    assert s.verdict == "pass", s.reasons


def test_node_drain_reports_evictions_a_pdb_refused(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    policy = client.PolicyV1Api(api)
    policy.create_namespaced_pod_disruption_budget(
        workload,
        client.V1PodDisruptionBudget(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1PodDisruptionBudgetSpec(
                min_available=REPLICAS,
                selector=client.V1LabelSelector(match_labels={"app": "web"}),
            ),
        ),
    )
    assert wait_until(
        lambda: (
            known(
                policy.read_namespaced_pod_disruption_budget("web", workload).status
            ).expected_pods
            == REPLICAS
        ),
        30,
        0.2,
    )
    before = {p.metadata.uid for p in ready_pods(client.CoreV1Api(api), workload)}
    s = run(
        SCENARIOS / "node-drain.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
        nodes=3,
    )
    refused = [r for r in s.evidence["refused_by_pdb"] if r["pod"].startswith(workload)]
    assert len(refused) == REPLICAS and "PodDisruptionBudget" in refused[0]["reason"]
    assert {p.metadata.uid for p in ready_pods(client.CoreV1Api(api), workload)} == before
    assert_nodes_untouched(api)


def test_node_taint_no_execute_is_seen_as_failed_scheduling_then_removed(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    s = run(SCENARIOS / "node-taint.yaml", tmp_path, kubeconfig=str(kubeconfig), namespace=workload)
    assert len(s.touched) == 3
    ready = next(p for p in s.probes if p.name == "ready-pods")
    assert min(x.value or 0 for x in ready.samples) == 0  # NoExecute evicted every pod
    events = next(p for p in s.probes if p.name == "unschedulable")
    assert max(x.value or 0 for x in events.samples) >= 1  # replacements had nowhere to go
    assert events.samples[0].value == 0
    assert_nodes_untouched(api)
    assert len(ready_pods(client.CoreV1Api(api), workload)) == REPLICAS


def test_network_partition_policy_exists_only_while_injected(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    s = run(
        SCENARIOS / "network-partition.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
    )
    policy = s.evidence["policy"]
    assert policy["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert policy["spec"]["podSelector"]["matchLabels"] == {"app": "web"}
    assert len(s.evidence["pods"]) == REPLICAS
    probe = next(p for p in s.probes if p.name == "no-partition")
    assert probe.samples[0].ok and not all(x.ok for x in probe.samples) and probe.samples[-1].ok
    left = client.NetworkingV1Api(api).list_namespaced_network_policy(workload).items
    assert left == []


def make_config(api: Any, namespace: str) -> None:
    core = client.CoreV1Api(api)
    core.create_namespaced_config_map(
        namespace,
        client.V1ConfigMap(
            metadata=client.V1ObjectMeta(name="web-config"),
            data={"LOG_LEVEL": "info", "OTHER": "kept"},
        ),
    )
    core.create_namespaced_secret(
        namespace,
        client.V1Secret(
            metadata=client.V1ObjectMeta(name="web-secret"),
            string_data={"LOG_LEVEL": SECRET_VALUE},
        ),
    )


def assert_no_secret_in(run_dir: Path) -> None:
    encoded = base64.b64encode(SECRET_VALUE.encode()).decode()
    for path in run_dir.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert SECRET_VALUE not in text and encoded not in text, f"secret leaked into {path}"


def test_config_corrupt_rolls_the_workload_and_restores_the_key(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    make_config(api, workload)
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    generation = known(meta(apps.read_namespaced_deployment("web", workload)).generation)
    s = run(
        SCENARIOS / "config-corrupt.yaml", tmp_path, kubeconfig=str(kubeconfig), namespace=workload
    )
    assert s.evidence["rollout"] == generation + 1  # rolled once by the fault...
    deployment = apps.read_namespaced_deployment("web", workload)
    assert meta(deployment).generation == generation + 2  # ...and once by the revert
    assert core.read_namespaced_config_map("web-config", workload).data == {
        "LOG_LEVEL": "info",
        "OTHER": "kept",
    }
    assert len(ready_pods(core, workload)) == REPLICAS


def test_config_corrupt_of_a_secret_never_writes_its_value_anywhere(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    make_config(api, workload)
    core = client.CoreV1Api(api)
    run(
        SCENARIOS / "config-corrupt.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
        object="secret/web-secret",
    )
    data = known(core.read_namespaced_secret("web-secret", workload).data)
    assert base64.b64decode(data["LOG_LEVEL"]).decode() == SECRET_VALUE
    (run_dir,) = (tmp_path / "reports").glob("*/*")
    assert_no_secret_in(run_dir)


def test_namespace_delete_is_restored_by_the_runbook_from_a_private_snapshot(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    make_config(api, workload)
    core = client.CoreV1Api(api)
    core.create_namespaced_service(
        workload,
        client.V1Service(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1ServiceSpec(
                selector={"app": "web"}, ports=[client.V1ServicePort(port=80)]
            ),
        ),
    )
    s = run(
        SCENARIOS / "namespace-delete.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
    )
    kept = s.evidence["snapshot"]
    assert kept["deployments.apps"] == ["web"] and kept["services"] == ["web"]
    assert set(kept["configmaps"]) == {"web-config"} and len(kept["secrets"]) == 1
    assert s.time_to_recover is not None and s.time_to_recover > 0  # measured RTO
    restore = next(step for step in s.steps if step.name.startswith("restore"))
    assert restore.ok, restore.detail
    assert len(ready_pods(core, workload)) == REPLICAS
    secret = known(core.read_namespaced_secret("web-secret", workload).data)["LOG_LEVEL"]
    assert base64.b64decode(secret).decode() == SECRET_VALUE
    (run_dir,) = (tmp_path / "reports").glob("*/*")
    assert_no_secret_in(run_dir)
    applied = next(r for r in read_journal(run_dir / JOURNAL) if r["type"] == "injection-applied")
    snapshot = Path(applied["injection"]["undo"]["snapshot"])
    assert stat.S_IMODE(os.stat(snapshot).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(snapshot.parent).st_mode) == 0o700
