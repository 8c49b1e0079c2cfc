"""`gameday schedule DRILL`: the Kubernetes objects that run a drill on its cron schedule,
in-cluster, from the project's container image (see the Dockerfile):

- the runner's ServiceAccount, with the namespace Role (deploy/rbac/) bound in every
  namespace the drill's scenarios target, and the opt-in cluster role only when a
  scenario needs it (node faults, namespace-delete), cluster-scoped objects named after
  the runner's namespace (schedule/rbac.py);
- a ConfigMap holding the drill and its scenario files, mounted at /gameday with the
  same relative layout, so `ref:` paths keep working;
- a PersistentVolumeClaim for reports (and gameday's state, so `gameday recover` can
  finish a crashed run's reverts);
- the CronJob: `concurrencyPolicy: Forbid` (never two runners), no retries (a failed
  game day is a finding, not a flake), `gameday run --in-cluster --auto-approve`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from gameday.guardrails import reach_of
from gameday.model.scenario import Drill
from gameday.plugins.protocols import Touches
from gameday.schedule.rbac import RUNNER, runner_rbac

CLUSTER_SCOPED = (Touches.KUBE_NODES, Touches.KUBE_NAMESPACES)
"""Faults that touch these need the opt-in ClusterRole (declared by each fault's reach)."""
MOUNT, REPORTS = "/gameday", "/reports"


def _key(relative: str) -> str:
    return relative.replace("/", "__")


def drill_files(drill: Drill) -> tuple[Path, dict[str, Path]]:
    """The drill and its scenario files, by path relative to their common folder."""
    paths = [
        Path(drill.source).resolve(),
        *(Path(e.scenario.source).resolve() for e in drill.entries),
    ]
    root = Path(os.path.commonpath([p.parent for p in paths]))
    return root, {str(p.relative_to(root)): p for p in paths}


def manifests(
    drill: Drill,
    namespace: str,
    image: str,
    schedule: str,
    overrides: list[str],
    push_metrics: str | None,
    reports_size: str = "1Gi",
) -> list[dict[str, Any]]:
    name = f"gameday-{drill.name}"[:52]
    root, files = drill_files(drill)
    drill_path = str(Path(drill.source).resolve().relative_to(root))
    target_namespaces = sorted(
        {
            str(getattr(e.scenario.target.params, "namespace", "default"))
            for e in drill.entries
            if e.scenario.target.kind == "kubernetes"
        }
    )
    docs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        *runner_rbac(
            namespace,
            target_namespaces,
            cluster_faults=any(
                reach_of(e.scenario).touches in CLUSTER_SCOPED for e in drill.entries
            ),
        ),
    ]
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{name}-files", "namespace": namespace},
            "data": {_key(rel): path.read_text(encoding="utf-8") for rel, path in files.items()},
        }
    )
    docs.append(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": f"{name}-reports", "namespace": namespace},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": reports_size}},
            },
        }
    )
    docs.append(
        _cronjob(name, namespace, image, schedule, drill_path, files, overrides, push_metrics)
    )
    return docs


def command(
    drill_path: str, overrides: list[str], push_metrics: str | None, name: str
) -> list[str]:
    """The container's arguments (the image's entrypoint is `gameday`)."""
    args = ["run", f"{MOUNT}/{drill_path}", "--reports", REPORTS, "--in-cluster", "--auto-approve"]
    args += ["--plain", "--operator", f"cronjob/{name}"]
    for override in overrides:
        args += ["--set", override]
    if push_metrics:
        args += ["--push-metrics", push_metrics]
    return args


def _cronjob(
    name: str,
    namespace: str,
    image: str,
    schedule: str,
    drill_path: str,
    files: dict[str, Path],
    overrides: list[str],
    push_metrics: str | None,
) -> dict[str, Any]:
    pod = {
        "serviceAccountName": RUNNER,
        "restartPolicy": "Never",
        "containers": [
            {
                "name": "gameday",
                "image": image,
                "args": command(drill_path, overrides, push_metrics, name),
                "env": [{"name": "GAMEDAY_STATE", "value": f"{REPORTS}/.gameday-state"}],
                "volumeMounts": [
                    {"name": "drill", "mountPath": MOUNT, "readOnly": True},
                    {"name": "reports", "mountPath": REPORTS},
                ],
                "resources": {
                    "requests": {"cpu": "100m", "memory": "256Mi"},
                    "limits": {"memory": "512Mi"},
                },
            }
        ],
        "volumes": [
            {
                "name": "drill",
                "configMap": {
                    "name": f"{name}-files",
                    "items": [{"key": _key(rel), "path": rel} for rel in files],
                },
            },
            {"name": "reports", "persistentVolumeClaim": {"claimName": f"{name}-reports"}},
        ],
    }
    return {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "gameday"},
        },
        "spec": {
            "schedule": schedule,
            "timeZone": "Etc/UTC",
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": 600,
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 3,
            "jobTemplate": {"spec": {"backoffLimit": 0, "template": {"spec": pod}}},
        },
    }
