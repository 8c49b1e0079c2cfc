"""`gameday schedule` never invents an image, and `gameday rbac` gives each team its own
cluster-scoped objects (the cluster-side proof is in tests/ci/test_ci_commands.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.cli.helpers import gameday
from tests.conftest import DATA

DRILL = DATA / "kubernetes" / "scheduled.yaml"


def test_schedule_without_an_image_is_bad_input_with_a_hint(tmp_path: Path) -> None:
    done = gameday("schedule", str(DRILL), "--namespace", "team-a", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "no image for the CronJob" in done.stderr
    assert "--image" in done.stderr and "Dockerfile" in done.stderr
    assert "ghcr.io" not in done.stdout + done.stderr


def test_schedule_takes_the_image_from_project_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gameday.schedule]\nimage = "registry.example.com/sre/gameday:0.1.0"\n'
    )
    done = gameday("schedule", str(DRILL), "--namespace", "team-a", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (cronjob,) = [d for d in yaml.safe_load_all(done.stdout) if d and d["kind"] == "CronJob"]
    (container,) = cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "registry.example.com/sre/gameday:0.1.0"


def cluster_scoped(namespace: str, *flags: str) -> dict[str, dict[str, Any]]:
    done = gameday("rbac", "--namespace", namespace, *flags)
    assert done.returncode == 0, done.stderr
    docs = [d for d in yaml.safe_load_all(done.stdout) if d]
    return {
        f"{d['kind']}/{d['metadata']['name']}": d for d in docs if d["kind"].startswith("Cluster")
    }


def test_two_teams_share_no_cluster_scoped_object() -> None:
    a, b = (
        cluster_scoped("team-a", "--cluster-faults"),
        cluster_scoped("team-b", "--cluster-faults"),
    )
    assert len(a) == 4 and not set(a) & set(b), (sorted(a), sorted(b))
    binding = a["ClusterRoleBinding/gameday-namespace-reader-team-a"]
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "gameday-runner", "namespace": "team-a"}
    ]
    assert binding["roleRef"]["name"] == "gameday-namespace-reader-team-a"
    assert "ClusterRole/gameday-cluster-faults-team-a" in a
    assert not [k for k in cluster_scoped("team-a") if "cluster-faults" in k]  # opt-in only
