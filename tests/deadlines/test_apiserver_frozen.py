"""A frozen kube-apiserver (SIGSTOP) during inject, observe and revert of
`workload-scale`, on a private control plane of this module's own (other ports and
state than the shared test cluster, so nobody else's API server is ever stopped).

The run ends within its deadlines, Kubernetes probes never report healthy while the API
server does not answer, and once it is back (SIGCONT), and after `gameday recover`
where the undo was left pending, the Deployment has its replicas again."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import urllib3
from kubernetes import client, config

from gameday.execute.recover import outstanding
from gameday.execute.waiting import wait_until
from tests.conftest import ROOT
from tests.deadlines.harness import (
    Hung,
    env,
    record,
    recover,
    run_freezing,
    thawed_afterwards,
    write_scenario,
)
from tests.kubernetes.model import known
from tests.kubernetes.workloads import create_web

CLUSTER = str(ROOT / "scripts" / "cluster")
REPLICAS = 3
CONNECT, READ, STALE, REVERT, WINDOW, DURATION = 1.0, 2.0, 3.0, 6.0, 2.0, 3.0
GRACE = 4.0
"""Seconds beyond the deadlines in play (busy shared 2-core machine)."""
ONE_REQUEST = CONNECT + READ
"""A revert attempt started just before the revert deadline ends on its own timeouts."""
HEARTBEAT_STOP = CONNECT + STALE
"""Closing the session waits for the heartbeat's last request."""
TIMEOUTS = {
    "GAMEDAY_CONNECT_TIMEOUT": str(CONNECT),
    "GAMEDAY_READ_TIMEOUT": str(READ),
    "GAMEDAY_STALE_AFTER": str(STALE),
}


@dataclass
class Private:
    kubeconfig: Path
    apiserver: int
    api: Any


def _free_pair() -> int:
    """A port p with p + 10 free too (etcd's client and peer ports)."""
    for _ in range(50):
        with socket.socket() as a:
            a.bind(("127.0.0.1", 0))
            port: int = a.getsockname()[1]
        if port + 10 > 65535:
            continue
        try:
            with socket.socket() as b:
                b.bind(("127.0.0.1", port + 10))
        except OSError:
            continue
        return port
    raise RuntimeError("no free port pair")


@pytest.fixture(scope="module")
def private_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Private]:
    state = tmp_path_factory.mktemp("private-cluster")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        api_port = s.getsockname()[1]
    environment = dict(
        os.environ,
        GAMEDAY_CLUSTER_DIR=str(state),
        GAMEDAY_ETCD_PORT=str(_free_pair()),
        GAMEDAY_API_PORT=str(api_port),
    )
    up = subprocess.run(
        [CLUSTER, "up", "2"], capture_output=True, text=True, timeout=1800, env=environment
    )
    if up.returncode != 0:
        subprocess.run([CLUSTER, "down"], capture_output=True, timeout=120, env=environment)
        pytest.fail(f"the private control plane did not start:\n{up.stderr[-4000:]}")
    kubeconfig = Path(up.stdout.strip().splitlines()[-1].split("=", 1)[1])
    apiserver = int((state / "kube-apiserver.pid").read_text())
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    load: Any = config.new_client_from_config
    try:
        with thawed_afterwards([apiserver]):
            yield Private(kubeconfig, apiserver, load(config_file=str(kubeconfig)))
    finally:
        subprocess.run([CLUSTER, "down"], capture_output=True, timeout=120, env=environment)


@pytest.fixture
def web(private_cluster: Private) -> str:
    core, apps = client.CoreV1Api(private_cluster.api), client.AppsV1Api(private_cluster.api)
    namespace = f"gd-frozen-{uuid.uuid4().hex[:6]}"
    create_web(core, apps, namespace, REPLICAS)
    assert wait_until(lambda: available(private_cluster, namespace) == REPLICAS, 60, 0.2)
    return namespace


def available(cluster: Private, namespace: str) -> int:
    status = client.AppsV1Api(cluster.api).read_namespaced_deployment("web", namespace).status
    return int(known(status).available_replicas or 0)


def wanted(cluster: Private, namespace: str) -> int:
    spec = client.AppsV1Api(cluster.api).read_namespaced_deployment("web", namespace).spec
    return known(spec.replicas)


def scale_to_zero(cluster: Private, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": "web-to-zero"},
        "target": {
            "kind": "kubernetes",
            "context": "gameday-test",
            "kubeconfig": str(cluster.kubeconfig),
            "namespace": namespace,
        },
        "steady_state": {
            "window": f"{WINDOW:g}s",
            "probes": [
                {
                    "name": "web",
                    "type": "k8s-condition",
                    "every": "250ms",
                    "params": {"kind": "pods-ready", "labels": {"app": "web"}, "min_ready": 1},
                }
            ],
        },
        "fault": {
            "type": "workload-scale",
            "params": {"workload": "deployment/web", "replicas": 0},
            "duration": f"{DURATION:g}s",
            "blast_radius": {"max_targets": 1},
        },
    }


def frozen_samples(hung: Hung, since_t: float, until_t: float | None = None) -> list[list[Any]]:
    rows = [row for r in hung.of("samples") if r["probe"] == "web" for row in r["s"]]
    return [row for row in rows if row[0] >= since_t and (until_t is None or row[0] <= until_t)]


def restored(cluster: Private, namespace: str) -> None:
    assert wait_until(lambda: wanted(cluster, namespace) == REPLICAS, 20, 0.2)
    assert not wait_until(lambda: wanted(cluster, namespace) != REPLICAS, 2, 0.2), (
        "scaled down again after the undo"
    )


def test_frozen_during_inject(private_cluster: Private, web: str, tmp_path: Path) -> None:
    # Frozen when steady state begins: the probes may call the server silent only after
    # the 2 s window was judged (stale after 6 s here), so the run reaches inject.
    environment = env(tmp_path, **{**TIMEOUTS, "GAMEDAY_STALE_AFTER": "6"})
    scenario = write_scenario(tmp_path / "s.yaml", scale_to_zero(private_cluster, web))
    with thawed_afterwards([private_cluster.apiserver]):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("phase", phase="steady-state"),  # the scale request of inject hangs
            [private_cluster.apiserver],
            args=("--revert-deadline", f"{REVERT:g}s"),
            case="apiserver/inject",
        )
        assert (
            hung.hang_to_end < WINDOW + ONE_REQUEST + REVERT + ONE_REQUEST + (CONNECT + 6.0) + GRACE
        )
        assert hung.end["outcome"] == "error", hung.end
        assert "Kubernetes API server" in hung.end["reason"], hung.end
        assert "still injected" in hung.end["reason"]
        (failed,) = hung.of("revert-failed")
        assert failed["dependency"].startswith("Kubernetes API server")
    assert wait_until(lambda: _answers(private_cluster), 20, 0.2)
    done = recover(hung.run_dir, environment)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outstanding(hung.run_dir) == []
    restored(private_cluster, web)


def test_frozen_during_observe_back_during_revert(
    private_cluster: Private, web: str, tmp_path: Path
) -> None:
    # The watch's own read timeout (2 s) runs out during the 6 s freeze: it is dropped,
    # re-listed once the server is back, and the probe sees the restored pods.
    environment = env(tmp_path, GAMEDAY_WATCH_READ_TIMEOUT="2", **TIMEOUTS)
    scenario = write_scenario(tmp_path / "s.yaml", scale_to_zero(private_cluster, web))
    with thawed_afterwards([private_cluster.apiserver]):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("injection-applied"),
            [private_cluster.apiserver],
            thaw_after=DURATION + 3.0,
            args=("--revert-deadline", "30s"),
            case="apiserver/observe+revert, back in time",
        )
    assert hung.thawed_at is not None, (hung.end["outcome"], hung.end["reason"])
    (applied,) = hung.of("injection-applied")
    stale = frozen_samples(hung, applied["t"] + STALE + 1.0, applied["t"] + DURATION + 2.5)
    assert stale and not any(row[1] for row in stale), "a probe was healthy on a frozen server"
    assert all("API server" in str(row[4]) for row in stale), stale[-1]
    assert hung.of("injection-reverted") and not hung.of("revert-failed")
    assert outstanding(hung.run_dir) == []
    assert hung.thawed_at is not None
    thawed_t = applied["t"] + (hung.thawed_at - (hung.frozen_at or 0.0))
    after = frozen_samples(hung, thawed_t)  # the watch came back: real state, not an error
    assert after and "API server" not in str(after[-1][4]), after[-3:]
    restored(private_cluster, web)


def test_frozen_through_the_revert_deadline(
    private_cluster: Private, web: str, tmp_path: Path
) -> None:
    environment = env(tmp_path, **TIMEOUTS)
    scenario = write_scenario(tmp_path / "s.yaml", scale_to_zero(private_cluster, web))
    with thawed_afterwards([private_cluster.apiserver]):
        hung = run_freezing(
            scenario,
            tmp_path / "reports",
            environment,
            record("injection-applied"),
            [private_cluster.apiserver],
            args=("--revert-deadline", f"{REVERT:g}s"),
            case="apiserver/observe+revert, never back",
        )
        assert hung.hang_to_end < DURATION + REVERT + ONE_REQUEST + HEARTBEAT_STOP + GRACE
        assert hung.end["outcome"] == "error" and "recover" in hung.end["reason"]
        (applied,) = hung.of("injection-applied")
        stale = frozen_samples(hung, applied["t"] + STALE + 1.0)
        assert stale and not any(row[1] for row in stale)
        assert [o.key for o in outstanding(hung.run_dir)] == ["web-to-zero/workload-scale"]
    assert wait_until(lambda: _answers(private_cluster), 20, 0.2)
    done = recover(hung.run_dir, environment)
    assert done.returncode == 0, done.stdout + done.stderr
    assert outstanding(hung.run_dir) == []
    restored(private_cluster, web)


def _answers(cluster: Private) -> bool:
    try:
        client.VersionApi(cluster.api).get_code(_request_timeout=1)
    except (urllib3.exceptions.HTTPError, OSError):
        return False
    return True
