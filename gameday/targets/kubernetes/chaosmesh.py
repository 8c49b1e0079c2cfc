"""Faults inside containers, driven through Chaos Mesh instead of our own node agents:
`pod-stress` (StressChaos), `pod-network` (NetworkChaos), `pod-dns` (DNSChaos).

gameday names the object before creating it (so the journal can delete it after a
crash), sets Chaos Mesh's own `duration` as a dead-man's switch, labels it
`app.kubernetes.io/managed-by: gameday`, and deletes it on revert.
"""

from __future__ import annotations

import functools
import math
import uuid
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from gameday.errors import TargetError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams, at_least_one, given, when
from gameday.spec.units import Duration, Percent, Ratio
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.faults import PROTECTED, unprotected_pod_names
from gameday.targets.kubernetes.landing import chaos_injected
from gameday.targets.kubernetes.params import KubeFault

GROUP, VERSION = "chaos-mesh.org", "v1alpha1"
MANAGED_BY = {"app.kubernetes.io/managed-by": "gameday"}
SETTLE = 20.0
"""Seconds Chaos Mesh's controller gets to report all targets injected."""


_COUNT = {
    "anyOf": [{"type": "string", "pattern": r"^[1-9][0-9]*$"}, {"type": "integer", "minimum": 1}]
}
_PERCENT = {
    "anyOf": [
        {"type": "string", "pattern": r"^([1-9][0-9]?|100)%?$"},
        {"type": "integer", "minimum": 1, "maximum": 100},
    ]
}
_PERCENT_MODES = ("fixed-percent", "random-max-percent")


def _mode_value(value: object) -> object:
    """Chaos Mesh wants a string; `2`, `"2"`, `50` and `"50%"` all mean what they say."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value.removesuffix("%") if isinstance(value, str) else value


class ChaosTarget(PluginParams):
    schema_rules = (
        when("mode", "fixed", "one", {**given("value"), "properties": {"value": _COUNT}}),
        *(
            when("mode", m, "one", {**given("value"), "properties": {"value": _PERCENT}})
            for m in _PERCENT_MODES
        ),
    )

    namespace: str | None = None
    labels: dict[str, str] = Field(min_length=1, description="Pods to affect, by label.")
    mode: Literal["one", "all", "fixed", "fixed-percent", "random-max-percent"] = "one"
    value: Annotated[str | None, BeforeValidator(_mode_value)] = Field(
        None,
        description="How many pods: a count for `fixed`, a percentage (1-100) for "
        "`fixed-percent` and `random-max-percent`.",
    )
    max_duration: Duration = Field(
        600.0, description="Chaos Mesh ends the chaos by itself after this."
    )

    @model_validator(mode="after")
    def _value_fits_mode(self) -> ChaosTarget:
        if self.mode == "fixed" and not (self.value or "").isdigit():
            raise ValueError("`mode: fixed` needs `value`: how many pods, e.g. `value: 2`")
        if self.mode == "fixed" and int(self.value or 0) < 1:
            raise ValueError("`mode: fixed` needs `value` of at least 1")
        if self.mode in _PERCENT_MODES and not (
            (self.value or "").isdigit() and 1 <= int(self.value or 0) <= 100
        ):
            raise ValueError(f"`mode: {self.mode}` needs `value`: a percentage, e.g. `value: 50%`")
        return self


class PodStressParams(ChaosTarget):
    schema_rules = (at_least_one("cpu_workers", "memory_workers"),)

    cpu_workers: int | None = Field(None, ge=1)
    cpu_load: Percent = Field(100, description="Load per CPU worker, 0-100 (`80` or `80%`).")
    memory_workers: int | None = Field(None, ge=1)
    memory_size: str = Field(
        "256MB",
        pattern=r"^[0-9]+(\.[0-9]+)? ?([kKmMgGtTpP]?[iI]?[bB]?|%)$",
        description="Per memory worker, in Chaos Mesh's units (`256MB`, `1GB`) or a "
        "percentage of the node's memory (`25%`).",
    )

    @model_validator(mode="after")
    def _something(self) -> PodStressParams:
        if self.cpu_workers is None and self.memory_workers is None:
            raise ValueError("give `cpu_workers`, `memory_workers` or both")
        return self


class PodNetworkParams(ChaosTarget):
    schema_rules = (
        when("action", "delay", "delay", given("latency")),
        when("action", "loss", "delay", given("loss")),
    )

    action: Literal["delay", "loss"] = "delay"
    latency: Duration | None = None
    jitter: Duration = 0.0
    loss: Ratio | None = None
    direction: Literal["to", "from", "both"] = "to"

    @model_validator(mode="after")
    def _matching(self) -> PodNetworkParams:
        if self.action == "delay" and self.latency is None:
            raise ValueError("`action: delay` needs `latency`")
        if self.action == "loss" and self.loss is None:
            raise ValueError("`action: loss` needs `loss`")
        return self


class PodDnsParams(ChaosTarget):
    action: Literal["error", "random"] = "error"
    patterns: list[str] = Field(["*"], description="Domain patterns to affect.")


def affected_pods(mode: str, value: str | None, pods: int) -> int:
    """How many of `pods` Chaos Mesh acts on in `mode` (its selector semantics); an
    unparsable `value` counts as all of them, so a blast-radius cap errs on the safe side."""
    try:
        number = float(value) if value is not None else None
    except ValueError:
        number = None
    if mode == "one":
        return min(1, pods)
    if mode == "fixed" and number is not None:
        return min(pods, max(0, int(number)))
    if mode in ("fixed-percent", "random-max-percent") and number is not None:
        return min(pods, math.ceil(pods * max(0.0, number) / 100))
    return pods


def _ms(seconds: float) -> str:
    return f"{round(seconds * 1000)}ms"


class _ChaosMeshFault(KubeFault):
    name: ClassVar[str]
    reach: ClassVar[Reach] = Reach(Touches.KUBE_OBJECTS, "pod", ("namespace",))
    kind: ClassVar[str]
    plural: ClassVar[str]

    def spec(self, params: Any) -> dict[str, Any]:
        raise NotImplementedError

    def select(self, params: ChaosTarget, target: KubernetesSession) -> Injection:
        crd = f"{self.plural}.{GROUP}"
        try:
            target.call(
                "get",
                "customresourcedefinitions",
                None,
                functools.partial(target.crds.read_custom_resource_definition, crd),
            )
        except TargetError as exc:
            if exc.status != 404:
                raise
            raise TargetError(
                f"Chaos Mesh's {self.kind} CRD ({crd}) is not installed in this cluster",
                hint="install Chaos Mesh (its Helm chart installs the CRDs and the controller)",
            ) from None
        namespace = params.namespace or target.namespace
        labels, pods = unprotected_pod_names(target, namespace, params.labels)
        if not pods:
            return Injection(self.name, (), evidence={"selector": labels})
        name = f"gameday-{self.name}-{uuid.uuid4().hex[:8]}"
        body = {
            "apiVersion": f"{GROUP}/{VERSION}",
            "kind": self.kind,
            "metadata": {"name": name, "namespace": namespace, "labels": MANAGED_BY},
            "spec": {
                "mode": params.mode,
                **({"value": params.value} if params.value else {}),
                "selector": {
                    "namespaces": [namespace],
                    "labelSelectors": dict(params.labels),
                    "expressionSelectors": [
                        {"key": PROTECTED, "operator": "NotIn", "values": ["true"]}
                    ],
                },
                "duration": f"{int(params.max_duration)}s",
                **self.spec(params),
            },
        }
        return Injection(
            self.name,
            (f"{self.plural}:{namespace}/{name} over {len(pods)} pods ({params.mode})",),
            undo={"namespace": namespace, "name": name, "plural": self.plural},
            evidence={"object": body, "pods": pods[:50]},
            matched=len(pods),
            affected=affected_pods(params.mode, params.value, len(pods)),
        )

    def inject(
        self, injection: Injection, params: ChaosTarget, target: KubernetesSession
    ) -> Injection:
        undo = injection.undo
        create = functools.partial(
            target.custom.create_namespaced_custom_object,
            GROUP,
            VERSION,
            undo["namespace"],
            undo["plural"],
            injection.evidence["object"],
        )
        target.call("create", undo["plural"], undo["namespace"], create)
        return injection

    def confirm(
        self, injection: Injection, params: ChaosTarget, target: KubernetesSession
    ) -> Landing:
        """Chaos Mesh's status conditions say every selected target is injected."""
        if not injection.undo:
            return Landing(False, "no pods selected: no chaos object created")
        return chaos_injected(target, GROUP, VERSION, injection.undo, SETTLE)

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        undo = injection.undo
        if not undo:
            return
        delete = functools.partial(
            target.custom.delete_namespaced_custom_object,
            GROUP,
            VERSION,
            undo["namespace"],
            undo["plural"],
            undo["name"],
        )
        target.delete_if_present(undo["plural"], undo["namespace"], delete)


class PodStress(_ChaosMeshFault):
    name: ClassVar[str] = "pod-stress"
    Params: ClassVar[type[PodStressParams]] = PodStressParams
    kind: ClassVar[str] = "StressChaos"
    plural: ClassVar[str] = "stresschaos"
    destructive: ClassVar[bool] = False

    def spec(self, params: PodStressParams) -> dict[str, Any]:
        stressors: dict[str, Any] = {}
        if params.cpu_workers:
            stressors["cpu"] = {"workers": params.cpu_workers, "load": params.cpu_load}
        if params.memory_workers:
            stressors["memory"] = {"workers": params.memory_workers, "size": params.memory_size}
        return {"stressors": stressors}


class PodNetwork(_ChaosMeshFault):
    name: ClassVar[str] = "pod-network"
    Params: ClassVar[type[PodNetworkParams]] = PodNetworkParams
    kind: ClassVar[str] = "NetworkChaos"
    plural: ClassVar[str] = "networkchaos"

    def spec(self, params: PodNetworkParams) -> dict[str, Any]:
        detail: dict[str, Any]
        if params.action == "delay":
            detail = {
                "delay": {"latency": _ms(params.latency or 0.0), "jitter": _ms(params.jitter)}
            }
        else:
            detail = {"loss": {"loss": f"{(params.loss or 0.0) * 100:g}"}}
        return {"action": params.action, "direction": params.direction, **detail}


class PodDns(_ChaosMeshFault):
    name: ClassVar[str] = "pod-dns"
    Params: ClassVar[type[PodDnsParams]] = PodDnsParams
    kind: ClassVar[str] = "DNSChaos"
    plural: ClassVar[str] = "dnschaos"

    def spec(self, params: PodDnsParams) -> dict[str, Any]:
        return {"action": params.action, "patterns": params.patterns}
