"""Crash safety on the real control plane, for every reversible Kubernetes fault: the
runner SIGKILLed at each phase boundary and mid-observe, then `gameday recover` (twice)
must leave the cluster exactly as before: replicas, cordons, taints, NetworkPolicies,
chaos objects, ConfigMap content, a deleted namespace. Then SIGINT/SIGTERM without
`recover`. (pod-delete is left out: its pods are replaced by their controller, there is
nothing for gameday to revert.)"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from gameday.execute.journal import CRASH_AFTER, JOURNAL
from gameday.execute.waiting import wait_until
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT
from tests.execute.test_crash_matrix import CRASH_POINTS, reach_observe
from tests.kubernetes.model import json_object, known, name_of
from tests.kubernetes.test_cluster_faults import make_config

pytestmark = pytest.mark.usefixtures("chaos_mesh_crds")


def faults(namespace: str) -> dict[str, dict[str, Any]]:
    return {
        "workload-scale": {"workload": "deployment/web", "replicas": 0},
        "node-drain": {"labels": {"type": "kwok"}, "count": 1, "grace_period": "0s"},
        "node-taint": {
            "labels": {"type": "kwok"},
            "count": 3,
            "taint": "gameday.dev/c=1:NoSchedule",
        },
        "network-partition": {"labels": {"app": "web"}},
        "config-corrupt": {
            "object": "configmap/web-config",
            "key": "LOG_LEVEL",
            "value": "bad",
            "rollout": "deployment/web",
        },
        "pod-network": {"labels": {"app": "web"}, "action": "delay", "latency": "100ms"},
        "namespace-delete": {"namespace": namespace},
    }


def state(api: Any, namespace: str) -> dict[str, Any]:
    """Everything a fault could leave changed, as plain data to compare."""
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    custom, networking = client.CustomObjectsApi(api), client.NetworkingV1Api(api)
    nodes = {
        name_of(n): (
            bool(known(n.spec).unschedulable),
            sorted(t.key for t in known(n.spec).taints or [] if t.key.startswith("gameday.dev/")),
        )
        for n in core.list_node(label_selector="type=kwok").items
    }
    return {
        "nodes": nodes,
        "replicas": {
            name_of(d): known(d.spec).replicas
            for d in apps.list_namespaced_deployment(namespace).items
        },
        "configmaps": {
            name_of(c): c.data
            for c in core.list_namespaced_config_map(namespace).items
            if name_of(c) != "kube-root-ca.crt"
        },
        "secrets": sorted(name_of(s) for s in core.list_namespaced_secret(namespace).items),
        "policies": [
            name_of(p) for p in networking.list_namespaced_network_policy(namespace).items
        ],
        "chaos": [
            o["metadata"]["name"]
            for o in json_object(
                custom.list_namespaced_custom_object(
                    "chaos-mesh.org", "v1alpha1", namespace, "networkchaos"
                )
            )["items"]
        ],
    }


def start(
    kubeconfig: Path,
    namespace: str,
    reports: Path,
    fault: str,
    params: dict[str, Any],
    env: dict[str, str],
    sets: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    argv = [GAMEDAY, "run", str(DATA / "kubernetes" / "crash.yaml"), "--reports", str(reports)]
    for key, value in {
        "kubeconfig": str(kubeconfig),
        "namespace": namespace,
        "fault": fault,
        "fault_params": json.dumps(params),
        **(sets or {}),
    }.items():
        argv += ["--set", f"{key}={value}"]
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def in_observe(reports: Path) -> bool:
    found = list(reports.glob(f"crash/*/{JOURNAL}"))
    return bool(found) and '"phase": "observe"' in found[0].read_text().replace(
        '"phase":"observe"', '"phase": "observe"'
    )


@pytest.fixture
def configured(api: Any, workload: str) -> Iterator[str]:
    make_config(api, workload)
    yield workload


def settled(api: Any, namespace: str, before: dict[str, Any]) -> str | None:
    """None once the cluster matches `before` (a restore finishes asynchronously)."""
    wait_until(lambda: state(api, namespace) == before, 30, 0.25)
    now = state(api, namespace)
    return (
        None
        if now == before
        else f"changed: {json.dumps({k: v for k, v in now.items() if before.get(k) != v})}"
    )


def test_sigkill_at_every_boundary_then_recover_restores_the_cluster(
    api: Any, kubeconfig: Path, configured: str, tmp_path: Path
) -> None:
    namespace = configured
    before = state(api, namespace)
    rows, leaks = [], []
    for fault, params in faults(namespace).items():
        for point in CRASH_POINTS:
            reports = tmp_path / f"{fault}-{point.replace(':', '-')}"
            env = {} if point == "mid-observe" else {CRASH_AFTER: point}
            proc = start(kubeconfig, namespace, reports, fault, params, env)
            if point == "mid-observe":
                reach_observe(proc, functools.partial(in_observe, reports), 60)
                time.sleep(0.5)
                proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == -signal.SIGKILL, (
                fault,
                point,
                proc.returncode,
                out[-1500:],
                err[-1500:],
            )
            (run_dir,) = reports.glob("crash/*")
            first = gameday("recover", str(run_dir))
            second = gameday("recover", str(run_dir))
            leak = settled(api, namespace, before)
            clean = second.returncode == 0 and "nothing left injected" in second.stdout
            rows.append(
                f"{fault:18} {point:20} reverted {first.stdout.count('reverted')}  "
                f"second run: {'clean' if clean else 'NOT CLEAN'}  {'LEAK: ' + leak if leak else 'clean'}"
            )
            if leak or first.returncode != 0 or not clean:
                leaks.append(rows[-1] + f"\n{first.stdout}{first.stderr}")
    print(
        "\nKubernetes crash matrix (runner SIGKILLed at each point, then `gameday recover` twice):"
    )
    print("\n".join(rows))
    print(f"cases tried: {len(rows)}, faults leaked: {len(leaks)}")
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupts_during_observe_restore_the_cluster_without_recover(
    api: Any, kubeconfig: Path, configured: str, tmp_path: Path, sig: int
) -> None:
    namespace = configured
    before = state(api, namespace)
    leaks = []
    for fault, params in faults(namespace).items():
        reports = tmp_path / fault
        # held long enough to be interrupted in observe even after a slow landing check
        # (Chaos Mesh without a controller waits out its 20 s settle time first)
        proc = start(kubeconfig, namespace, reports, fault, params, {}, {"fault_for": "60s"})
        reach_observe(proc, functools.partial(in_observe, reports), 90)
        time.sleep(0.5)
        proc.send_signal(sig)
        proc.communicate(timeout=120)
        leak = settled(api, namespace, before)
        if proc.returncode != 130 or leak:
            leaks.append(f"{fault}: exit {proc.returncode}, {leak or 'clean'}")
    print(
        f"\n{signal.Signals(sig).name} during observe: {len(faults(namespace))} Kubernetes faults, leaked: {len(leaks)}"
    )
    assert leaks == []


def test_the_state_check_sees_a_fault_left_by_a_crash(
    api: Any, kubeconfig: Path, configured: str, tmp_path: Path
) -> None:
    """Negative control: without `recover`, each crash leaves a visible change."""
    namespace = configured
    before = state(api, namespace)
    for fault in ("workload-scale", "node-taint", "network-partition", "config-corrupt"):
        reports = tmp_path / f"control-{fault}"
        start(
            kubeconfig,
            namespace,
            reports,
            fault,
            faults(namespace)[fault],
            {CRASH_AFTER: "injection-applied"},
        ).communicate(timeout=120)
        assert state(api, namespace) != before, f"{fault}: the check did not notice the fault"
        (run_dir,) = reports.glob("crash/*")
        assert gameday("recover", str(run_dir)).returncode == 0
        assert settled(api, namespace, before) is None
