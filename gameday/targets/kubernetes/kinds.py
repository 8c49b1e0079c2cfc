"""Every namespaced kind the API server serves, found by discovery, and generic REST
reads/writes for them: what a namespace snapshot needs to keep *all* of a namespace
(custom resources included), not a fixed list of kinds.

Raw payloads stay plain dicts inside this package; requests go through the session's
rate limiter and error mapping like every other call.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kubernetes.client.exceptions import ApiException

from gameday.targets.kubernetes.adapter import KubernetesSession

PAGE = 500
REQUEST_TIMEOUT = 30.0
"""Seconds for one discovery, list or create request."""

NEVER_KEPT = {"events", "events.events.k8s.io"}
"""Namespaced kinds a snapshot never keeps: a record of what happened, not state."""

RESTORE_FIRST = (
    "serviceaccounts",
    "secrets",
    "configmaps",
    "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io",
    "limitranges",
    "resourcequotas",
    "networkpolicies.networking.k8s.io",
    "persistentvolumeclaims",
    "services",
)
"""Restored before everything else (workloads, PDBs, HPAs, custom resources, ...): what
pods need exists before the pods do, and policies are in place before traffic."""

LEGACY = {
    "serviceaccounts": ("", "v1", "ServiceAccount"),
    "configmaps": ("", "v1", "ConfigMap"),
    "secrets": ("", "v1", "Secret"),
    "persistentvolumeclaims": ("", "v1", "PersistentVolumeClaim"),
    "services": ("", "v1", "Service"),
    "deployments": ("apps", "v1", "Deployment"),
    "statefulsets": ("apps", "v1", "StatefulSet"),
}
"""Keys of snapshots written before discovery was used (plural only) -> group, version, kind."""


@dataclass(frozen=True)
class Kind:
    group: str
    version: str
    plural: str
    kind: str

    @property
    def key(self) -> str:
        """`plural.group` (`plural` for the core group), as kubectl names resources."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str, name: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        return f"{base}/namespaces/{namespace}/{self.plural}" + (f"/{name}" if name else "")

    def to_dict(self) -> dict[str, str]:
        return {
            "group": self.group,
            "version": self.version,
            "plural": self.plural,
            "kind": self.kind,
        }


def kind_of(key: str, recorded: dict[str, Any] | None) -> Kind:
    """The Kind a snapshot key stands for (recorded beside it, or a legacy plural)."""
    if recorded is not None:
        return Kind(recorded["group"], recorded["version"], recorded["plural"], recorded["kind"])
    group, version, kind = LEGACY[key]
    return Kind(group, version, key, kind)


def rest(
    target: KubernetesSession,
    verb: str,
    method: str,
    path: str,
    resource: str,
    namespace: str | None,
    body: Any = None,
    query: list[tuple[str, Any]] | None = None,
) -> Any:
    """One request through the session (rate limit, error mapping), JSON in and out."""
    api: Any = target.api

    def request() -> Any:
        prepared = api.param_serialize(
            method=method,
            resource_path=path,
            query_params=query or [],
            header_params={"Accept": "application/json", "Content-Type": "application/json"},
            body=body,
            auth_settings=["BearerToken"],
        )
        response = api.call_api(*prepared, _request_timeout=REQUEST_TIMEOUT)
        response.read()
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=None, data=None)
        return json.loads(response.data or b"{}")

    return target.call(verb, resource, namespace, request)


def namespaced_kinds(target: KubernetesSession) -> list[Kind]:
    """Every namespaced resource (preferred version of each group) that can be listed and
    created, minus subresources and NEVER_KEPT; in restore order."""
    groups: list[tuple[str, str]] = [("", "v1")]
    listed = rest(target, "get", "GET", "/apis", "apigroups", None)
    groups += [(g["name"], g["preferredVersion"]["version"]) for g in listed.get("groups", [])]
    found: list[Kind] = []
    for group, version in groups:
        path = f"/apis/{group}/{version}" if group else f"/api/{version}"
        resources = rest(target, "get", "GET", path, "apiresources", None)
        for r in resources.get("resources", []):
            verbs = set(r.get("verbs") or [])
            kind = Kind(group, version, r["name"], r["kind"])
            if (
                r.get("namespaced")
                and "/" not in r["name"]
                and {"list", "create"} <= verbs
                and kind.key not in NEVER_KEPT
            ):
                found.append(kind)
    order = {key: i for i, key in enumerate(RESTORE_FIRST)}
    return sorted(found, key=lambda k: (order.get(k.key, len(order)), k.key))


def list_objects(target: KubernetesSession, kind: Kind, namespace: str) -> Iterator[dict[str, Any]]:
    """Every object of a kind in the namespace, page by page."""
    token = ""
    while True:
        query: list[tuple[str, Any]] = [("limit", PAGE)] + ([("continue", token)] if token else [])
        page = rest(target, "list", "GET", kind.path(namespace), kind.key, namespace, query=query)
        for item in page.get("items", []):
            yield {"apiVersion": _api_version(kind), "kind": kind.kind, **item}
        token = (page.get("metadata") or {}).get("continue") or ""
        if not token:
            return


def _api_version(kind: Kind) -> str:
    return f"{kind.group}/{kind.version}" if kind.group else kind.version
