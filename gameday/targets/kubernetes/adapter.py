"""The Kubernetes adapter: the only module that talks to an API server.

Raw API objects stay in here and in the fault/probe modules of this package; the rest
of gameday sees Injection records and Samples. API errors become gameday errors with a
hint (403 names the verb and resource the runner's RBAC lacks); a server that cannot be
reached or does not answer is a one-line `DependencyError`.

Every request has a connect and a read timeout (`gameday.deadlines`), set once on the
session's REST client so no call in the fault or probe modules can forget it; the
client's own retries are cut to one reconnect, so a retry loop of the caller decides
how long to keep trying. A heartbeat (`GET /version` every second, started by the first
watch) tells probes when the server stopped answering, even while a watch stays open.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import urllib3
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from gameday import deadlines, unreachable
from gameday.errors import DependencyError, TargetError, TransientError
from gameday.targets.kubernetes import credentials

T = TypeVar("T")
PAGE = 500
"""Objects per list request; large namespaces are read page by page (limit/continue)."""


class RateLimiter:
    """A token bucket shared by every request of a session (client-go's QPS and burst):
    a 10,000-pod namespace is read and changed at a pace the API server can take."""

    def __init__(self, qps: float, burst: int):
        self.qps, self.burst = qps, burst
        self.tokens, self.last = float(burst), time.monotonic()
        self.lock = threading.Lock()
        self.requests = 0
        self.waited = 0.0

    def take(self) -> None:
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.qps)
            self.last = now
            self.requests += 1
            self.tokens -= 1
            delay = -self.tokens / self.qps if self.tokens < 0 else 0.0
            self.waited += delay
        if delay:
            time.sleep(delay)


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
        self.networking: Any = client.NetworkingV1Api(api)
        self.policy: Any = client.PolicyV1Api(api)
        self.limiter = RateLimiter(params.qps, params.burst)
        self.connect_timeout, self.read_timeout = deadlines.connect(), deadlines.read()
        _with_deadlines(api, self.connect_timeout, self.read_timeout)
        self.last_answer = time.monotonic()
        self.last_error = ""
        self.ping_started: float | None = None
        self.ping_failed: float | None = None
        self.closed = threading.Event()
        self.heartbeat: threading.Thread | None = None

    @property
    def namespace(self) -> str:
        return str(self.params.namespace)

    def describe(self) -> str:
        where = "in-cluster" if self.params.in_cluster else f"context {self.params.context}"
        return f"kubernetes {where} ({self.api.configuration.host}), namespace {self.namespace}"

    def call(self, verb: str, resource: str, namespace: str | None, fn: Callable[[], T]) -> T:
        """Makes one API request through the rate limiter, mapping its errors."""
        self.limiter.take()
        try:
            result = fn()
        except ApiException as exc:
            self.last_answer = time.monotonic()
            raise _api_error(exc, verb, resource, namespace) from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise self.unreachable_error(exc, f"{verb} {resource}") from None
        self.last_answer = time.monotonic()
        return result

    def unreachable_error(self, exc: BaseException, doing: str) -> DependencyError:
        """The one-line error for a request that got no answer."""
        why = unreachable.reason(exc, self.connect_timeout, self.read_timeout)
        self.last_error = why
        return DependencyError(
            f"Kubernetes API server {self.api.configuration.host}",
            f"{doing}: {why}",
            hint="is the API server up and reachable from here? "
            "(check the kubeconfig's `server`, VPN or proxy)",
        )

    def unreachable(self) -> str | None:
        """Why the API server counts as unreachable now, else None: the heartbeat's
        request has waited longer than `deadlines.stale()`, or it failed and nothing has
        answered for that long. (An answer that is merely slow, on a loaded machine, is
        not an outage.) Starts the heartbeat on first use."""
        if self.heartbeat is None:
            self.heartbeat = threading.Thread(target=self._beat, name="k8s-heartbeat", daemon=True)
            self.heartbeat.start()
        now, host, stale = time.monotonic(), self.api.configuration.host, deadlines.stale()
        asking = self.ping_started
        if asking is not None and now - asking > stale:
            return f"API server {host} has not answered for {now - asking:.0f}s"[:200]
        failed = self.ping_failed is not None and self.ping_failed > self.last_answer
        if failed and now - self.last_answer > stale:
            silent = now - self.last_answer
            return f"API server {host} silent for {silent:.0f}s: {self.last_error}"[:200]
        return None

    def _beat(self) -> None:
        version: Any = client.VersionApi(self.api)
        while not self.closed.is_set():
            self.ping_started = time.monotonic()
            try:
                version.get_code(_request_timeout=(self.connect_timeout, deadlines.stale()))
                self.last_answer = time.monotonic()
            except (ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
                if isinstance(exc, ApiException):  # it answered, if only with an error
                    self.last_answer = time.monotonic()
                else:
                    self.last_error = unreachable.reason(
                        exc, self.connect_timeout, deadlines.stale()
                    )
                    self.ping_failed = time.monotonic()
            self.ping_started = None
            self.closed.wait(deadlines.HEARTBEAT)

    def delete_if_present(
        self, resource: str, namespace: str | None, fn: Callable[[], Any]
    ) -> bool:
        """Deletes; an object already gone is fine (reverts are idempotent). True if deleted."""
        try:
            self.call("delete", resource, namespace, fn)
        except TargetError as exc:
            if exc.status != 404:
                raise
            return False
        return True

    def list_all(
        self, resource: str, namespace: str | None, lister: Callable[..., Any], **options: Any
    ) -> Iterator[Any]:
        """Every item of a list call, read page by page (`limit`/`continue`)."""
        token = ""
        while True:
            page_of = functools.partial(lister, **options, limit=PAGE, _continue=token)
            page = self.call("list", resource, namespace, page_of)
            yield from page.items
            token = page.metadata._continue
            if not token:
                return

    def pods(self, namespace: str | None, labels: str | None, fields: str | None) -> Iterator[Any]:
        """Pods page by page; `namespace=None` lists every namespace (node drains)."""
        lister = (
            self.core.list_pod_for_all_namespaces
            if namespace is None
            else functools.partial(self.core.list_namespaced_pod, namespace)
        )
        return self.list_all(
            "pods", namespace, lister, label_selector=labels or "", field_selector=fields or ""
        )

    def read(self, kind: str, name: str, namespace: str | None) -> Any:
        """One object by kind (`deployment`, `configmap`, `node`, ...) and name."""
        reader = READERS.get(kind)
        if reader is None:
            raise TargetError(
                f"cannot read objects of kind `{kind}`", hint=f"use one of: {', '.join(READERS)}"
            )
        api_name, method, namespaced = reader
        fn = getattr(getattr(self, api_name), f"read_{method}")
        call = functools.partial(fn, name, namespace) if namespaced else functools.partial(fn, name)
        return self.call("get", f"{kind}s", namespace if namespaced else None, call)

    def lister(self, kind: str, namespace: str | None) -> Callable[..., Any]:
        """The list call for a kind (namespaced kinds in `namespace`), for watches."""
        api_name, method, namespaced = READERS[kind]
        fn = getattr(getattr(self, api_name), f"list_{method}")
        return functools.partial(fn, namespace) if namespaced else fn

    def stats(self) -> dict[str, float]:
        """API requests made (watches count once) and seconds spent throttled."""
        return {
            "api_requests": self.limiter.requests,
            "throttled_seconds": round(self.limiter.waited, 3),
        }

    def terminating(self, namespace: str) -> bool:
        """Whether the namespace is being deleted (it refuses new objects with a 403)."""
        try:
            ns = self.read("namespace", namespace, None)
        except TargetError as exc:
            if exc.status == 404:
                return False
            raise
        return bool(ns.status.phase == "Terminating")

    def close(self) -> None:
        """Stops the heartbeat (waiting for its request to end: a thread left reading a
        TLS socket while the interpreter exits can abort it) and closes the connections."""
        self.closed.set()
        if self.heartbeat is not None:
            self.heartbeat.join(self.connect_timeout + deadlines.stale() + 1.0)
        closer: Any = self.api.close
        closer()


def _with_deadlines(api: client.ApiClient, connect: float, read: float) -> None:
    """Every request of `api` gets (connect, read) timeouts unless it sets its own, and
    urllib3 reconnects once at most (its default retries a hung read three times)."""
    rest: Any = api.rest_client
    rest.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
        total=1, connect=1, read=0, status=0, other=0, redirect=False
    )
    request = rest.request

    def bounded(*args: Any, _request_timeout: Any = None, **kwargs: Any) -> Any:
        return request(*args, _request_timeout=_request_timeout or (connect, read), **kwargs)

    rest.request = bounded


READERS: dict[str, tuple[str, str, bool]] = {
    "namespace": ("core", "namespace", False),
    "node": ("core", "node", False),
    "pod": ("core", "namespaced_pod", True),
    "service": ("core", "namespaced_service", True),
    "configmap": ("core", "namespaced_config_map", True),
    "secret": ("core", "namespaced_secret", True),
    "persistentvolumeclaim": ("core", "namespaced_persistent_volume_claim", True),
    "deployment": ("apps", "namespaced_deployment", True),
    "statefulset": ("apps", "namespaced_stateful_set", True),
    "networkpolicy": ("networking", "namespaced_network_policy", True),
    "poddisruptionbudget": ("policy", "namespaced_pod_disruption_budget", True),
    "event": ("core", "namespaced_event", True),
}
"""Kinds `read` and the `exists`/`absent` conditions understand: (api, method, namespaced)."""


def connect(params: Any) -> KubernetesSession:
    api = credentials.load(params)
    if not api.configuration.verify_ssl:
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session = KubernetesSession(params, api)
    session.call("get", "version", None, lambda: client.VersionApi(api).get_code())
    return session


def _api_error(exc: ApiException, verb: str, resource: str, namespace: str | None) -> TargetError:
    where = f" in namespace {namespace}" if namespace else " at cluster scope"
    if exc.status == 403:
        role = "Role (deploy/rbac/namespace-role.yaml)"
        if not namespace:
            role = "ClusterRole (opt-in: deploy/rbac/cluster-faults-clusterrole.yaml)"
        error = TargetError(
            f"forbidden: the runner's credentials may not {verb} {resource}{where}",
            hint=f"grant `{verb}` on `{resource}` in the runner's {role}",
        )
        error.status = 403
        return error
    if exc.status == 401:
        return TargetError(
            "the API server rejected the credentials (401)", hint="refresh the kubeconfig token"
        )
    message = f"{verb} {resource}{where}: HTTP {exc.status} {exc.reason}"
    error = (
        TransientError(message)
        if exc.status in (409, 429) or (exc.status or 0) >= 500
        else TargetError(message)
    )
    error.status = exc.status
    return error
