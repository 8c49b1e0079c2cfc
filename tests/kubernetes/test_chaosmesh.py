"""Chaos Mesh objects created by gameday are accepted by the API server against Chaos
Mesh's real CRD schemas, exist while the fault lasts, and are gone after revert; a
missing CRD is a clear error. No Chaos Mesh controller runs here (docs/kubernetes.md says
why): nothing acts on the objects, so the landing check finds no `AllInjected` status and
the scenario is inconclusive, never a pass."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path
from typing import Any

import pytest
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
from tests.kubernetes.model import json_object


def run_watching(
    path: Path, plural: str, namespace: str, kubeconfig: Path, api: Any, tmp_path: Path
) -> tuple[ScenarioScore, list[dict[str, Any]]]:
    """Runs the scenario in a thread while this one lists the chaos objects it creates."""
    custom = client.CustomObjectsApi(api)
    seen: list[dict[str, Any]] = []
    results: list[ScenarioScore] = []

    def go() -> None:
        subject = load(path, {"kubeconfig": str(kubeconfig), "namespace": namespace})
        run_dir, _ = execute(
            subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=io.StringIO()))
        )
        results.extend(score_journal(read_journal(run_dir / JOURNAL)).scenarios)

    runner = threading.Thread(target=go)
    runner.start()
    while runner.is_alive():
        items = json_object(
            custom.list_namespaced_custom_object("chaos-mesh.org", "v1alpha1", namespace, plural)
        )["items"]
        seen.extend(
            i for i in items if i["metadata"]["name"] not in {s["metadata"]["name"] for s in seen}
        )
        time.sleep(0.1)
    runner.join()
    return results[0], seen


@pytest.mark.parametrize(
    ("fault", "plural"), [("stress", "stresschaos"), ("network", "networkchaos")]
)
def test_chaos_object_lives_exactly_as_long_as_the_fault(
    chaos_mesh_crds: None,
    api: Any,
    kubeconfig: Path,
    workload: str,
    tmp_path: Path,
    fault: str,
    plural: str,
) -> None:
    s, seen = run_watching(
        DATA / "kubernetes" / f"pod-{fault}.yaml", plural, workload, kubeconfig, api, tmp_path
    )
    assert s.outcome == "completed", s.reasons
    # no Chaos Mesh controller runs here: nothing reports the targets injected, so the
    # fault is not confirmed and the scenario cannot pass
    assert s.verdict == "inconclusive", (s.verdict, s.reasons)
    (obj,) = seen  # created once, accepted by the API server against Chaos Mesh's schema
    assert obj["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "gameday"}
    assert obj["spec"]["selector"] == {
        "namespaces": [workload],
        "labelSelectors": {"app": "web"},
        # Chaos Mesh picks the pods itself, so protected ones are excluded in the selector
        "expressionSelectors": [
            {"key": "gameday.dev/protected", "operator": "NotIn", "values": ["true"]}
        ],
    }
    assert obj["spec"]["duration"] == "120s"  # Chaos Mesh's own dead-man's switch
    if plural == "networkchaos":
        assert obj["spec"]["delay"] == {"latency": "150ms", "jitter": "20ms"}
    custom = client.CustomObjectsApi(api)
    assert (
        json_object(
            custom.list_namespaced_custom_object("chaos-mesh.org", "v1alpha1", workload, plural)
        )["items"]
        == []
    )


def test_missing_crd_is_a_clear_error(
    chaos_mesh_crds: None, kubeconfig: Path, workload: str, tmp_path: Path
) -> None:
    subject = load(
        DATA / "kubernetes" / "pod-dns.yaml", {"kubeconfig": str(kubeconfig), "namespace": workload}
    )
    run_dir, _ = execute(
        subject, tmp_path / "reports", RunOptions(), PlainView(Console(file=io.StringIO()))
    )
    (s,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    assert s.outcome == "error"
    assert (
        "Chaos Mesh's DNSChaos CRD (dnschaos.chaos-mesh.org) is not installed in this cluster"
        in s.reasons[0]
    )
    assert "install Chaos Mesh" in s.reasons[0]
