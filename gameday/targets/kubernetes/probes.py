"""Kubernetes probes: how many pods are Ready, whether a Deployment is available."""

from __future__ import annotations

import time
from typing import ClassVar

from gameday.errors import TargetError
from gameday.plugins.protocols import Sample
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.params import K8sConditionParams

NAMES_IN_DETAIL = 20
"""Ready pod names kept in each sample's detail, so a report shows which pods came and went."""


class K8sCondition:
    name: ClassVar[str] = "k8s-condition"
    Params: ClassVar[type[K8sConditionParams]] = K8sConditionParams

    def open(
        self, params: K8sConditionParams, target: KubernetesSession, every: float
    ) -> ConditionSession:
        return ConditionSession(params, target)


class ConditionSession:
    def __init__(self, params: K8sConditionParams, target: KubernetesSession):
        self.params, self.target = params, target
        self.namespace = params.namespace or target.namespace

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        try:
            ready, names = self._ready()
        except TargetError as exc:
            return Sample(t, False, time.monotonic() - start, None, exc.message[:120])
        ok = ready >= self.params.min_ready
        listed = ",".join(names[:NAMES_IN_DETAIL])
        return Sample(t, ok, time.monotonic() - start, float(ready), f"{ready} ready: {listed}")

    def _ready(self) -> tuple[int, list[str]]:
        if self.params.kind == "deployment-available":
            name = (self.params.object or "").removeprefix("deployment/")
            status = self.target.call(
                "get",
                "deployments",
                self.namespace,
                lambda: self.target.apps.read_namespaced_deployment_status(name, self.namespace),
            )
            return int(status.status.available_replicas or 0), [name]
        labels = ",".join(f"{k}={v}" for k, v in sorted(self.params.labels.items()))
        names = sorted(
            pod.metadata.name
            for pod in self.target.pods(self.namespace, labels, None)
            if pod.metadata.deletion_timestamp is None
            and any(c.type == "Ready" and c.status == "True" for c in (pod.status.conditions or []))
        )
        return len(names), names

    def close(self) -> None:
        pass
