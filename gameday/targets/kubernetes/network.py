"""`network-partition`: a deny-all NetworkPolicy over the selected pods (ingress,
egress or both), deleted on revert.

Kubernetes only stores NetworkPolicies; the cluster's CNI plugin enforces them
(Calico, Cilium, ...). On a cluster without one the policy exists but nothing is cut:
probe the service itself to see whether the partition bit.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any, ClassVar

from gameday.plugins.protocols import Injection, Reach, Touches
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.chaosmesh import MANAGED_BY
from gameday.targets.kubernetes.faults import PROTECTED, unprotected_pod_names
from gameday.targets.kubernetes.params import KubeFault, NetworkPartitionParams

DNS = {"ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}


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
        create = functools.partial(
            target.networking.create_namespaced_network_policy,
            namespace,
            injection.evidence["policy"],
        )
        target.call("create", "networkpolicies", namespace, create)
        return injection

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        if not injection.undo:
            return
        namespace, name = injection.undo["namespace"], injection.undo["name"]
        delete = functools.partial(
            target.networking.delete_namespaced_network_policy, name, namespace
        )
        target.delete_if_present("networkpolicies", namespace, delete)
