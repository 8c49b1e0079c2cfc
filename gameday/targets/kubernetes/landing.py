"""Did a Kubernetes fault take effect? The checks behind each fault's `confirm`, run right
after `inject`: pods really gone and replaced, nodes really cordoned and emptied, a
ConfigMap really changed and rolled out, Chaos Mesh really reporting its targets
injected. Each returns a `Landing` saying in words what it looked at.

Waits are short and bounded (`SETTLE` seconds): a controller that has not acted by then
is reported as such, and the scenario is inconclusive rather than a pass.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

from gameday.errors import TargetError
from gameday.execute.waiting import wait_until
from gameday.plugins.protocols import Injection, Landing
from gameday.targets.kubernetes.adapter import KubernetesSession

SETTLE = 30.0
"""Seconds a controller gets to act on a fault before it counts as not landed."""
POLL = 0.5
"""Seconds between two looks."""


def _pod_uids(target: KubernetesSession, namespace: str, selector: str) -> dict[str, Any]:
    return {
        p.metadata.uid: p
        for p in target.pods(namespace, selector, None)
        if p.metadata.deletion_timestamp is None
    }


def pods_replaced(
    target: KubernetesSession, injection: Injection, selector: str, settle: float = SETTLE
) -> Landing:
    """Every deleted pod is gone (its UID no longer serves) and, where a controller owns
    them, as many new pods as were deleted exist beside the survivors."""
    deleted = set(injection.evidence.get("deleted", []))
    if not deleted:
        return Landing(False, "no pod was deleted (all already gone or replaced)")
    pods = injection.undo["pods"]
    namespace = pods[0][0]
    owned = injection.evidence.get("owned", True)
    seen: dict[str, Any] = {}

    def landed() -> bool:
        seen.clear()
        seen.update(_pod_uids(target, namespace, selector))
        gone = not deleted & seen.keys()
        fresh = [u for u, p in seen.items() if u not in deleted]
        return gone and (not owned or len(fresh) >= injection.evidence.get("before", 0))

    ok = wait_until(landed, settle, POLL)
    replacements = sorted(p.metadata.name for u, p in seen.items() if u not in deleted)
    still = sorted(u for u in deleted if u in seen)
    checked = (
        f"{len(deleted)} pods deleted by UID; "
        + (f"still running: {', '.join(still)}; " if still else "none still running; ")
        + f"{len(seen)} pods match {selector or 'the selection'} now"
    )
    return Landing(ok, checked, {"replacements": replacements[:50], "still_running": still})


def replicas_observed(
    target: KubernetesSession, kind: str, name: str, namespace: str, wanted: int
) -> Landing:
    """The workload's controller reports `wanted` replicas (pods really gone or started)."""
    status: dict[str, Any] = {}

    def landed() -> bool:
        obj = target.read(kind, name, namespace)
        status.update(spec=obj.spec.replicas, replicas=obj.status.replicas or 0)
        return bool(obj.spec.replicas == wanted and (obj.status.replicas or 0) == wanted)

    ok = wait_until(landed, SETTLE, POLL)
    checked = (
        f"{kind}/{name}: spec.replicas={status.get('spec')}, "
        f"pods the controller reports={status.get('replicas')} (wanted {wanted})"
    )
    return Landing(ok, checked, status)


def nodes_drained(target: KubernetesSession, injection: Injection) -> Landing:
    """Each node is cordoned and none of the pods evicted from it is still running there;
    pods a PodDisruptionBudget protected are listed, not counted against landing."""
    evicted = set(injection.evidence.get("evicted", []))
    refused = [r["pod"] for r in injection.evidence.get("refused_by_pdb", [])]
    remaining: dict[str, list[str]] = {}
    cordoned: dict[str, bool] = {}

    def landed() -> bool:
        for node in injection.undo["nodes"]:
            cordoned[node] = bool(target.read("node", node, None).spec.unschedulable)
            on_node = {
                f"{p.metadata.namespace}/{p.metadata.name}"
                for p in target.pods(None, None, f"spec.nodeName={node}")
                if p.metadata.deletion_timestamp is None
            }
            remaining[node] = sorted(evicted & on_node)
        return all(cordoned.values()) and not any(remaining.values())

    ok = wait_until(landed, SETTLE, POLL)
    checked = "; ".join(
        f"node {n} {'cordoned' if cordoned.get(n) else 'NOT cordoned'}, "
        f"{len(evicted)} evicted, {len(remaining.get(n, []))} of them still running there"
        for n in injection.undo["nodes"]
    )
    if refused:
        checked += f"; {len(refused)} evictions refused by a PodDisruptionBudget"
    return Landing(ok, checked, {"still_running": remaining, "refused_by_pdb": refused})


def nodes_tainted(target: KubernetesSession, injection: Injection) -> Landing:
    wanted = injection.undo["taint"]
    has: dict[str, bool] = {}
    for node in injection.undo["nodes"]:
        taints = target.read("node", node, None).spec.taints or []
        has[node] = any((t.key, t.effect) == (wanted["key"], wanted["effect"]) for t in taints)
    text = f"{wanted['key']}:{wanted['effect']}"
    checked = "; ".join(f"node {n} {'has' if ok else 'lacks'} {text}" for n, ok in has.items())
    return Landing(all(has.values()) and bool(has), checked or "no node selected", has)


def config_rolled_out(
    target: KubernetesSession, undo: dict[str, Any], value: str, generation: int | None
) -> Landing:
    """The key holds the bad value and, with a rollout, the controller has started pods
    of the new template (a new ReplicaSet, or updated StatefulSet replicas)."""
    obj = target.read(undo["kind"], undo["name"], undo["namespace"])
    stored = (obj.data or {}).get(undo["key"])
    if undo["kind"] == "secret":
        stored = base64.b64decode(stored).decode() if stored is not None else None
    written = stored == value
    checked = f"{undo['kind']}/{undo['name']} key {undo['key']} " + (
        "holds the injected value" if written else "does NOT hold the injected value"
    )
    if not undo["rollout"] or not written:
        return Landing(written, checked)
    kind, name = undo["rollout"].split("/", 1)
    status: dict[str, Any] = {}

    def rolling() -> bool:
        o = target.read(kind, name, undo["namespace"])
        status.update(observed=o.status.observed_generation, updated=o.status.updated_replicas or 0)
        return bool((o.status.observed_generation or 0) >= (generation or 0) and status["updated"])

    ok = wait_until(rolling, SETTLE, POLL)
    checked += (
        f"; {undo['rollout']} observed generation {status.get('observed')} "
        f"(rollout is {generation}), {status.get('updated')} pods of the new template"
    )
    return Landing(ok, checked, status)


def namespace_going(target: KubernetesSession, namespace: str) -> Landing:
    try:
        ns = target.read("namespace", namespace, None)
    except TargetError as exc:
        if exc.status == 404:
            return Landing(True, f"namespace {namespace} is gone")
        raise
    going = ns.metadata.deletion_timestamp is not None
    state = "is terminating" if going else "is NOT being deleted"
    return Landing(going, f"namespace {namespace} {state}")


def chaos_injected(
    target: KubernetesSession, group: str, version: str, undo: dict[str, Any], settle: float
) -> Landing:
    """Chaos Mesh's own status: the `AllInjected` condition True. Without a Chaos Mesh
    controller nothing ever writes a status, so the fault is not confirmed."""
    conditions: dict[str, str] = {}
    records: list[dict[str, Any]] = []

    def injected() -> bool:
        get = functools.partial(
            target.custom.get_namespaced_custom_object,
            group,
            version,
            undo["namespace"],
            undo["plural"],
            undo["name"],
        )
        obj = target.call("get", undo["plural"], undo["namespace"], get)
        status = obj.get("status") or {}
        conditions.clear()
        conditions.update({c["type"]: c["status"] for c in status.get("conditions") or []})
        records[:] = (status.get("experiment") or {}).get("containerRecords") or []
        return conditions.get("AllInjected") == "True"

    ok = wait_until(injected, settle, POLL)
    where = f"{undo['plural']}/{undo['name']}"
    if ok:
        checked = f"{where}: Chaos Mesh reports AllInjected ({len(records)} targets)"
    elif not conditions:
        checked = f"{where}: no status after {settle:g}s: no Chaos Mesh controller acted on it"
    else:
        shown = ", ".join(f"{k}={v}" for k, v in sorted(conditions.items()))
        checked = f"{where}: Chaos Mesh conditions {shown} (AllInjected not True)"
    phases = [r.get("phase") for r in records]
    return Landing(ok, checked, {"conditions": conditions, "phases": phases})
