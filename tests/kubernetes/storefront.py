"""The sample storefront (examples/kubernetes/) on the test cluster's real node, and
what its pods say about themselves: their logs, read with the runtime's timestamps
while the drill runs (a deleted pod's log is gone afterwards).

Manifests are applied as shipped, with two test-only changes: pods are pinned to the
real node (nodeSelector + toleration of its taint), and the edge gateway is told the
services' ClusterIPs (the test cluster has no DNS).
"""

from __future__ import annotations

import datetime
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from kubernetes import client, utils
from kubernetes.client.exceptions import ApiException

from gameday.execute.waiting import wait_until
from tests.conftest import ROOT

EXAMPLES = ROOT / "examples" / "kubernetes"
NODE = "gameday-node"
PIN = {
    "nodeSelector": {"gameday.dev/node": "real"},
    "tolerations": [
        {"key": "gameday.dev/node", "operator": "Equal", "value": "real", "effect": "NoSchedule"}
    ],
}


def documents(app: str) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all((EXAMPLES / f"{app}.yaml").read_text()) if d]
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet"):
            doc["spec"]["template"]["spec"].update(PIN)
    return docs


def core(api: Any) -> Any:
    return client.CoreV1Api(api)


def ready(api: Any, namespace: str, label: str) -> list[Any]:
    return [
        p
        for p in core(api).list_namespaced_pod(namespace, label_selector=label).items
        if p.metadata.deletion_timestamp is None
        and any(c.type == "Ready" and c.status == "True" for c in p.status.conditions or [])
    ]


def remove(api: Any, namespace: str) -> None:
    """Deletes the namespace and waits until it is gone (so it can be applied afresh)."""
    try:
        core(api).delete_namespace(namespace)
    except ApiException as exc:
        if exc.status != 404:
            raise

    def gone() -> bool:
        try:
            core(api).read_namespace(namespace)
        except ApiException as exc:
            return bool(exc.status == 404)  # the client's exceptions are not annotated
        return False

    assert wait_until(gone, 120, 0.5), f"namespace {namespace} never went away"


def apply(api: Any, app: str, docs: list[dict[str, Any]] | None = None) -> None:
    """Applies examples/kubernetes/APP.yaml afresh and waits until every pod is Ready."""
    remove(api, app)
    wanted = 0
    for doc in docs if docs is not None else documents(app):
        utils.create_from_dict(api, doc)
        if doc["kind"] in ("Deployment", "StatefulSet"):
            wanted += doc["spec"]["replicas"]
    assert wait_until(lambda: len(ready(api, app, "")) == wanted, 120, 0.5), (
        f"{app}: {len(ready(api, app, ''))} of {wanted} pods Ready on the real node"
    )


def cluster_ip(api: Any, service: str, namespace: str | None = None) -> str:
    return str(core(api).read_namespaced_service(service, namespace or service).spec.cluster_ip)


def apply_edge(api: Any, upstreams: list[str]) -> str:
    """The edge gateway routed to the given services; returns its ClusterIP."""
    hosts = " ".join(f"{s}={cluster_ip(api, s)}" for s in upstreams)
    docs = documents("edge")
    for doc in docs:
        if doc["kind"] == "Deployment":
            doc["spec"]["template"]["spec"]["containers"][0]["env"] = [
                {"name": "UPSTREAM_HOSTS", "value": hosts}
            ]
    apply(api, "edge", docs)
    return cluster_ip(api, "edge")


@dataclass
class Line:
    at: datetime.datetime
    pod: str
    text: str


@dataclass
class PodLogs:
    """Follows the log of every pod of a namespace (new pods too) until stopped."""

    api: Any
    namespace: str
    lines: list[Line] = field(default_factory=list)
    _followed: set[str] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __enter__(self) -> PodLogs:
        self._threads.append(threading.Thread(target=self._discover, daemon=True))
        self._threads[0].start()
        time.sleep(1.0)  # the first listing and the streams are open before the drill
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1.0)  # the last lines reach the streams
        self._stop.set()
        for t in self._threads:
            t.join(timeout=5)

    def _discover(self) -> None:
        while not self._stop.is_set():
            for pod in core(self.api).list_namespaced_pod(self.namespace).items:
                statuses = pod.status.container_statuses or []
                started = any(s.state and (s.state.running or s.state.terminated) for s in statuses)
                key = f"{pod.metadata.name}/{pod.metadata.uid}"
                if started and key not in self._followed:
                    self._followed.add(key)
                    t = threading.Thread(
                        target=self._follow, args=(pod.metadata.name,), daemon=True
                    )
                    self._threads.append(t)
                    t.start()
            self._stop.wait(0.3)

    def _follow(self, pod: str) -> None:
        try:
            stream = core(self.api).read_namespaced_pod_log(
                pod, self.namespace, follow=True, timestamps=True, _preload_content=False
            )
            for raw in stream:
                for text in raw.decode(errors="replace").splitlines():
                    stamp, _, rest = text.partition(" ")
                    at = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
                    self.lines.append(Line(at, pod, rest))
                if self._stop.is_set():
                    return
        except (ApiException, OSError, ValueError):
            return  # the pod went away: what was read is kept

    def matching(self, predicate: Callable[[str], bool]) -> list[Line]:
        return sorted((ln for ln in self.lines if predicate(ln.text)), key=lambda ln: ln.at)

    def served(self, path: str) -> list[Line]:
        """Requests for `path` a pod answered with 200 (busybox httpd -vv logs the URL
        line and then the response line of each connection)."""
        by_conn: dict[tuple[str, str], str] = {}
        answered: list[Line] = []
        for ln in sorted(self.lines, key=lambda ln: ln.at):
            conn, _, what = ln.text.partition(": ")
            if what.startswith("url:"):
                by_conn[(ln.pod, conn)] = what[4:]
            elif what == "response:200" and by_conn.pop((ln.pod, conn), None) == path:
                answered.append(ln)
        return answered
