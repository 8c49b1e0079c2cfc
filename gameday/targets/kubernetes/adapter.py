"""The Kubernetes adapter: the only module that talks to an API server.

Raw API objects stay in here and in the fault/probe modules of this package; the rest
of gameday sees Injection records and Samples. API errors become gameday errors with a
hint (403 names the verb and resource the runner's RBAC lacks).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import urllib3
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from gameday.errors import TargetError, TransientError

T = TypeVar("T")
PAGE = 500
"""Objects per list request; large namespaces are read page by page (limit/continue)."""


class KubernetesSession:
    kind = "kubernetes"

    def __init__(self, params: Any, api: client.ApiClient):
        self.params, self.api = params, api
        # Raw API objects are untyped inside the adapter (the stubs make every field
        # optional); only Injection records and Samples leave this package.
        self.core: Any = client.CoreV1Api(api)
        self.apps: Any = client.AppsV1Api(api)
        self.custom: Any = client.CustomObjectsApi(api)
        self.crds: Any = client.ApiextensionsV1Api(api)

    @property
    def namespace(self) -> str:
        return str(self.params.namespace)

    def describe(self) -> str:
        where = "in-cluster" if self.params.in_cluster else f"context {self.params.context}"
        return f"kubernetes {where} ({self.api.configuration.host}), namespace {self.namespace}"

    def call(self, verb: str, resource: str, namespace: str | None, fn: Callable[[], T]) -> T:
        try:
            return fn()
        except ApiException as exc:
            raise _api_error(exc, verb, resource, namespace) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise TransientError(
                f"cannot reach the API server {self.api.configuration.host}: {exc}"
            ) from None

    def pods(self, namespace: str, labels: str | None, fields: str | None) -> Iterator[Any]:
        token = ""
        while True:
            list_page = functools.partial(
                self.core.list_namespaced_pod,
                namespace,
                label_selector=labels or "",
                field_selector=fields or "",
                limit=PAGE,
                _continue=token,
            )
            page = self.call("list", "pods", namespace, list_page)
            yield from page.items
            token = page.metadata._continue
            if not token:
                return

    def close(self) -> None:
        closer: Any = self.api.close
        closer()


def connect(params: Any) -> KubernetesSession:
    try:
        if params.in_cluster:
            load_incluster: Any = config.load_incluster_config
            load_incluster()
            api = client.ApiClient()
        else:
            load: Any = config.new_client_from_config
            api = load(config_file=params.kubeconfig, context=params.context)
    except (config.ConfigException, OSError, TypeError) as exc:
        raise TargetError(
            f"cannot load Kubernetes credentials: {exc}",
            hint="check `target.context`, `target.kubeconfig` or $KUBECONFIG",
        ) from None
    if not api.configuration.verify_ssl:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = KubernetesSession(params, api)
    session.call("get", "version", None, lambda: client.VersionApi(api).get_code())
    return session


def _api_error(exc: ApiException, verb: str, resource: str, namespace: str | None) -> TargetError:
    where = f" in namespace {namespace}" if namespace else " at cluster scope"
    if exc.status == 403:
        return TargetError(
            f"forbidden: the runner's credentials may not {verb} {resource}{where}",
            hint=f"grant `{verb}` on `{resource}` in the runner's Role (see deploy/rbac/)",
        )
    if exc.status == 401:
        return TargetError(
            "the API server rejected the credentials (401)", hint="refresh the kubeconfig token"
        )
    if exc.status in (409, 429) or (exc.status or 0) >= 500:
        return TransientError(f"{verb} {resource}{where}: HTTP {exc.status} {exc.reason}")
    return TargetError(f"{verb} {resource}{where}: HTTP {exc.status} {exc.reason}")
