"""Every client gameday has ends its call in time against a real server that accepts the
connection and never answers (or answers a byte at a time), and says so in one line.

Timeouts are shortened through their documented environment variables, so each case
takes a second or two; the assertions allow the configured deadline plus a small grace.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from gameday.errors import DependencyError, GamedayError, TargetError
from gameday.execute.actions import Http, HttpParams
from gameday.model.scenario import Prometheus
from gameday.prometheus import AlertmanagerClient, PrometheusClient
from gameday.targets.kubernetes.params import KubernetesParams, KubernetesTarget
from gameday.targets.local.probes import HttpParams as HttpProbeParams
from gameday.targets.local.probes import HttpSession
from gameday.targets.local.target import LocalParams, LocalTarget
from tests.deadlines.servers import SilentServer, closed_port, silent_server

CONNECT, READ = 1.0, 1.5
GRACE = 2.0
"""Seconds allowed beyond a deadline: thread scheduling on a busy 2-core machine, the
client library's own setup, the test's own work."""


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GAMEDAY_CONNECT_TIMEOUT", str(CONNECT))
    monkeypatch.setenv("GAMEDAY_READ_TIMEOUT", str(READ))
    monkeypatch.setenv("GAMEDAY_ALERT_READ_TIMEOUT", str(READ))


def timed(call: Callable[[], Any]) -> tuple[float, BaseException | None]:
    start = time.monotonic()
    try:
        call()
    except BaseException as exc:
        return time.monotonic() - start, exc
    return time.monotonic() - start, None


def one_line(exc: BaseException | None) -> str:
    assert isinstance(exc, GamedayError), f"not a gameday error: {exc!r}"
    text = exc.message
    assert "\n" not in text and len(text) < 300, text
    for dump in ("HTTPConnectionPool", "HTTPSConnectionPool", "object at 0x", "Max retries"):
        assert dump not in text, text
    return text


def kubeconfig(tmp_path: Path, server: str, user: dict[str, Any] | None = None) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {"name": "c", "cluster": {"server": server, "insecure-skip-tls-verify": True}}
                ],
                "users": [{"name": "u", "user": user or {"token": "t"}}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        )
    )
    return path


def connect_k8s(path: Path) -> Any:
    params = KubernetesParams(context="ctx", kubeconfig=str(path))
    return KubernetesTarget().connect(params)


def test_kubernetes_api_server_that_never_answers(tmp_path: Path) -> None:
    # First the same work against a refused port: the client library imports its API
    # classes on first use (seconds of CPU on a loaded machine), which is not waiting.
    baseline, _ = timed(
        lambda: connect_k8s(kubeconfig(tmp_path, f"https://127.0.0.1:{closed_port()}"))
    )
    with silent_server() as server:
        took, exc = timed(
            lambda: connect_k8s(kubeconfig(tmp_path, f"https://127.0.0.1:{server.port}"))
        )
    text = one_line(exc)
    assert isinstance(exc, DependencyError) and exc.dependency.startswith("Kubernetes API server")
    assert "no answer within 1.5s (read timeout)" in text
    # the TLS handshake (connect timeout) and then the read may each run out
    assert took - baseline < CONNECT + READ + 1.0, f"took {took:.1f}s, baseline {baseline:.1f}s"


def test_kubernetes_api_server_not_listening(tmp_path: Path) -> None:
    took, exc = timed(
        lambda: connect_k8s(kubeconfig(tmp_path, f"https://127.0.0.1:{closed_port()}"))
    )
    assert isinstance(exc, DependencyError)
    assert "connection refused" in one_line(exc) and took < GRACE


def test_failed_credential_plugin_is_one_clear_error(tmp_path: Path) -> None:
    failing = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "false"}}
    with silent_server() as server:
        path = kubeconfig(tmp_path, f"https://127.0.0.1:{server.port}", failing)
        took, exc = timed(lambda: connect_k8s(path))
        assert server.accepted == 0, "no request without credentials"
    assert isinstance(exc, TargetError) and not isinstance(exc, DependencyError)
    assert "credential plugin failed" in one_line(exc) and exc.hint and took < GRACE


def test_hung_credential_plugin_is_given_up_on(tmp_path: Path) -> None:
    hanging = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "sleep",
            "args": ["30"],
        }
    }
    path = kubeconfig(tmp_path, "https://127.0.0.1:1", hanging)
    took, exc = timed(lambda: connect_k8s(path))
    assert isinstance(exc, DependencyError) and "still running" in one_line(exc)
    assert took < CONNECT + READ + GRACE, f"took {took:.1f}s"


def test_supervisord_that_never_answers() -> None:
    with silent_server() as server:
        params = LocalParams(supervisor=f"{server.url}/RPC2")
        took, exc = timed(lambda: LocalTarget().connect(params))
    assert isinstance(exc, DependencyError) and exc.dependency.startswith("supervisord")
    assert "no answer within 1.5s" in one_line(exc) and took < READ + GRACE


def test_supervisord_not_listening() -> None:
    params = LocalParams(supervisor=f"http://127.0.0.1:{closed_port()}/RPC2")
    took, exc = timed(lambda: LocalTarget().connect(params))
    assert isinstance(exc, DependencyError) and "connection refused" in one_line(exc)
    assert took < GRACE


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.instant("up", time.time()),
        lambda c: c.range("up", time.time() - 60, time.time(), 5),
        lambda c: c.alerts(),
    ],
    ids=["instant", "range", "alerts"],
)
def test_prometheus_that_never_answers(call: Callable[[PrometheusClient], Any]) -> None:
    with silent_server() as server:
        client = PrometheusClient(Prometheus(server.url))
        took, exc = timed(lambda: call(client))
        connections = server.accepted
    assert isinstance(exc, DependencyError) and exc.dependency.startswith("Prometheus")
    assert "read timeout" in one_line(exc)
    assert connections == 1, f"a hung read was retried by the client ({connections} connections)"
    assert took < READ + GRACE, f"took {took:.1f}s"


def test_prometheus_not_listening() -> None:
    client = PrometheusClient(Prometheus(f"http://127.0.0.1:{closed_port()}"))
    took, exc = timed(lambda: client.instant("up", time.time()))
    assert isinstance(exc, DependencyError) and "connection refused" in one_line(exc)
    assert took < 2 * GRACE


def test_alertmanager_that_never_answers() -> None:
    with silent_server() as server:
        took, exc = timed(lambda: AlertmanagerClient(server.url, None).alerts())
    assert isinstance(exc, DependencyError) and exc.dependency.startswith("Alertmanager")
    assert "read timeout" in one_line(exc) and took < READ + GRACE


@pytest.mark.parametrize("trickle", [None, b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\nxx"])
def test_http_action_that_never_answers(trickle: bytes | None) -> None:
    with silent_server(trickle) as server:
        start = time.monotonic()
        outcome = Http().run(HttpParams(url=f"{server.url}/fix"), None, 2.0)  # type: ignore[arg-type]
        took = time.monotonic() - start
    assert not outcome.ok, outcome
    assert "timed out" in outcome.detail or "not complete" in outcome.detail, outcome
    assert took < 2.0 + GRACE, f"{took:.1f}s"


@pytest.mark.parametrize(
    "trickle", [None, b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\nxxxxxxxx"]
)
def test_http_probe_is_never_healthy_without_a_complete_answer(trickle: bytes | None) -> None:
    """Silent, or trickling a valid answer a byte at a time: the probe fails within its
    timeout either way (a per-read timeout alone would wait forever on the trickle)."""
    server = SilentServer(trickle=trickle, every=0.05)
    try:
        session = HttpSession(HttpProbeParams(url=f"{server.url}/", timeout="1s"))
        start = time.monotonic()
        sample = session.sample(0.0)
        took = time.monotonic() - start
    finally:
        server.close()
    assert not sample.ok and took < 1.0 + GRACE, (sample, took)
