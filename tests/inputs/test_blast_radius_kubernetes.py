"""`blast_radius.max_percent` on the real control plane (#11.7): pod-delete of 2 of the
4 pods its selector matches is 50%; a 25% cap refuses it after the read-only selection
and before any pod is deleted, a 50% cap lets it run (the positive control)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml
from kubernetes import client
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.validate import load
from tests.kubernetes.conftest import api, kubeconfig, workload  # noqa: F401
from tests.kubernetes.model import known, meta
from tests.kubernetes.test_shipped_scenarios import healthy_url  # noqa: F401


def pod_uids(api_client: Any, namespace: str) -> set[str]:
    pods = client.CoreV1Api(api_client).list_namespaced_pod(namespace, label_selector="app=web")
    return {known(meta(p).uid) for p in pods.items}


def scenario(tmp: Path, namespace: str, url: str, cap: str) -> Path:
    doc = {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": "half-the-pods"},
        "target": {"kind": "kubernetes", "context": "gameday-test", "namespace": namespace},
        "steady_state": {
            "window": "500ms",
            "probes": [{"name": "up", "type": "http", "params": {"url": url}}],
        },
        "fault": {
            "type": "pod-delete",
            "params": {"labels": {"app": "web"}, "count": 2},
            "duration": "500ms",
            "blast_radius": {"max_percent": cap},
        },
        "recovery": {"rto": "30s"},
    }
    path = tmp / f"cap-{cap.rstrip('%')}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def run(path: Path) -> list[dict[str, Any]]:
    run_dir, _ = execute(
        load(path),
        path.parent / "reports",
        RunOptions(auto_approve=True),
        PlainView(Console(file=io.StringIO(), width=200)),
    )
    return read_journal(run_dir / JOURNAL)


@pytest.mark.parametrize(("cap", "refused"), [("25%", True), ("50%", False)])
def test_max_percent_of_matched_pods(
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
    workload: str,  # noqa: F811
    healthy_url: str,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cap: str,
    refused: bool,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    before = pod_uids(api, workload)
    records = run(scenario(tmp_path, workload, healthy_url, cap))
    (end,) = [r for r in records if r["type"] == "scenario-end"]
    (plan,) = [r for r in records if r["type"] == "plan"]
    assert len(plan["injection"]["targets"]) == 2
    if refused:
        assert end["outcome"] == "refused", end
        assert "2 of 4 pod(s) (50%), over blast_radius.max_percent=25%" in end["reason"]
        assert pod_uids(api, workload) == before, "a pod was deleted in spite of the cap"
    else:
        assert end["outcome"] != "refused", end
        assert [r for r in records if r["type"] == "injection-applied"]
        assert len(before - pod_uids(api, workload)) == 2
