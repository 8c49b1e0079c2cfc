"""Kubernetes target settings and fault/probe parameters (the gameday/v1 contract).

The fault classes live in faults.py, nodes.py, network.py, config.py, snapshot.py and
chaosmesh.py; this module holds only what the spec needs, so `validate` never imports the
Kubernetes client.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams, at_least_one, at_most_one, filled, when
from gameday.spec.units import Duration, Ratio


class KubernetesParams(PluginParams):
    schema_rules = (
        {
            "if": {"required": ["in_cluster"], "properties": {"in_cluster": {"const": True}}},
            "then": {"not": at_least_one("context", "kubeconfig", test=filled)},
        },
    )

    context: str | None = Field(
        None, description="kubeconfig context; required for destructive faults."
    )
    kubeconfig: str | None = Field(
        None, description="Path to the kubeconfig (default: $KUBECONFIG)."
    )
    in_cluster: bool = Field(False, description="Use the pod's service-account credentials.")
    namespace: str = Field("default", description="Default namespace for selectors.")
    qps: float = Field(
        50.0, gt=0, description="Client-side cap on API requests per second (token bucket)."
    )
    burst: int = Field(100, ge=1, description="Requests allowed at once before `qps` applies.")

    @model_validator(mode="after")
    def _one_source(self) -> KubernetesParams:
        if self.in_cluster and (self.context or self.kubeconfig):
            raise ValueError("`in_cluster: true` excludes `context` and `kubeconfig`")
        return self


class KubernetesTarget:
    name: ClassVar[str] = "kubernetes"
    Params: ClassVar[type[KubernetesParams]] = KubernetesParams

    def identity(self, params: KubernetesParams) -> dict[str, str | None]:
        """What guardrails check before connecting: the context and its real server."""
        from gameday.targets.kubernetes.kubeconfig import server_of

        if params.in_cluster:  # the API server this pod's service account talks to
            host = os.environ.get("KUBERNETES_SERVICE_HOST")
            port = os.environ.get("KUBERNETES_SERVICE_PORT", "443")
            server = None if not host else f"https://{_bracketed(host)}:{port}"
            return {"context": None, "server": server}
        server = None if params.context is None else server_of(params.context, params.kubeconfig)
        return {"context": params.context, "server": server}

    def connect(self, params: KubernetesParams) -> Any:
        from gameday.targets.kubernetes.adapter import connect

        return connect(params)


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class Selection(PluginParams):
    """Which objects: namespace, labels, fields, names or owner, with caps."""

    schema_rules = (
        at_least_one("labels", "field_selector", "names", "owner", test=filled),
        at_most_one("count", "percent"),
    )

    namespace: str | None = None
    labels: dict[str, str] = Field({}, description="Label selector (all must match).")
    field_selector: str | None = None
    names: list[str] = []
    owner: str | None = Field(None, pattern=r"^(deployment|statefulset)/[a-z0-9.-]+$")
    count: int | None = Field(None, ge=1)
    percent: Ratio | None = None
    max: int | None = Field(
        None, ge=1, description="Never more than this many, whatever percent says."
    )

    @model_validator(mode="after")
    def _something(self) -> Selection:
        if not (self.labels or self.field_selector or self.names or self.owner):
            raise ValueError("select with `labels`, `field_selector`, `names` or `owner`")
        if self.count is not None and self.percent is not None:
            raise ValueError("give `count` or `percent`, not both")
        return self


class KubeFault:
    """What every Kubernetes fault shares: its target kind, destructive and reversible by default."""

    target_kind: ClassVar[str] = "kubernetes"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.KUBE_OBJECTS, "object", ("namespace",))

    def confirm(self, injection: Injection, params: Any, target: Any) -> Landing:
        """Every built-in Kubernetes fault checks its own landing (landing.py); a new
        fault that does not is `inconclusive`, never a pass."""
        return Landing(None, "not checked: this fault cannot confirm its landing yet")


class PodDeleteParams(Selection):
    grace_period: Duration | None = Field(None, description="Termination grace period, seconds.")


class WorkloadScaleParams(PluginParams):
    workload: str = Field(pattern=r"^(deployment|statefulset)/[a-z0-9.-]+$")
    namespace: str | None = None
    replicas: int = Field(0, ge=0, description="Scale to this many replicas.")


class NodeSelection(PluginParams):
    """Which nodes: by name or labels, `count` of them (sorted by name). Nodes labelled
    `gameday.dev/protected=true`, and nodes someone already cordoned, are never chosen."""

    schema_rules = (at_least_one("nodes", "labels", test=filled),)

    nodes: list[str] = []
    labels: dict[str, str] = {}
    count: int = Field(1, ge=1)

    @model_validator(mode="after")
    def _something(self) -> NodeSelection:
        if not (self.nodes or self.labels):
            raise ValueError("select nodes with `nodes` or `labels`")
        return self


class NodeDrainParams(NodeSelection):
    grace_period: Duration | None = Field(
        None, description="Grace period for evicted pods (default: each pod's own)."
    )


TAINT = r"^[A-Za-z0-9./_-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$"


class NodeTaintParams(NodeSelection):
    taint: str = Field(
        "gameday.dev/drill=true:NoSchedule",
        pattern=TAINT,
        description="`key[=value]:Effect`; NoExecute also evicts pods that do not tolerate it.",
    )


class NetworkPartitionParams(PluginParams):
    namespace: str | None = None
    labels: dict[str, str] = Field(min_length=1, description="Pods to isolate, by label.")
    direction: Literal["ingress", "egress", "both"] = "both"
    allow_dns: bool = Field(
        True, description="Keep egress to port 53 open, so the failure is the partition, not DNS."
    )


class ConfigCorruptParams(PluginParams):
    object: str = Field(pattern=r"^(configmap|secret)/[a-z0-9.-]+$")
    namespace: str | None = None
    key: str = Field(min_length=1)
    value: str = Field(description="The bad content written to `key` while the fault lasts.")
    rollout: str | None = Field(
        None,
        pattern=r"^(deployment|statefulset)/[a-z0-9.-]+$",
        description="Restart this workload after each change, so it reads the config.",
    )


SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")


class NamespaceDeleteParams(PluginParams):
    schema_rules = ({"properties": {"namespace": {"not": {"enum": list(SYSTEM_NAMESPACES)}}}},)

    namespace: str = Field(pattern=r"^[a-z0-9-]+$")
    snapshot_kinds: list[str] | None = Field(
        None,
        description=(
            "Kinds the snapshot keeps, by plural or plural.group (e.g. `deployments`, "
            "`rolebindings.rbac.authorization.k8s.io`). Default: every namespaced kind the "
            "cluster serves, custom resources included (events excepted)."
        ),
    )

    @model_validator(mode="after")
    def _not_system(self) -> NamespaceDeleteParams:
        if self.namespace in SYSTEM_NAMESPACES:
            raise ValueError(f"gameday never deletes the system namespace `{self.namespace}`")
        return self


_NAMED = {"required": ["object"], "properties": {"object": {"type": "string", "pattern": "/"}}}


class K8sConditionParams(PluginParams):
    schema_rules = (
        when(
            "kind",
            "deployment-available",
            None,
            {"required": ["object"], "properties": {"object": {"pattern": "^deployment/"}}},
        ),
        *(
            when(
                "kind",
                k,
                None,
                {"anyOf": [_NAMED, {"allOf": [filled("object"), filled("labels")]}]},
            )
            for k in ("exists", "absent")
        ),
        *(when("kind", k, None, filled("labels")) for k in ("pods-ready", "restarts")),
    )

    kind: Literal["deployment-available", "pods-ready", "exists", "absent", "restarts"]
    object: str | None = Field(
        None,
        pattern=r"^[a-z]+(/[a-z0-9.-]+)?$",
        description="`deployment/NAME` for deployment-available; `KIND/NAME`, or `KIND` "
        "with `labels`, for exists and absent.",
    )
    namespace: str | None = None
    labels: dict[str, str] = {}
    min_ready: int = Field(1, ge=0, description="pods-ready / deployment-available: at least.")
    max_restarts: int = Field(0, ge=0, description="restarts: container restarts allowed.")

    @model_validator(mode="after")
    def _needs(self) -> K8sConditionParams:
        named = self.object is not None and "/" in self.object
        if self.kind == "deployment-available" and not (
            named and (self.object or "").startswith("deployment/")
        ):
            raise ValueError("`kind: deployment-available` needs `object: deployment/NAME`")
        if self.kind in ("exists", "absent") and not (named or (self.object and self.labels)):
            raise ValueError(
                f"`kind: {self.kind}` needs `object: KIND/NAME`, or `KIND` and `labels`"
            )
        if self.kind in ("pods-ready", "restarts") and not self.labels:
            raise ValueError(f"`kind: {self.kind}` needs `labels`")
        return self


class K8sEventsParams(PluginParams):
    reason: str = Field(description="Event reason to count, e.g. FailedScheduling, BackOff.")
    namespace: str | None = None
    involved_kind: str | None = Field(None, description="Only events about this kind, e.g. Pod.")
    max_count: int = Field(
        0, ge=0, description="The probe is good while at most this many have occurred."
    )
    within: Duration | None = Field(
        None,
        description="Count only occurrences seen in this trailing window (default: since "
        "the probe started), so the probe turns good again once they stop.",
    )
