"""`k8s-writer`: the data-writer probe for data that lives in Kubernetes objects. Each
sample creates one small ConfigMap (`<prefix>-<writer>-<seq>`, labelled with the run's
writer id) in the target namespace; the API server's 201 is the acknowledgement (the
object is in etcd). After recovery `audit()` lists the writer's ConfigMaps: what a
namespace restore brought back, hence its RPO (the same DataAudit as the database
writers; see docs/dr.md); closing the probe deletes them.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any, ClassVar

from pydantic import Field

from gameday.errors import GamedayError
from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams
from gameday.targets.kubernetes.adapter import KubernetesSession
from gameday.targets.local.datawriter import DataAudit, audit_records

LABEL = "gameday.dev/writer"


class K8sWriterParams(PluginParams):
    namespace: str | None = Field(None, description="Where to write (default: the target's).")
    prefix: str = Field(
        "gameday-write", pattern=r"^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", description="Name prefix."
    )
    cleanup: bool = Field(
        True, description="Delete this run's records when the probe closes (after the audit)."
    )


class K8sWriter:
    name: ClassVar[str] = "k8s-writer"
    Params: ClassVar[type[K8sWriterParams]] = K8sWriterParams
    audits_data: ClassVar[bool] = True

    def read_only(self, params: K8sWriterParams) -> bool:
        return False  # it creates objects

    def open(
        self, params: K8sWriterParams, target: KubernetesSession, every: float
    ) -> K8sWriterSession:
        return K8sWriterSession(params, target, every)


class K8sWriterSession:
    def __init__(self, params: K8sWriterParams, target: KubernetesSession, every: float):
        self.target, self.every = target, every
        self.namespace = params.namespace or target.namespace
        self.prefix, self.cleanup = params.prefix, params.cleanup
        self.writer = uuid.uuid4().hex[:12]
        self.seq = 0
        self.acked: dict[int, float] = {}

    def sample(self, t: float) -> Sample:
        self.seq += 1
        body: dict[str, Any] = {
            "metadata": {
                "name": f"{self.prefix}-{self.writer}-{self.seq}",
                "labels": {LABEL: self.writer},
            },
            "data": {"seq": str(self.seq), "t": repr(t)},
        }
        core = self.target.core
        start = time.monotonic()
        try:
            self.target.call(
                "create",
                "configmaps",
                self.namespace,
                lambda: core.create_namespaced_config_map(self.namespace, body),
            )
        except GamedayError as exc:
            return Sample(t, False, time.monotonic() - start, float(self.seq), exc.message[:200])
        self.acked[self.seq] = t
        return Sample(t, True, time.monotonic() - start, float(self.seq), "created")

    def audit(self) -> DataAudit:
        acked, attempted = dict(self.acked), self.seq - 1
        core = self.target.core
        found = self.target.call(
            "list",
            "configmaps",
            self.namespace,
            lambda: core.list_namespaced_config_map(
                self.namespace, label_selector=f"{LABEL}={self.writer}"
            ),
        )
        # A restore re-creates objects in any order: compare sets, not positions.
        stored = sorted(int((item.data or {}).get("seq", 0)) for item in found.items)
        return audit_records(
            acked,
            stored,
            every=self.every,
            writer=self.writer,
            store="kubernetes",
            attempted=attempted,
        )

    def close(self) -> None:
        """After the audit: remove this run's records, so drills do not pile up objects
        in a real namespace. Best effort: a namespace that is gone has none left."""
        if not self.cleanup:
            return
        core = self.target.core
        with contextlib.suppress(GamedayError):
            self.target.call(
                "deletecollection",
                "configmaps",
                self.namespace,
                lambda: core.delete_collection_namespaced_config_map(
                    self.namespace, label_selector=f"{LABEL}={self.writer}"
                ),
            )
