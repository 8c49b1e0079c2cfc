"""Crash safety on the real control plane: the runner SIGKILLed right after injecting,
then `gameday recover` restores the cluster exactly (replicas, chaos objects)."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path
from typing import Any

from kubernetes import client

from gameday.execute.journal import CRASH_AFTER
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT
from tests.kubernetes.conftest import REPLICAS


def crash_after_inject(scenario: str, kubeconfig: Path, namespace: str, reports: Path) -> Path:
    argv = [
        GAMEDAY,
        "run",
        str(DATA / "kubernetes" / scenario),
        "--reports",
        str(reports),
        "--set",
        f"kubeconfig={kubeconfig}",
        "--set",
        f"namespace={namespace}",
        "--set",
        "fault_for=30s",
    ]
    done = subprocess.run(
        argv,
        cwd=ROOT,
        env={**os.environ, CRASH_AFTER: "injection-applied"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    (run_dir,) = reports.glob("*/*")
    return run_dir


def test_scaled_to_zero_then_crashed_is_restored_by_recover(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    apps = client.AppsV1Api(api)
    run_dir = crash_after_inject("scale-to-zero.yaml", kubeconfig, workload, tmp_path)
    assert (
        apps.read_namespaced_deployment("web", workload).spec.replicas == 0
    )  # the fault is really on
    assert gameday("recover", str(run_dir)).returncode == 0
    assert apps.read_namespaced_deployment("web", workload).spec.replicas == REPLICAS
    again = gameday("recover", str(run_dir))
    assert again.returncode == 0 and "nothing left injected" in again.stdout


def test_chaos_object_left_by_a_crash_is_deleted_by_recover(
    chaos_mesh_crds: None,
    api: Any,
    kubeconfig: Path,
    workload: str,
    tmp_path: Path,
) -> None:
    custom = client.CustomObjectsApi(api)

    def objects() -> list[Any]:
        return list(
            custom.list_namespaced_custom_object(
                "chaos-mesh.org", "v1alpha1", workload, "networkchaos"
            )["items"]
        )

    run_dir = crash_after_inject("pod-network.yaml", kubeconfig, workload, tmp_path)
    assert len(objects()) == 1
    assert gameday("recover", str(run_dir)).returncode == 0
    assert objects() == []
