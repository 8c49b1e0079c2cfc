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
from pathlib import Path
from typing import Any, ClassVar

from pydantic import Field

from gameday.errors import TargetError
from gameday.plugins.protocols import ActionContext, Injection, Reach, StepOutcome, Touches
from gameday.spec.base import PluginParams
from gameday.state import private_path, read_private, write_private
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.faults import PROTECTED
from gameday.targets.kubernetes.params import KubeFault, NamespaceDeleteParams
from gameday.targets.kubernetes.watch import ObjectWatch

# plural -> (api attribute, list method, create method), in restore order
KINDS: dict[str, tuple[str, str, str]] = {
    "serviceaccounts": (
        "core",
        "list_namespaced_service_account",
        "create_namespaced_service_account",
    ),
    "configmaps": ("core", "list_namespaced_config_map", "create_namespaced_config_map"),
    "secrets": ("core", "list_namespaced_secret", "create_namespaced_secret"),
    "persistentvolumeclaims": (
        "core",
        "list_namespaced_persistent_volume_claim",
        "create_namespaced_persistent_volume_claim",
    ),
    "services": ("core", "list_namespaced_service", "create_namespaced_service"),
    "deployments": ("apps", "list_namespaced_deployment", "create_namespaced_deployment"),
    "statefulsets": ("apps", "list_namespaced_stateful_set", "create_namespaced_stateful_set"),
}
SERVER_FIELDS = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation")
SERVER_ANNOTATIONS = (
    "deployment.kubernetes.io/",
    "pv.kubernetes.io/",
    "kubectl.kubernetes.io/last",
)
CONTROLLER_MADE = {("configmaps", "kube-root-ca.crt"), ("serviceaccounts", "default")}


def manifest(plural: str, obj: dict[str, Any]) -> dict[str, Any] | None:
    """An object as it must be re-created: no server-set fields, no status. None for what
    the cluster makes by itself (default ServiceAccount, token Secrets, owned objects)."""
    meta = obj["metadata"]
    if (plural, meta["name"]) in CONTROLLER_MADE or meta.get("ownerReferences"):
        return None
    if plural == "secrets" and obj.get("type") == "kubernetes.io/service-account-token":
        return None
    meta = {k: v for k, v in meta.items() if k not in SERVER_FIELDS and k != "namespace"}
    annotations = {
        k: v
        for k, v in (meta.get("annotations") or {}).items()
        if not k.startswith(SERVER_ANNOTATIONS)
    }
    meta["annotations"] = annotations or None
    spec = dict(obj.get("spec") or {})
    if plural == "services":  # let the cluster allocate addresses again
        for key in ("clusterIP", "clusterIPs"):
            spec.pop(key, None)
    if plural == "persistentvolumeclaims":
        spec.pop("volumeName", None)
    kept = {k: v for k, v in obj.items() if k not in ("metadata", "status", "spec")}
    return {**kept, "metadata": meta, **({"spec": spec} if spec else {})}


def take_snapshot(target: KubernetesSession, namespace: str, kinds: list[str]) -> dict[str, Any]:
    ns = target.read("namespace", namespace, None)
    labels = ns.metadata.labels or {}
    objects: dict[str, list[dict[str, Any]]] = {}
    for plural in kinds:
        api_name, lister, _ = KINDS[plural]
        listed = target.list_all(
            plural,
            namespace,
            functools.partial(getattr(getattr(target, api_name), lister), namespace),
        )
        to_dict: Any = target.api.sanitize_for_serialization
        serialised = (to_dict(o) for o in listed)
        objects[plural] = [m for o in serialised if (m := manifest(plural, o)) is not None]
    return {"namespace": namespace, "labels": labels, "objects": objects}


def restore(target: KubernetesSession, snapshot: dict[str, Any], timeout: float) -> list[str]:
    """Waits for a terminating namespace to be gone, re-creates it and every object that
    is missing (409s are skipped: restoring twice is harmless). Returns what it created."""
    namespace = snapshot["namespace"]
    if target.terminating(namespace) and not _gone(target, namespace, timeout):
        raise TargetError(
            f"namespace {namespace} is still terminating after {timeout:g}s",
            hint="look for finalizers blocking its deletion (kubectl get ns -o yaml)",
        )
    created: list[str] = []
    body = {"metadata": {"name": namespace, "labels": snapshot["labels"]}}
    if _create(target, "namespaces", None, functools.partial(target.core.create_namespace, body)):
        created.append(f"namespace/{namespace}")
    for plural, items in snapshot["objects"].items():
        api_name, _, creator = KINDS[plural]
        create = getattr(getattr(target, api_name), creator)
        for item in items:
            if _create(target, plural, namespace, functools.partial(create, namespace, item)):
                created.append(f"{plural}/{item['metadata']['name']}")
    return created


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


def _create(target: KubernetesSession, plural: str, namespace: str | None, fn: Any) -> bool:
    try:
        target.call("create", plural, namespace, fn)
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
        snapshot = take_snapshot(target, namespace, list(params.snapshot_kinds))
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

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        path = Path(injection.undo["snapshot"])
        if path.exists():  # absent: the crash came before the namespace was touched
            restore(target, read_private(path), timeout=300.0)


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
        created = restore(ctx.target(), read_private(Path(path)), timeout)
        return StepOutcome(True, f"re-created {len(created)} objects", "\n".join(created))
