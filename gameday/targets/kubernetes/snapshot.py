"""Disaster recovery: `namespace-delete` snapshots a namespace's manifests and deletes
it; the `restore-snapshot` action (the runbook step) re-creates them.

The snapshot is a 0600 JSON file under the state directory: it holds Secrets, so it is
never journaled, logged or rendered (the journal keeps its path and object names).
The fault's revert runs only after the recovery steps, and restores whatever is still
missing: if the runbook failed, gameday's own safety net puts the namespace back.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import (
    ActionContext,
    Injection,
    Landing,
    Reach,
    StepOutcome,
    Touches,
)
from gameday.spec.base import PluginParams
from gameday.state import private_path, read_private, write_private
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.faults import PROTECTED
from gameday.targets.kubernetes.kinds import (
    Kind,
    kind_of,
    list_objects,
    namespaced_kinds,
    rest,
)
from gameday.targets.kubernetes.landing import namespace_going
from gameday.targets.kubernetes.params import KubeFault, NamespaceDeleteParams
from gameday.targets.kubernetes.watch import ObjectWatch

SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation")
SERVER_ANNOTATIONS = (
    "deployment.kubernetes.io/",
    "pv.kubernetes.io/",
    "kubectl.kubernetes.io/last",
)
CONTROLLER_MADE = {("configmaps", "kube-root-ca.crt"), ("serviceaccounts", "default")}
JOB_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid", "job-name")


def manifest(key: str, obj: dict[str, Any]) -> dict[str, Any] | None:
    """An object as it must be re-created: no server-set fields, no status. None for what
    the cluster makes by itself (default ServiceAccount, token Secrets, owned objects)."""
    meta = obj["metadata"]
    if (key, meta["name"]) in CONTROLLER_MADE or meta.get("ownerReferences"):
        return None
    if key == "secrets" and obj.get("type") == "kubernetes.io/service-account-token":
        return None
    meta = {k: v for k, v in meta.items() if k not in SERVER_FIELDS and k != "namespace"}
    annotations = {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if not k.startswith(SERVER_ANNOTATIONS)
    }
    meta["annotations"] = annotations or None
    spec = dict(obj.get("spec") or {})
    if key == "persistentvolumeclaims":
        spec.pop("volumeName", None)
    if key == "pods":  # scheduled again
        spec.pop("nodeName", None)
    if key == "jobs.batch" and not spec.get("manualSelector"):
        spec.pop("selector", None)  # the controller labels the new Job's pods itself
        template_meta = (spec.get("template") or {}).get("metadata") or {}
        for label in JOB_LABELS:
            (template_meta.get("labels") or {}).pop(label, None)
    kept = {k: v for k, v in obj.items() if k not in ("metadata", "status", "spec")}
    return {**kept, "metadata": meta, **({"spec": spec} if spec else {})}


def _service_endpoints(objects: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Endpoints the endpoints controller keeps for Services with a selector."""
    return {
        s["metadata"]["name"]
        for s in objects.get("services", [])
        if (s.get("spec") or {}).get("selector")
    }


def take_snapshot(
    target: KubernetesSession, namespace: str, only: list[str] | None
) -> dict[str, Any]:
    """Every object of every namespaced kind (or of the kinds in `only`, by plural or
    plural.group) that the cluster would not make by itself."""
    ns = target.read("namespace", namespace, None)
    labels = ns.metadata.labels or {}
    kinds = [
        k for k in namespaced_kinds(target) if only is None or k.key in only or k.plural in only
    ]
    objects: dict[str, list[dict[str, Any]]] = {}
    for kind in kinds:
        kept = [m for o in list_objects(target, kind, namespace) if (m := manifest(kind.key, o))]
        if kept:
            objects[kind.key] = kept
    managed = _service_endpoints(objects)
    own = [e for e in objects.pop("endpoints", []) if e["metadata"]["name"] not in managed]
    if own:  # only Endpoints someone keeps by hand (Services without a selector)
        objects["endpoints"] = own
    return {
        "namespace": namespace,
        "labels": labels,
        "kinds": {k.key: k.to_dict() for k in kinds if k.key in objects},
        "objects": objects,
    }


@dataclass
class Restored:
    """What a restore did: objects created, and each object still missing with why."""

    created: list[str] = field(default_factory=list)
    missing: dict[str, str] = field(default_factory=dict)


def restore(target: KubernetesSession, snapshot: dict[str, Any], timeout: float) -> Restored:
    """Waits for a terminating namespace to be gone, re-creates it and every object that
    is missing (409s are skipped: restoring twice is harmless), then reads every object
    of the snapshot back: any it cannot find is reported missing with the reason."""
    namespace = snapshot["namespace"]
    if target.terminating(namespace) and not _gone(target, namespace, timeout):
        raise TargetError(
            f"namespace {namespace} is still terminating after {timeout:g}s",
            hint="look for finalizers blocking its deletion (kubectl get ns -o yaml)",
        )
    done = Restored()
    body = {"metadata": {"name": namespace, "labels": snapshot["labels"]}}
    create_ns = functools.partial(target.core.create_namespace, body)
    if _create(functools.partial(target.call, "create", "namespaces", None, create_ns)):
        done.created.append(f"namespace/{namespace}")
    recorded = snapshot.get("kinds", {})
    for key, items in snapshot["objects"].items():
        kind = kind_of(key, recorded.get(key))
        for item in items:
            name = f"{key}/{item['metadata']['name']}"
            try:
                if _create_item(target, kind, namespace, item):
                    done.created.append(name)
            except TargetError as exc:
                done.missing[name] = exc.message
    for key, items in snapshot["objects"].items():
        kind = kind_of(key, recorded.get(key))
        for item in items:
            name = f"{key}/{item['metadata']['name']}"
            if name in done.missing:
                continue
            path = kind.path(namespace, item["metadata"]["name"])
            try:
                rest(target, "get", "GET", path, key, namespace)
            except TargetError as exc:
                done.missing[name] = f"not found after restore ({exc.message})"
    return done


def _create_item(
    target: KubernetesSession, kind: Kind, namespace: str, item: dict[str, Any]
) -> bool:
    """Creates one object as it was. A Service asks for its old cluster IP (clients that
    cached it keep working); if that address is taken or invalid now, it gets a new one."""
    post = functools.partial(
        rest, target, "create", "POST", kind.path(namespace), kind.key, namespace
    )
    try:
        return _create(functools.partial(post, item))
    except TargetError as exc:
        spec = item.get("spec") or {}
        if kind.key != "services" or exc.status != 422 or "clusterIP" not in spec:
            raise
    fresh = {k: v for k, v in spec.items() if k not in ("clusterIP", "clusterIPs")}
    return _create(functools.partial(post, {**item, "spec": fresh}))


def _gone(target: KubernetesSession, namespace: str, timeout: float) -> bool:
    """Waits, on a watch, until the namespace has been deleted."""
    watch = ObjectWatch(
        target,
        "namespaces",
        None,
        target.lister("namespace", None),
        lambda obj: str(obj["metadata"]["name"]),
        field_selector=f"metadata.name={namespace}",
    )
    try:
        return watch.wait_for(lambda seen: not seen, timeout)
    finally:
        watch.close()


def _create(fn: Callable[[], Any]) -> bool:
    """Runs a create request (made through the session); False if it already exists."""
    try:
        fn()
    except TargetError as exc:
        if exc.status == 409:
            return False
        raise
    return True


class NamespaceDelete(KubeFault):
    name: ClassVar[str] = "namespace-delete"
    Params: ClassVar[type[NamespaceDeleteParams]] = NamespaceDeleteParams
    reach: ClassVar[Reach] = Reach(Touches.KUBE_NAMESPACES, "namespace", ("namespace",))
    reverts_after_recovery: ClassVar[bool] = True
    """Revert is the safety net after the runbook (restore what is still missing)."""

    def select(self, params: NamespaceDeleteParams, target: KubernetesSession) -> Injection:
        ns = target.read("namespace", params.namespace, None)
        if (ns.metadata.labels or {}).get(PROTECTED) == "true":
            return Injection(self.name, (), evidence={"protected": params.namespace})
        path = private_path("snapshots", f"{params.namespace}-{uuid.uuid4().hex[:12]}.json")
        return Injection(
            self.name,
            (f"namespace:{params.namespace}",),
            undo={"namespace": params.namespace, "snapshot": str(path)},
        )

    def inject(
        self, injection: Injection, params: NamespaceDeleteParams, target: KubernetesSession
    ) -> Injection:
        namespace = injection.undo["namespace"]
        snapshot = take_snapshot(target, namespace, params.snapshot_kinds)
        write_private(Path(injection.undo["snapshot"]), snapshot)
        delete = functools.partial(target.core.delete_namespace, namespace)
        target.call("delete", "namespaces", None, delete)
        kept = {
            plural: [o["metadata"]["name"] for o in items]
            for plural, items in snapshot["objects"].items()
        }
        return Injection(
            self.name, injection.targets, injection.undo, {**injection.evidence, "snapshot": kept}
        )

    def confirm(
        self, injection: Injection, params: NamespaceDeleteParams, target: KubernetesSession
    ) -> Landing:
        """The namespace is terminating or gone."""
        if not injection.undo:
            return Landing(False, "the namespace is protected: nothing deleted")
        return namespace_going(target, injection.undo["namespace"])

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        path = Path(injection.undo["snapshot"])
        if not path.exists():  # absent: the crash came before the namespace was touched
            return
        done = restore(target, read_private(path), timeout=300.0)
        if done.missing:
            raise TargetError(not_restored(done), hint=f"the snapshot is kept at {path}")


class RestoreSnapshotParams(PluginParams):
    snapshot: str | None = Field(
        None, description="A snapshot file; default: the one this scenario's fault just took."
    )


class RestoreSnapshot:
    """Recovery action: re-create a deleted namespace from its gameday snapshot."""

    name: ClassVar[str] = "restore-snapshot"
    Params: ClassVar[type[RestoreSnapshotParams]] = RestoreSnapshotParams

    def run(self, params: RestoreSnapshotParams, ctx: ActionContext, timeout: float) -> StepOutcome:
        path = params.snapshot or next(
            (i.undo["snapshot"] for i in ctx.injections() if "snapshot" in i.undo), None
        )
        if path is None:
            return StepOutcome(False, "no snapshot: this scenario took none; give `snapshot: PATH`")
        if not Path(path).exists():
            return StepOutcome(False, f"snapshot {path} does not exist")
        done = restore(ctx.target(), read_private(Path(path)), timeout)
        if done.missing:
            return StepOutcome(False, not_restored(done), "\n".join(done.created))
        return StepOutcome(True, f"re-created {len(done.created)} objects", "\n".join(done.created))


def not_restored(done: Restored) -> str:
    """One line naming every object of the snapshot that is not back, and why."""
    listed = "; ".join(f"{name}: {why}" for name, why in sorted(done.missing.items()))
    return f"{len(done.missing)} objects of the snapshot not restored: {listed}"
