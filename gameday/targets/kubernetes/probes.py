"""Kubernetes probes, each fed by a watch (list once, then follow changes):

- `k8s-condition`: pods Ready (`pods-ready`), a Deployment's available replicas
  (`deployment-available`), an object existing or absent (`exists`, `absent`), and
  container restarts (`restarts`);
- `k8s-events`: how many events with a reason (e.g. FailedScheduling) occurred since
  the probe started.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Any, ClassVar

from gameday.plugins.protocols import Sample
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.params import K8sConditionParams, K8sEventsParams
from gameday.targets.kubernetes.watch import ObjectWatch

NAMES_IN_DETAIL = 20
"""Ready pod names kept in each sample's detail, so a report shows which pods came and went."""


@dataclass(frozen=True)
class Seen:
    """The little a probe keeps of each watched object."""

    name: str
    ok: bool
    value: int = 0


def _pod(obj: dict[str, Any]) -> Seen:
    status = obj.get("status") or {}
    ready = obj["metadata"].get("deletionTimestamp") is None and any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or [])
    return Seen(obj["metadata"]["name"], ready, restarts)


def _deployment(obj: dict[str, Any]) -> Seen:
    """Available replicas; `ok` only once a rollout is complete (as `kubectl rollout
    status` decides it), so a probe does not call a half-rolled workload recovered."""
    status, wanted = obj.get("status") or {}, (obj.get("spec") or {}).get("replicas", 1)
    rolled_out = (
        status.get("observedGeneration", 0) >= obj["metadata"].get("generation", 0)
        and status.get("updatedReplicas", 0) == wanted
        and status.get("replicas", 0) == wanted
    )
    return Seen(obj["metadata"]["name"], rolled_out, int(status.get("availableReplicas") or 0))


def _present(obj: dict[str, Any]) -> Seen:
    return Seen(obj["metadata"]["name"], obj["metadata"].get("deletionTimestamp") is None)


def _event(obj: dict[str, Any]) -> Seen:
    count = obj.get("count") or (obj.get("series") or {}).get("count") or 1
    return Seen(obj["metadata"]["name"], True, int(count))


def _labels(labels: dict[str, str]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


class K8sCondition:
    name: ClassVar[str] = "k8s-condition"

    def read_only(self, params: K8sConditionParams) -> bool:
        return True  # a watch

    Params: ClassVar[type[K8sConditionParams]] = K8sConditionParams

    def open(
        self, params: K8sConditionParams, target: KubernetesSession, every: float
    ) -> ConditionSession:
        return ConditionSession(params, target)


class ConditionSession:
    def __init__(self, params: K8sConditionParams, target: KubernetesSession):
        self.params = params
        namespace = params.namespace or target.namespace
        if params.kind in ("pods-ready", "restarts"):
            self.watch = ObjectWatch(
                target,
                "pods",
                namespace,
                target.lister("pod", namespace),
                _pod,
                label_selector=_labels(params.labels),
            )
        else:
            kind, _, name = (params.object or "").partition("/")
            summarise = _deployment if params.kind == "deployment-available" else _present
            selector = (
                {"field_selector": f"metadata.name={name}"}
                if name
                else {"label_selector": _labels(params.labels)}
            )
            self.watch = ObjectWatch(
                target, f"{kind}s", namespace, target.lister(kind, namespace), summarise, **selector
            )

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        seen = self.watch.snapshot()
        ok, value, detail = self._judge(seen)
        if self.watch.error:
            ok, detail = False, self.watch.error
        return Sample(t, ok, time.monotonic() - start, value, detail)

    def _judge(self, seen: list[Seen]) -> tuple[bool, float, str]:
        p = self.params
        if p.kind == "pods-ready":
            names = sorted(s.name for s in seen if s.ok)
            listed = ",".join(names[:NAMES_IN_DETAIL])
            return len(names) >= p.min_ready, float(len(names)), f"{len(names)} ready: {listed}"
        if p.kind == "restarts":
            restarts = sum(s.value for s in seen)
            return restarts <= p.max_restarts, float(restarts), f"{restarts} container restarts"
        if p.kind == "deployment-available":
            if not seen:
                return False, 0.0, f"{p.object} not found"
            available, rolled_out = seen[0].value, seen[0].ok
            state = "" if rolled_out else ", rollout in progress"
            ok = available >= p.min_ready and rolled_out
            return ok, float(available), f"{available} available{state}"
        present = sorted(s.name for s in seen if s.ok)
        wanted = p.kind == "exists"
        what = (
            f"{p.object}: {', '.join(present[:NAMES_IN_DETAIL])}" if present else f"no {p.object}"
        )
        return bool(present) == wanted, float(len(present)), what

    def close(self) -> None:
        self.watch.close()


class K8sEvents:
    name: ClassVar[str] = "k8s-events"

    def read_only(self, params: K8sEventsParams) -> bool:
        return True  # a watch

    Params: ClassVar[type[K8sEventsParams]] = K8sEventsParams

    def open(
        self, params: K8sEventsParams, target: KubernetesSession, every: float
    ) -> EventsSession:
        return EventsSession(params, target)


class EventsSession:
    """Counts occurrences since the probe opened (an event's `count` grows as it repeats),
    or within a trailing window: the total now minus the total `within` seconds ago."""

    def __init__(self, params: K8sEventsParams, target: KubernetesSession):
        self.params = params
        namespace = params.namespace or target.namespace
        fields = [f"reason={params.reason}"]
        if params.involved_kind:
            fields.append(f"involvedObject.kind={params.involved_kind}")
        self.watch = ObjectWatch(
            target,
            "events",
            namespace,
            target.lister("event", namespace),
            _event,
            field_selector=",".join(fields),
        )
        self.baseline = {s.name: s.value for s in self.watch.snapshot()}
        self.totals: deque[tuple[float, int]] = deque()

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        total = sum(max(0, s.value - self.baseline.get(s.name, 0)) for s in self.watch.snapshot())
        count = total
        if self.params.within is not None:
            self.totals.append((t, total))
            while len(self.totals) > 1 and self.totals[1][0] <= t - self.params.within:
                self.totals.popleft()
            count = (
                total - self.totals[0][1] if self.totals[0][0] <= t - self.params.within else total
            )
        ok = count <= self.params.max_count and not self.watch.error
        detail = self.watch.error or f"{count} {self.params.reason} events"
        return Sample(t, ok, time.monotonic() - start, float(count), detail)

    def close(self) -> None:
        self.watch.close()
