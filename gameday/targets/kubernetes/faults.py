"""Kubernetes faults that run against a real API server: pod-delete, workload-scale."""

from __future__ import annotations

import functools
import math
from typing import Any, ClassVar

from kubernetes import client

from gameday.errors import TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.landing import pods_replaced, replicas_observed
from gameday.targets.kubernetes.params import (
    KubeFault,
    PodDeleteParams,
    Selection,
    WorkloadScaleParams,
)

PROTECTED = "gameday.dev/protected"
"""Pods and namespaces labelled `gameday.dev/protected=true` are never touched."""


def _labels(session: KubernetesSession, sel: Selection, namespace: str) -> str:
    labels = dict(sel.labels)
    if sel.owner:
        kind, name = sel.owner.split("/", 1)
        workload = session.read(kind, name, namespace)
        labels.update(workload.spec.selector.match_labels or {})
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def _protected_namespace(session: KubernetesSession, namespace: str) -> bool:
    ns = session.call("get", "namespaces", None, lambda: session.core.read_namespace(namespace))
    return (ns.metadata.labels or {}).get(PROTECTED) == "true"


def unprotected_pod_names(
    session: KubernetesSession, namespace: str, labels: dict[str, str]
) -> tuple[str, list[str]]:
    """The label selector as text, and the names of matching pods that are not being
    deleted and not protected: what a label-selected fault would act on."""
    selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
    names = sorted(
        p.metadata.name
        for p in session.pods(namespace, selector, None)
        if p.metadata.deletion_timestamp is None
        and (p.metadata.labels or {}).get(PROTECTED) != "true"
    )
    return selector, names


def select_pods(session: KubernetesSession, sel: Selection) -> tuple[list[Any], int]:
    """The pods to act on, and how many matched before count/percent/max picked."""
    namespace = sel.namespace or session.namespace
    if _protected_namespace(session, namespace):
        return [], 0
    pods = [
        p
        for p in session.pods(namespace, _labels(session, sel, namespace), sel.field_selector)
        if p.metadata.deletion_timestamp is None
        and (p.metadata.labels or {}).get(PROTECTED) != "true"
        and (not sel.names or p.metadata.name in sel.names)
    ]
    pods.sort(key=lambda p: p.metadata.name)
    wanted = math.ceil(len(pods) * sel.percent) if sel.percent is not None else (sel.count or 1)
    if sel.max is not None:
        wanted = min(wanted, sel.max)
    return pods[:wanted], len(pods)


class PodDelete(KubeFault):
    """Deletes selected pods (UID-preconditioned). Irreversible: their controllers replace them."""

    name: ClassVar[str] = "pod-delete"
    Params: ClassVar[type[PodDeleteParams]] = PodDeleteParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_OBJECTS, "pod", ("namespace",), "percent")
    reversible: ClassVar[bool] = False

    def select(self, params: PodDeleteParams, target: KubernetesSession) -> Injection:
        namespace = params.namespace or target.namespace
        selector = _labels(target, params, namespace)
        pods, matched = select_pods(target, params)
        before = sum(
            1
            for p in target.pods(namespace, selector, params.field_selector)
            if p.metadata.deletion_timestamp is None
        )
        return Injection(
            self.name,
            tuple(f"pod:{p.metadata.namespace}/{p.metadata.name} {p.metadata.uid}" for p in pods),
            undo={"pods": [[p.metadata.namespace, p.metadata.name, p.metadata.uid] for p in pods]},
            matched=matched,
            evidence={
                "selector": selector,
                "before": before,  # matching pods before: what replacement restores
                "owned": all(
                    any(o.controller for o in p.metadata.owner_references or []) for p in pods
                ),
            },
        )

    def inject(
        self, injection: Injection, params: PodDeleteParams, target: KubernetesSession
    ) -> Injection:
        grace = None if params.grace_period is None else int(params.grace_period)
        deleted = []
        for namespace, name, uid in injection.undo["pods"]:
            body = client.V1DeleteOptions(
                grace_period_seconds=grace, preconditions=client.V1Preconditions(uid=uid)
            )
            try:
                target.call(
                    "delete",
                    "pods",
                    namespace,
                    functools.partial(
                        target.core.delete_namespaced_pod, name, namespace, body=body
                    ),
                )
                deleted.append(uid)
            except TargetError as exc:  # already gone or replaced (UID precondition)
                if exc.status not in (404, 409):
                    raise
        return Injection(
            self.name, injection.targets, injection.undo, {**injection.evidence, "deleted": deleted}
        )

    def confirm(
        self, injection: Injection, params: PodDeleteParams, target: KubernetesSession
    ) -> Landing:
        """The deleted pods are gone and their controllers have created replacements."""
        if not injection.undo.get("pods"):
            return Landing(False, "no pods selected")
        return pods_replaced(target, injection, injection.evidence.get("selector", ""))

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        """Nothing to undo: the pods' controllers create replacements."""


class WorkloadScale(KubeFault):
    """Scales a Deployment or StatefulSet; revert restores the recorded replica count."""

    name: ClassVar[str] = "workload-scale"
    Params: ClassVar[type[WorkloadScaleParams]] = WorkloadScaleParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_OBJECTS, "workload", ("namespace",))

    def select(self, params: WorkloadScaleParams, target: KubernetesSession) -> Injection:
        kind, name = params.workload.split("/", 1)
        namespace = params.namespace or target.namespace
        scale = target.call(
            "get", f"{kind}s/scale", namespace, lambda: self._read(target, kind, name, namespace)
        )
        return Injection(
            self.name,
            (f"{kind}/{name} in {namespace}: {scale.spec.replicas} -> {params.replicas} replicas",),
            undo={
                "kind": kind,
                "name": name,
                "namespace": namespace,
                "replicas": scale.spec.replicas,
            },
        )

    def inject(
        self, injection: Injection, params: WorkloadScaleParams, target: KubernetesSession
    ) -> Injection:
        self._scale(target, injection.undo, params.replicas)
        return injection

    def confirm(
        self, injection: Injection, params: WorkloadScaleParams, target: KubernetesSession
    ) -> Landing:
        """The controller reports the new replica count (pods really stopped or started)."""
        undo = injection.undo
        return replicas_observed(
            target, undo["kind"], undo["name"], undo["namespace"], params.replicas
        )

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        self._scale(target, injection.undo, injection.undo["replicas"])

    @staticmethod
    def _read(target: KubernetesSession, kind: str, name: str, namespace: str) -> Any:
        if kind == "deployment":
            return target.apps.read_namespaced_deployment_scale(name, namespace)
        return target.apps.read_namespaced_stateful_set_scale(name, namespace)

    @staticmethod
    def _scale(target: KubernetesSession, undo: dict[str, Any], replicas: int) -> None:
        kind, name, namespace = undo["kind"], undo["name"], undo["namespace"]
        patch = (
            target.apps.patch_namespaced_deployment_scale
            if kind == "deployment"
            else target.apps.patch_namespaced_stateful_set_scale
        )
        target.call(
            "patch",
            f"{kind}s/scale",
            namespace,
            lambda: patch(name, namespace, {"spec": {"replicas": replicas}}),
        )
