"""`config-corrupt`: write a bad value into one key of a ConfigMap or Secret, optionally
restart a workload so it reads it; revert restores the original content and restarts
again.

The original content is kept in a 0600 file under the state directory (it may be a
Secret), never in the journal: the journal holds only that file's path.
"""

from __future__ import annotations

import base64
import datetime
import functools
import uuid
from pathlib import Path
from typing import Any, ClassVar

from gameday.plugins.protocols import Injection, Landing
from gameday.state import private_path, read_private, write_private
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.kubernetes.landing import config_rolled_out
from gameday.targets.kubernetes.params import ConfigCorruptParams, KubeFault

RESTARTED_AT = "gameday.dev/restartedAt"
"""Pod-template annotation that triggers a rollout, as `kubectl rollout restart` does."""


class ConfigCorrupt(KubeFault):
    name: ClassVar[str] = "config-corrupt"
    Params: ClassVar[type[ConfigCorruptParams]] = ConfigCorruptParams

    def select(self, params: ConfigCorruptParams, target: KubernetesSession) -> Injection:
        kind, name = params.object.split("/", 1)
        namespace = params.namespace or target.namespace
        target.read(kind, name, namespace)  # exists, and we may read it
        touched = [f"{kind}/{name} key {params.key} in {namespace}"]
        if params.rollout:
            touched.append(f"{params.rollout} restarted in {namespace}")
        return Injection(
            self.name,
            tuple(touched),
            undo={
                "kind": kind,
                "name": name,
                "namespace": namespace,
                "key": params.key,
                "rollout": params.rollout,
                "saved": str(private_path("undo", f"config-{uuid.uuid4().hex}.json")),
            },
        )

    def inject(
        self, injection: Injection, params: ConfigCorruptParams, target: KubernetesSession
    ) -> Injection:
        undo = injection.undo
        current = target.read(undo["kind"], undo["name"], undo["namespace"])
        data = current.data or {}
        write_private(
            Path(undo["saved"]),
            {"present": undo["key"] in data, "value": data.get(undo["key"])},
        )
        value = params.value
        if undo["kind"] == "secret":
            value = base64.b64encode(value.encode()).decode()
        self._write(target, undo, value)
        generation = self._restart(target, undo)
        return Injection(
            self.name, injection.targets, undo, {**injection.evidence, "rollout": generation}
        )

    def confirm(
        self, injection: Injection, params: ConfigCorruptParams, target: KubernetesSession
    ) -> Landing:
        """The key holds the bad value and the restarted workload runs the new template."""
        generation = injection.evidence.get("rollout")
        return config_rolled_out(target, injection.undo, params.value, generation)

    def revert(self, injection: Injection, target: KubernetesSession) -> None:
        undo = injection.undo
        saved = Path(undo["saved"])
        if not saved.exists():
            return  # the crash came before anything was changed
        original = read_private(saved)
        self._write(target, undo, original["value"] if original["present"] else None)
        self._restart(target, undo)
        saved.unlink()

    @staticmethod
    def _write(target: KubernetesSession, undo: dict[str, Any], value: str | None) -> None:
        """Sets (or with None removes) the key: a merge patch touches no other key."""
        kind, name, namespace = undo["kind"], undo["name"], undo["namespace"]
        patch = (
            target.core.patch_namespaced_secret
            if kind == "secret"
            else target.core.patch_namespaced_config_map
        )
        body = {"data": {undo["key"]: value}}
        target.call("patch", f"{kind}s", namespace, functools.partial(patch, name, namespace, body))

    @staticmethod
    def _restart(target: KubernetesSession, undo: dict[str, Any]) -> int | None:
        if not undo["rollout"]:
            return None
        kind, name = undo["rollout"].split("/", 1)
        namespace = undo["namespace"]
        patch = (
            target.apps.patch_namespaced_deployment
            if kind == "deployment"
            else target.apps.patch_namespaced_stateful_set
        )
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="microseconds")
        body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: now}}}}}
        done = target.call(
            "patch", f"{kind}s", namespace, functools.partial(patch, name, namespace, body)
        )
        return int(done.metadata.generation)
