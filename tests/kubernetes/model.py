"""The Kubernetes client's models type every field as optional (a client may build a
partial object), but an object the API server returned has the fields the tests read
(its metadata, a pod's spec, a workload's status). `known` says so to the type checker
and fails, naming the gap, if the server ever leaves one out."""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from kubernetes.client import V1ObjectMeta

T = TypeVar("T")


class Stored(Protocol):
    """Any object the API server returned (a pod, a node, a deployment, ...)."""

    @property
    def metadata(self) -> V1ObjectMeta | None: ...


def known(value: T | None) -> T:
    assert value is not None, "the API server's object lacks a field it always fills"
    return value


def meta(obj: Stored) -> V1ObjectMeta:
    return known(obj.metadata)


def name_of(obj: Stored) -> str:
    return known(meta(obj).name)


def manifest(doc: dict[str, Any]) -> Any:
    """A plain manifest as a request body: the client sends a dict as it is, though its
    signatures name the model classes (V1Namespace, V1CustomResourceDefinition, ...)."""
    return doc


def json_object(value: object) -> dict[str, Any]:
    """A custom object or list as the client returns it (typed `object`): its JSON."""
    assert isinstance(value, dict), f"not a JSON object: {value!r:.200}"
    return value
