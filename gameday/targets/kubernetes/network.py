"""`network-partition`: a deny-all NetworkPolicy over the selected pods (ingress,
egress or both), deleted on revert.

Kubernetes only stores NetworkPolicies; the cluster's CNI plugin enforces them
(Calico, Cilium, kube-router, ...). On a cluster without one the policy exists but
nothing is cut. So landing is checked from inside the cluster: just before the policy
is created, one selected pod connects to another (exec: `nc`, or `wget`, as busybox
has them); after, the same connection must fail. A connection that still
succeeds means the policy is not enforced: the fault did not land.
"""

from __future__ import annotations

import functools
import re
import uuid
from typing import Any, ClassVar

from kubernetes.stream import stream

from gameday.errors import TargetError
from gameday.execute.waiting import wait_until
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.chaosmesh import MANAGED_BY
from gameday.targets.kubernetes.faults import PROTECTED, unprotected_pod_names
from gameday.targets.kubernetes.params import KubeFault, NetworkPartitionParams

DNS = {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
CONNECT_TIMEOUT = 2
"""Seconds one in-cluster connection attempt may take before it counts as blocked."""
SETTLE = 30.0
"""Seconds the policy controller gets to enforce a new policy."""
# A TCP connect from inside the pod: busybox `nc` where there is one (connect timeout),
# else `wget`, where an HTTP error still means the connection was made.
CONNECT = (
    "connect() {{ if command -v nc >/dev/null 2>&1; then "
    "nc -w {t} {ip} {port} </dev/null >/dev/null 2>&1; return $?; fi; "
    'out=$(wget -q -T {t} -O /dev/null "http://{ip}:{port}/" 2>&1); rc=$?; echo "$out"; '
    'case "$out" in *"server returned error"*) return 0;; esac; return $rc; }}; '
    'connect; echo "gameday-connect-rc=$?"'
)
"""Prints its exit status on stdout: the exec error channel is not reliable across
client and protocol versions."""


def _pair(target: KubernetesSession, namespace: str, names: list[str]) -> dict[str, Any] | None:
    """Two running selected pods: the source of the check and the destination (IP and
    its first TCP container port). None when there are not two such pods."""
    running = []
    for name in names:
        pod = target.read("pod", name, namespace)
        ports = [
            p.container_port
            for c in pod.spec.containers
            for p in c.ports or []
            if (p.protocol or "TCP") == "TCP"
        ]
        if pod.status.phase == "Running" and pod.status.pod_ip and ports:
            running.append({"pod": name, "ip": pod.status.pod_ip, "port": ports[0]})
        if len(running) == 2:
            src, dst = running
            return {"from": src["pod"], "ip": dst["ip"], "port": dst["port"], "to": dst["pod"]}
    return None


def connects(target: KubernetesSession, namespace: str, pair: dict[str, Any]) -> bool | str:
    """Whether `pair['from']` can open a TCP connection to the destination; a string
    (why) when the check itself could not run (no shell, nc or wget in the image, no exec)."""
    command = CONNECT.format(t=CONNECT_TIMEOUT, ip=pair["ip"], port=pair["port"])
    exec_in: Any = target.core.connect_get_namespaced_pod_exec

    def run() -> str:
        ws = stream(
            exec_in,
            pair["from"],
            namespace,
            command=["sh", "-c", command],
            stdout=True,
            stderr=True,
            stdin=False,
            tty=False,
            _preload_content=False,
            _request_timeout=CONNECT_TIMEOUT + 10,
        )
        try:
            ws.run_forever(timeout=CONNECT_TIMEOUT + 8)
            return str(ws.read_all())
        finally:
            ws.close()

    try:
        output = target.call("create", "pods/exec", namespace, run)
    except TargetError as exc:
        return f"exec into {pair['from']} failed: {exc.message}"
    found = re.search(r"gameday-connect-rc=(\d+)", output)
    if found is None or found.group(1) == "127":
        return f"no `sh` with `nc` or `wget` in {pair['from']}: {output.strip()[:200]}"
    return found.group(1) == "0"


def partition_holds(
    target: KubernetesSession, injection: Injection, settle: float = SETTLE
) -> Landing:
    """The policy exists and, from inside the cluster, the connection that worked before
    it was created now fails."""
    undo, evidence = injection.undo, injection.evidence
    namespace, name = undo["namespace"], undo["name"]
    read = functools.partial(target.networking.read_namespaced_network_policy, name, namespace)
    try:
        target.call("get", "networkpolicies", namespace, read)
    except TargetError as exc:
        if exc.status == 404:
            return Landing(False, f"networkpolicy {name} is not there")
        raise
    pair, before = evidence.get("pair"), evidence.get("baseline")
    if pair is None:
        return Landing(None, f"networkpolicy {name} exists; traffic not checked: {before}")
    if before is not True:
        why = before if isinstance(before, str) else "it failed before the policy existed"
        return Landing(None, f"networkpolicy {name} exists; traffic not checkable: {why}")
    path = f"{pair['from']} -> {pair['to']} ({pair['ip']}:{pair['port']})"
    last: list[bool | str] = []

    def blocked() -> bool:
        last[:] = [connects(target, namespace, pair)]
        return last[0] is False

    if wait_until(blocked, settle, 1.0):
        return Landing(True, f"networkpolicy {name} exists and blocks {path}", {"pair": pair})
    if isinstance(last[0], str):
        return Landing(None, f"networkpolicy {name} exists; {last[0]}", {"pair": pair})
    return Landing(
        False,
        f"networkpolicy {name} exists but {path} still connects after {settle:g}s: "
        "the cluster does not enforce NetworkPolicies",
        {"pair": pair},
    )


def policy(name: str, params: NetworkPartitionParams) -> dict[str, Any]:
    """The NetworkPolicy: no allow rules (so everything is denied) in the chosen directions."""
    types = {"ingress": ["Ingress"], "egress": ["Egress"], "both": ["Ingress", "Egress"]}[
        params.direction
    ]
    spec: dict[str, Any] = {
        "podSelector": {
            "matchLabels": dict(params.labels),
            "matchExpressions": [{"key": PROTECTED, "operator": "NotIn", "values": ["true"]}],
        },
        "policyTypes": types,
        "ingress": [],
        "egress": [DNS] if "Egress" in types and params.allow_dns else [],
    }
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "labels": MANAGED_BY},
        "spec": spec,
    }


class NetworkPartition(KubeFault):
    name: ClassVar[str] = "network-partition"
    Params: ClassVar[type[NetworkPartitionParams]] = NetworkPartitionParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_OBJECTS, "pod", ("namespace",))

    def select(self, params: NetworkPartitionParams, target: KubernetesSession) -> Injection:
        namespace = params.namespace or target.namespace
        labels, pods = unprotected_pod_names(target, namespace, params.labels)
        if not pods:
            return Injection(self.name, (), evidence={"selector": labels})
        name = f"gameday-partition-{uuid.uuid4().hex[:8]}"
        return Injection(
            self.name,
            (f"networkpolicy:{namespace}/{name} isolating {len(pods)} pods ({params.direction})",),
            undo={"namespace": namespace, "name": name},
            evidence={"policy": policy(name, params), "pods": pods[:50]},
            matched=len(pods),
            affected=len(pods),
        )

    def inject(
        self, injection: Injection, params: NetworkPartitionParams, target: KubernetesSession
    ) -> Injection:
        namespace = injection.undo["namespace"]
        pair = _pair(target, namespace, injection.evidence["pods"])
        baseline: bool | str = "fewer than two running selected pods with a TCP port"
        if pair is not None:
            baseline = connects(target, namespace, pair)
        injection = Injection(
            self.name,
            injection.targets,
            injection.undo,
            {**injection.evidence, "pair": pair, "baseline": baseline},
        )
        create = functools.partial(
            target.networking.create_namespaced_network_policy,
            namespace,
            injection.evidence["policy"],
        )
        target.call("create", "networkpolicies", namespace, create)
        return injection

    def confirm(
        self, injection: Injection, params: NetworkPartitionParams, target: KubernetesSession
    ) -> Landing:
        if not injection.undo:
            return Landing(False, "no pods selected: no policy created")
        return partition_holds(target, injection)

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        if not injection.undo:
            return
        namespace, name = injection.undo["namespace"], injection.undo["name"]
        delete = functools.partial(
            target.networking.delete_namespaced_network_policy, name, namespace
        )
        target.delete_if_present("networkpolicies", namespace, delete)
