"""The shipped Kubernetes scenarios against the sample storefront on the real node
(containerd + runc, kube-proxy, kube-router enforcing NetworkPolicies): what gameday
measures is checked against what the pods themselves logged and reported."""

from __future__ import annotations

import datetime
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from gameday.execute.waiting import wait_until
from gameday.model import journal as j
from tests.kubernetes.conftest import CLUSTER
from tests.kubernetes.model import known, name_of
from tests.kubernetes.realpods import Ran, run_shipped
from tests.kubernetes.storefront import (
    NODE,
    PodLogs,
    apply,
    apply_edge,
    cluster_ip,
    documents,
    ready,
    remove,
)

pytestmark = pytest.mark.usefixtures("real_node")


@pytest.fixture
def real_node(api: Any, kubeconfig: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    node = client.CoreV1Api(api).read_node(NODE)
    conditions = known(known(node.status).conditions)
    assert any(c.type == "Ready" and c.status == "True" for c in conditions)
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    yield


@pytest.fixture
def storefront(api: Any) -> Iterator[list[str]]:
    """Namespaces a test applied; removed afterwards (a drain evicts from all of them)."""
    applied: list[str] = []
    yield applied
    for namespace in applied:
        remove(api, namespace)


def params(app: str, url: str, **more: str) -> dict[str, str]:
    return {"context": "gameday-test", "namespace": app, "app": app, "url": url, **more}


def injected_at(ran: Ran) -> float:
    (applied,) = ran.of(j.InjectionApplied)
    return ran.wall(applied.t)


def landing(ran: Ran) -> j.FaultLanding:
    (record,) = ran.of(j.FaultLanding)
    return record


def test_pod_delete_outage_is_what_the_pods_logged(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    storefront.append("checkout")
    apply(api, "checkout")
    url = f"http://{cluster_ip(api, 'checkout')}/healthz"
    with PodLogs(api, "checkout") as logs:
        ran = run_shipped("checkout-pod-delete", tmp_path, params("checkout", url), duration="10s")
    s = ran.score
    assert s.outcome == "completed", (s.reasons, ran.log[-3000:])
    assert landing(ran).confirmed is True, landing(ran).checked
    assert len(s.evidence["deleted"]) == 2  # 33% of 4, rounded up

    # Every answer the probe counted was logged by a pod, and no pod answered more.
    samples = ran.samples("checkout")
    ok = [row for row in samples if row[1]]
    served = logs.served("/healthz")
    assert abs(len(served) - len(ok)) <= 1, (len(served), len(ok))

    # The replacements' own first log line vs gameday's view of the ready pods.
    t0 = injected_at(ran)
    started = [
        ln
        for ln in logs.matching(lambda t: t.startswith("serving checkout"))
        if ln.at.timestamp() > t0
    ]
    assert len(started) == 2, [ln.text for ln in started]
    first_serving = min(ln.at.timestamp() for ln in started) - t0
    (ready_probe,) = [p for p in s.probes if p.name == "ready-pods"]
    failed = len(samples) - len(ok)
    print(
        f"\nREAL checkout-pod-delete: {failed} of {len(samples)} http samples failed; "
        f"ready-pods outage {ready_probe.outage_total:.2f}s; first replacement logged "
        f"'serving' {first_serving:.2f}s after the delete; pods answered {len(served)} "
        f"probe requests, gameday counted {len(ok)}"
    )
    assert ready_probe.outage_total <= first_serving + 2.5


def test_node_drain_honours_the_pdb_on_real_pods(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    storefront.append("storefront")
    apply(api, "storefront")
    url = f"http://{cluster_ip(api, 'storefront')}/healthz"
    with PodLogs(api, "storefront") as logs:
        ran = run_shipped(
            "storefront-zone-drain", tmp_path, params("storefront", url, zone="zone-a")
        )
    s = ran.score
    assert s.outcome == "completed", (s.reasons, ran.log[-3000:])
    assert landing(ran).confirmed is True, landing(ran).checked
    # 3 replicas, minAvailable 2: one eviction allowed, the other two refused
    assert len(s.evidence["evicted"]) == 1
    assert len(s.evidence["refused_by_pdb"]) == 2
    stopped = logs.matching(lambda t: t == "stopping: SIGTERM")
    assert [ln.pod for ln in stopped] == [s.evidence["evicted"][0].split("/")[1]]
    samples = ran.samples("storefront")
    print(
        f"\nREAL storefront-zone-drain: evicted {s.evidence['evicted']}, "
        f"{len(s.evidence['refused_by_pdb'])} refused by the PDB; "
        f"{sum(not r[1] for r in samples)} of {len(samples)} http samples failed; "
        f"pods logged SIGTERM: {[ln.pod for ln in stopped]}; recovered in {s.time_to_recover}"
    )
    assert all(row[1] for row in samples), [row for row in samples if not row[1]][:5]
    assert len(ready(api, "storefront", "app=storefront")) == 3  # back after the uncordon


def test_bad_config_rolls_out_a_pod_that_really_fails(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    storefront.append("checkout")
    apply(api, "checkout")
    url = f"http://{cluster_ip(api, 'checkout')}/healthz"
    with PodLogs(api, "checkout") as logs:
        ran = run_shipped("checkout-bad-config", tmp_path, params("checkout", url), duration="10s")
    s = ran.score
    assert s.outcome == "completed", (s.reasons, ran.log[-3000:])
    assert landing(ran).confirmed is True, landing(ran).checked
    fatal = logs.matching(lambda t: t.startswith("FATAL: invalid LOG_LEVEL 'not-a-level'"))
    assert fatal, "no pod of the bad rollout failed"
    samples = ran.samples("checkout")
    print(
        f"\nREAL checkout-bad-config: {len(fatal)} FATAL lines from {len({ln.pod for ln in fatal})}"
        f" pods of the bad rollout; {sum(not r[1] for r in samples)} of {len(samples)} http"
        f" samples failed; recovered in {s.time_to_recover}"
    )
    # readiness held the bad rollout: users saw no error
    assert all(row[1] for row in ran.samples("checkout"))
    pods = ready(api, "checkout", "app=checkout")
    assert len(pods) == 4
    env = {e.name: e for e in pods[0].spec.containers[0].env}
    assert env["LOG_LEVEL"].value_from.config_map_key_ref.name == "checkout-config"
    cm = client.CoreV1Api(api).read_namespaced_config_map("checkout-config", "checkout")
    assert known(cm.data)["LOG_LEVEL"] == "info"


def netpol(state: str) -> None:
    done = subprocess.run([CLUSTER, "node", "netpol", state], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_network_partition_drops_traffic_and_without_enforcement_is_inconclusive(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    storefront.extend(["orders", "edge"])
    apply(api, "orders")
    url = f"http://{apply_edge(api, ['orders'])}/cgi-bin/to/orders/healthz"
    with PodLogs(api, "orders") as logs:
        ran = run_shipped("orders-network-partition", tmp_path / "on", params("orders", url))
    land = landing(ran)
    assert land.confirmed is True, land.checked
    t0 = injected_at(ran)
    (reverted,) = ran.of(j.InjectionReverted)
    t1 = ran.wall(reverted.t)
    during = [row for row in ran.samples("orders") if t0 + 2 < ran.wall(row[0]) < t1]
    assert during and not any(row[1] for row in during), "the partition let traffic through"
    # and the orders pods agree: nothing reached them through the edge meanwhile
    reached = [ln for ln in logs.served("/healthz") if t0 + 2 < ln.at.timestamp() < t1]
    assert reached == []
    assert ran.score.verdict != "inconclusive"
    served = [ln for ln in logs.served("/healthz") if ln.at.timestamp() < t0]
    print(
        f"\nREAL orders-network-partition: {len(during)} samples inside the partition, all"
        f" failed; orders pods answered {len(reached)} requests meanwhile ({len(served)}"
        f" before it); landing: {land.checked}; verdict {ran.score.verdict}"
    )

    netpol("off")
    try:
        unenforced = run_shipped(
            "orders-network-partition", tmp_path / "off", params("orders", url)
        )
    finally:
        netpol("on")
    land = landing(unenforced)
    assert land.confirmed is False, land.checked
    assert "does not enforce" in land.checked
    assert all(row[1] for row in unenforced.samples("orders"))  # nothing was cut
    assert unenforced.score.verdict == "inconclusive", unenforced.score.reasons
    print(f"REAL same partition without enforcement: {land.checked}; verdict inconclusive")


def test_namespace_restore_rto_matches_pod_readiness(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    storefront.append("payments")
    apply(api, "payments")
    url = f"http://{cluster_ip(api, 'payments')}/healthz"
    ran = run_shipped(
        "payments-namespace-restore", tmp_path, params("payments", url), duration="2s"
    )
    s = ran.score
    assert s.outcome == "completed", (s.reasons, ran.log[-3000:])
    assert landing(ran).confirmed is True, landing(ran).checked
    assert s.time_to_recover is not None
    t0 = injected_at(ran)
    pods = ready(api, "payments", "app=payments")
    assert len(pods) == 2
    ready_at = max(
        c.last_transition_time for p in pods for c in p.status.conditions if c.type == "Ready"
    )
    readiness_rto = ready_at.timestamp() - t0
    print(
        f"\nREAL payments-namespace-restore: gameday RTO {s.time_to_recover:.2f}s; "
        f"last payments pod Ready {readiness_rto:.2f}s after the delete "
        f"({datetime.datetime.fromtimestamp(t0, datetime.UTC).isoformat()})"
    )
    # Ready times have whole-second resolution; the probe samples every second
    assert readiness_rto - 1.0 <= s.time_to_recover <= readiness_rto + 3.0
    for kind in (
        "serviceaccounts",
        "secrets",
        "rolebindings.rbac.authorization.k8s.io",
        "networkpolicies.networking.k8s.io",
        "horizontalpodautoscalers.autoscaling",
        "statefulsets.apps",
    ):
        assert kind in s.evidence["snapshot"], kind


def test_real_node_restores_twenty_deleted_pods(
    api: Any, storefront: list[str], tmp_path: Path
) -> None:
    """The real-node scale figure: 20 running pods force-deleted at once, and how fast the
    ReplicaSet, scheduler, kubelet, containerd and CNI bring 20 Ready ones back."""
    storefront.append("catalog")
    docs = documents("catalog")
    for doc in docs:
        if doc["kind"] == "Deployment":
            doc["spec"]["replicas"] = 20
    apply(api, "catalog", docs)
    core = client.CoreV1Api(api)
    before = {p.metadata.uid for p in ready(api, "catalog", "app=catalog")}
    assert len(before) == 20
    started = time.monotonic()
    for pod in core.list_namespaced_pod("catalog", label_selector="app=catalog").items:
        core.delete_namespaced_pod(name_of(pod), "catalog", grace_period_seconds=0)

    def replaced() -> bool:
        now = ready(api, "catalog", "app=catalog")
        return len(now) == 20 and not {p.metadata.uid for p in now} & before

    assert wait_until(replaced, 120, 0.2), "20 replacements never became Ready"
    took = time.monotonic() - started
    print(
        f"\nREAL 20 pods force-deleted: all 20 replacements Ready in {took:.2f}s "
        f"({20 / took:.1f} pods/s)"
    )
    assert took < 60


def test_node_down_with_pods_running_leaves_nothing_on_the_host(
    api: Any, kubeconfig: Path, storefront: list[str]
) -> None:
    """`down` while containers run: no process, mount, netns, veth, iptables rule,
    ipset, cgroup or changed sysctl stays behind; `up` brings the node back."""
    storefront.append("checkout")
    apply(api, "checkout")
    saved = (kubeconfig.parent / "node" / "host.saved").read_text().splitlines()
    before = {line.split()[1]: line.split()[2] for line in saved if line.startswith("sysctl ")}
    assert "veth" in subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
    try:
        down = subprocess.run([CLUSTER, "node", "down"], capture_output=True, text=True)
        assert down.returncode == 0, down.stderr
        left = subprocess.run([CLUSTER, "node", "leftovers"], capture_output=True, text=True)
        after = {
            key: subprocess.run(
                ["sysctl", "-n", key], capture_output=True, text=True
            ).stdout.strip()
            for key in before
        }
    finally:
        up = subprocess.run([CLUSTER, "node", "up"], capture_output=True, text=True)
    assert left.stdout == "", left.stdout
    assert after == before
    assert up.returncode == 0, up.stderr
    assert wait_until(lambda: len(ready(api, "checkout", "app=checkout")) == 4, 120, 0.5)
