"""Node faults: `node-drain` (cordon, then evict through the Eviction API so that
PodDisruptionBudgets are honoured) and `node-taint`. Both need the opt-in ClusterRole
(deploy/rbac/cluster-faults-clusterrole.yaml); revert uncordons / removes the taint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ClassVar

from kubernetes import client

from gameday.errors import TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.faults import PROTECTED
from gameday.targets.kubernetes.landing import nodes_drained, nodes_tainted
from gameday.targets.kubernetes.params import (
    KubeFault,
    NodeDrainParams,
    NodeSelection,
    NodeTaintParams,
)

MIRROR = "kubernetes.io/config.mirror"
Taints = list[dict[str, Any]]


def select_nodes(target: KubernetesSession, sel: NodeSelection) -> tuple[list[Any], int]:
    """Schedulable, unprotected nodes matching `nodes`/`labels`, the first `count` by name,
    and how many matched."""
    labels = ",".join(f"{k}={v}" for k, v in sorted(sel.labels.items()))
    found = [
        n
        for n in target.list_all("nodes", None, target.core.list_node, label_selector=labels)
        if not n.spec.unschedulable
        and (n.metadata.labels or {}).get(PROTECTED) != "true"
        and (not sel.nodes or n.metadata.name in sel.nodes)
    ]
    found.sort(key=lambda n: n.metadata.name)
    return found[: sel.count], len(found)


def _patch_node(target: KubernetesSession, name: str, body: dict[str, Any]) -> None:
    try:
        target.call("patch", "nodes", None, functools.partial(target.core.patch_node, name, body))
    except TargetError as exc:
        if exc.status != 404:  # a node that is gone needs no revert
            raise


def _evictable(pod: Any) -> bool:
    """What `kubectl drain` would evict: not DaemonSet pods, not static (mirror) pods."""
    owners = pod.metadata.owner_references or []
    return (
        pod.metadata.deletion_timestamp is None
        and not any(o.kind == "DaemonSet" for o in owners)
        and MIRROR not in (pod.metadata.annotations or {})
        and (pod.metadata.labels or {}).get(PROTECTED) != "true"
    )


class NodeDrain(KubeFault):
    """Cordons the nodes, then evicts their pods; evictions a PDB refuses are reported."""

    name: ClassVar[str] = "node-drain"
    Params: ClassVar[type[NodeDrainParams]] = NodeDrainParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_NODES, "node")

    def select(self, params: NodeDrainParams, target: KubernetesSession) -> Injection:
        chosen, matched = select_nodes(target, params)
        nodes = [n.metadata.name for n in chosen]
        return Injection(
            self.name, tuple(f"node:{n}" for n in nodes), undo={"nodes": nodes}, matched=matched
        )

    def inject(
        self, injection: Injection, params: NodeDrainParams, target: KubernetesSession
    ) -> Injection:
        grace = None if params.grace_period is None else int(params.grace_period)
        evicted: list[str] = []
        refused: list[dict[str, str]] = []
        for node in injection.undo["nodes"]:
            _patch_node(target, node, {"spec": {"unschedulable": True}})
            for pod in target.pods(None, None, f"spec.nodeName={node}"):
                if not _evictable(pod):
                    continue
                where = f"{pod.metadata.namespace}/{pod.metadata.name}"
                refusal = self._evict(target, pod, grace)
                if refusal is None:
                    evicted.append(where)
                else:
                    refused.append({"pod": where, "reason": refusal})
        evidence = {**injection.evidence, "evicted": evicted, "refused_by_pdb": refused}
        return Injection(self.name, injection.targets, injection.undo, evidence)

    @staticmethod
    def _evict(target: KubernetesSession, pod: Any, grace: int | None) -> str | None:
        """Evicts one pod; returns why it was refused (a PDB: HTTP 429), or None."""
        namespace, name = pod.metadata.namespace, pod.metadata.name
        body = client.V1Eviction(
            metadata=client.V1ObjectMeta(name=name, namespace=namespace),
            delete_options=client.V1DeleteOptions(grace_period_seconds=grace),
        )
        evict = functools.partial(target.core.create_namespaced_pod_eviction, name, namespace, body)
        try:
            target.call("create", "pods/eviction", namespace, evict)
        except TargetError as exc:
            if exc.status == 429:
                return "a PodDisruptionBudget allows no more disruptions"
            gone = exc.status == 404 or (exc.status == 403 and target.terminating(namespace))
            if not gone:  # deleted already, or its namespace is going
                raise
        return None

    def confirm(
        self, injection: Injection, params: NodeDrainParams, target: KubernetesSession
    ) -> Landing:
        """Nodes cordoned, evicted pods gone from them (PDB refusals listed)."""
        if not injection.undo.get("nodes"):
            return Landing(False, "no node selected")
        return nodes_drained(target, injection)

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        for node in injection.undo["nodes"]:
            _patch_node(target, node, {"spec": {"unschedulable": None}})


def _parse_taint(text: str) -> dict[str, str | None]:
    key_value, effect = text.rsplit(":", 1)
    key, _, value = key_value.partition("=")
    return {"key": key, "value": value or None, "effect": effect}


def _same(taint: Any, wanted: dict[str, Any]) -> bool:
    """Taints are identified by key and effect (the value may differ)."""
    if isinstance(taint, dict):
        return bool((taint["key"], taint["effect"]) == (wanted["key"], wanted["effect"]))
    return bool((taint.key, taint.effect) == (wanted["key"], wanted["effect"]))


class NodeTaint(KubeFault):
    """Adds a taint to the nodes (NoExecute also evicts); revert removes exactly that taint."""

    name: ClassVar[str] = "node-taint"
    Params: ClassVar[type[NodeTaintParams]] = NodeTaintParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_NODES, "node")

    def select(self, params: NodeTaintParams, target: KubernetesSession) -> Injection:
        wanted = _parse_taint(params.taint)
        chosen, matched = select_nodes(target, params)
        nodes = [
            n.metadata.name
            for n in chosen
            if not any(_same(t, wanted) for t in n.spec.taints or [])  # not someone else's
        ]
        return Injection(
            self.name,
            tuple(f"node:{n} +{params.taint}" for n in nodes),
            undo={"nodes": nodes, "taint": wanted},
            matched=matched,
        )

    def inject(
        self, injection: Injection, params: NodeTaintParams, target: KubernetesSession
    ) -> Injection:
        wanted = injection.undo["taint"]
        for node in injection.undo["nodes"]:
            self._retaint(
                target,
                node,
                lambda taints: (
                    taints if any(_same(t, wanted) for t in taints) else [*taints, wanted]
                ),
            )
        return injection

    def confirm(
        self, injection: Injection, params: NodeTaintParams, target: KubernetesSession
    ) -> Landing:
        """Every selected node carries the taint."""
        return nodes_tainted(target, injection)

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        wanted = injection.undo["taint"]
        for node in injection.undo["nodes"]:
            self._retaint(
                target,
                node,
                lambda taints: [t for t in taints if not _same(t, wanted)],
            )

    @staticmethod
    def _retaint(target: KubernetesSession, node: str, change: Callable[[Taints], Taints]) -> None:
        """Read-modify-write guarded by resourceVersion: a concurrent change is a 409,
        which the runner retries, never a lost taint."""
        try:
            current = target.read("node", node, None)
        except TargetError as exc:
            if exc.status == 404:
                return
            raise
        taints = [
            {"key": t.key, "value": t.value, "effect": t.effect} for t in current.spec.taints or []
        ]
        updated = change(taints)
        if updated == taints:
            return  # already as wanted: idempotent
        body = {
            "metadata": {"resourceVersion": current.metadata.resource_version},
            "spec": {"taints": updated},
        }
        _patch_node(target, node, body)
