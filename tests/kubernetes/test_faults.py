"""Kubernetes faults end to end on the real control plane: injected, observed by a
probe, recovered by the real controllers, reverted, nothing left behind."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from kubernetes import client
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.model.scorecard import ScenarioScore
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import DATA
from tests.kubernetes.conftest import REPLICAS, ready_pods
from tests.kubernetes.model import name_of

SCENARIOS = DATA / "kubernetes"


def run(path: Path, tmp_path: Path, **params: Any) -> ScenarioScore:
    subject = load(path, params)
    log = io.StringIO()
    run_dir, _ = execute(
        subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=log, width=200))
    )
    (scenario,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    assert scenario.outcome == "completed", (scenario.reasons, log.getvalue()[-3000:])
    return scenario


def test_pod_delete_is_replaced_by_the_replicaset(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    core = client.CoreV1Api(api)
    before = {p.metadata.uid for p in ready_pods(core, workload)}
    s = run(
        SCENARIOS / "pod-delete.yaml",
        tmp_path,
        kubeconfig=str(kubeconfig),
        namespace=workload,
        percent="50%",
    )
    deleted = set(s.evidence["deleted"])
    assert len(deleted) == 2 and deleted <= before  # 50% of 4, the pods that existed
    after = {p.metadata.uid for p in ready_pods(core, workload)}
    assert len(after) == REPLICAS and not (after & deleted)  # replaced by new pods
    probe = next(p for p in s.probes if p.name == "ready-pods")
    victims = {t.split("/", 1)[1].split()[0] for t in s.touched}  # "pod:NS/NAME UID"
    assert all(v in (probe.samples[0].detail or "") for v in victims)  # the probe saw them Ready...
    final = probe.samples[-1]
    assert final.value == REPLICAS and not any(
        v in (final.detail or "") for v in victims
    )  # ...then replaced
    assert s.verdict == "pass", s.reasons


def test_workload_scale_restores_the_recorded_replicas(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    apps = client.AppsV1Api(api)
    s = run(
        SCENARIOS / "scale-to-zero.yaml", tmp_path, kubeconfig=str(kubeconfig), namespace=workload
    )
    assert s.touched == (f"deployment/web in {workload}: {REPLICAS} -> 0 replicas",)
    probe = next(p for p in s.probes if p.name == "ready-pods")
    assert min(x.value or 0 for x in probe.samples) == 0  # the probe saw every pod go
    assert apps.read_namespaced_deployment("web", workload).spec.replicas == REPLICAS
    assert probe.samples[-1].value == REPLICAS


def test_protected_pods_are_never_selected(
    api: Any, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    core = client.CoreV1Api(api)
    for pod in core.list_namespaced_pod(workload, label_selector="app=web").items:
        core.patch_namespaced_pod(
            name_of(pod), workload, {"metadata": {"labels": {"gameday.dev/protected": "true"}}}
        )
    subject = load(
        SCENARIOS / "pod-delete.yaml", {"kubeconfig": str(kubeconfig), "namespace": workload}
    )
    run_dir, _ = execute(
        subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=io.StringIO()))
    )
    (s,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    assert s.outcome == "not-run" and "selected nothing" in s.reasons[0]
    assert len(ready_pods(core, workload)) == REPLICAS
