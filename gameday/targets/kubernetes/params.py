"""Kubernetes target settings and fault/probe parameters (the gameday/v1 contract).

These plugins validate and plan. Running them needs the Kubernetes adapter, which this
release does not ship yet: `connect` says so plainly instead of pretending.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from gameday.spec.base import PluginParams
from gameday.spec.units import Duration, Ratio


class KubernetesParams(PluginParams):
    context: str | None = Field(
        None, description="kubeconfig context; required for destructive faults."
    )
    kubeconfig: str | None = Field(
        None, description="Path to the kubeconfig (default: $KUBECONFIG)."
    )
    in_cluster: bool = Field(False, description="Use the pod's service-account credentials.")
    namespace: str = Field("default", description="Default namespace for selectors.")

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

        server = None if params.context is None else server_of(params.context, params.kubeconfig)
        return {"context": params.context, "server": server}

    def connect(self, params: KubernetesParams) -> Any:
        from gameday.targets.kubernetes.adapter import connect

        return connect(params)


class Selection(PluginParams):
    """Which objects: namespace, labels, fields, names or owner, with caps."""

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


class PodDeleteParams(Selection):
    grace_period: Duration | None = Field(None, description="Termination grace period, seconds.")


class WorkloadScaleParams(PluginParams):
    workload: str = Field(pattern=r"^(deployment|statefulset)/[a-z0-9.-]+$")
    namespace: str | None = None
    replicas: int = Field(0, ge=0, description="Scale to this many replicas.")


class NodeDrainParams(PluginParams):
    nodes: list[str] = []
    labels: dict[str, str] = {}
    count: int = Field(1, ge=1)
    taint: str | None = Field(
        None, description="Taint instead of drain, e.g. `gameday=drill:NoSchedule`."
    )

    @model_validator(mode="after")
    def _something(self) -> NodeDrainParams:
        if not (self.nodes or self.labels):
            raise ValueError("select nodes with `nodes` or `labels`")
        return self


class NodeDrain(KubeFault):
    name: ClassVar[str] = "node-drain"
    Params: ClassVar[type[NodeDrainParams]] = NodeDrainParams


class NetworkPartitionParams(Selection):
    direction: Literal["ingress", "egress", "both"] = "both"


class NetworkPartition(KubeFault):
    name: ClassVar[str] = "network-partition"
    Params: ClassVar[type[NetworkPartitionParams]] = NetworkPartitionParams


class ConfigCorruptParams(PluginParams):
    object: str = Field(pattern=r"^(configmap|secret)/[a-z0-9.-]+$")
    namespace: str | None = None
    key: str
    value: str
    rollout: str | None = Field(None, pattern=r"^(deployment|statefulset)/[a-z0-9.-]+$")


class ConfigCorrupt(KubeFault):
    name: ClassVar[str] = "config-corrupt"
    Params: ClassVar[type[ConfigCorruptParams]] = ConfigCorruptParams


class NamespaceDeleteParams(PluginParams):
    namespace: str
    snapshot_kinds: list[str] = [
        "deployments",
        "statefulsets",
        "services",
        "configmaps",
        "secrets",
        "persistentvolumeclaims",
    ]


class NamespaceDelete(KubeFault):
    name: ClassVar[str] = "namespace-delete"
    Params: ClassVar[type[NamespaceDeleteParams]] = NamespaceDeleteParams
    reversible: ClassVar[bool] = False


class K8sConditionParams(PluginParams):
    kind: Literal["deployment-available", "pods-ready"]
    object: str | None = None
    namespace: str | None = None
    labels: dict[str, str] = {}
    min_ready: int = Field(1, ge=0)
