"""The namespace-restore drill's data: a `k8s-writer` keeps records (ConfigMaps) in the
namespace while it is deleted and restored from gameday's snapshot, on the real test
control plane. RPO is checked against the ConfigMaps listed with the Kubernetes client."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any

from kubernetes import client
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.score import score_journal
from gameday.targets.kubernetes.params import KubernetesParams, KubernetesTarget
from gameday.targets.kubernetes.writer import LABEL, K8sWriter, K8sWriterParams
from gameday.validate import load
from tests.conftest import DATA
from tests.kubernetes.conftest import api, kubeconfig  # noqa: F401 (fixtures)
from tests.kubernetes.model import known

EVERY = 0.2


def test_namespace_restore_reports_the_rpo_of_its_records(
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    core = client.CoreV1Api(api)
    namespace = f"gd-dr-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    try:
        subject = load(
            DATA / "dr" / "k8s-namespace-writer.yaml",
            {"kubeconfig": str(kubeconfig), "namespace": namespace},
        )
        log = io.StringIO()
        run_dir, _ = execute(
            subject, tmp_path / "r", RunOptions(auto_approve=True), PlainView(Console(file=log))
        )
        records = read_journal(run_dir / JOURNAL)
        (s,) = score_journal(records).scenarios
        assert s.outcome == "completed", (s.reasons, log.getvalue()[-3000:])
        (audit,) = [r["audit"] for r in records if r["type"] == "data-audit"]
        rows = [row for r in records if r["type"] == "samples" for row in r["s"]]
        acked = {int(row[3]): float(row[0]) for row in rows if row[1]}
        assert any(not row[1] for row in rows), "the writer never saw the namespace gone"
        found = core.list_namespaced_config_map(
            namespace, label_selector=f"{LABEL}={audit['writer']}"
        )
        present = {int(known(item.data)["seq"]) for item in found.items}
        lost = sorted(seq for seq in acked if seq not in present)
        truth = acked[lost[-1]] - acked[lost[0]] + EVERY if lost else 0.0
        print(
            f"\nk8s namespace restore: gameday RPO {s.data_lost:.3f}s, ground truth "
            f"{truth:.3f}s, lost {len(lost)} records, RTO {s.time_to_recover}"
        )
        assert abs((s.data_lost or 0.0) - truth) <= EVERY
        assert s.restore is not None and s.restore.store == "kubernetes"
    finally:
        core.delete_namespace(namespace)


def test_the_writer_removes_its_records_when_it_closes(
    api: Any,  # noqa: F811
    kubeconfig: Path,  # noqa: F811
) -> None:
    core = client.CoreV1Api(api)
    namespace = f"gd-dr-{uuid.uuid4().hex[:6]}"
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    target = KubernetesTarget().connect(
        KubernetesParams(kubeconfig=str(kubeconfig), context="gameday-test", namespace=namespace)
    )
    try:
        session = K8sWriter().open(K8sWriterParams(), target, 0.1)
        assert all(session.sample(float(t)).ok for t in range(3))
        selector = f"{LABEL}={session.writer}"
        assert len(core.list_namespaced_config_map(namespace, label_selector=selector).items) == 3
        assert session.audit().missing == 0
        session.close()
        assert core.list_namespaced_config_map(namespace, label_selector=selector).items == []
    finally:
        target.close()
        core.delete_namespace(namespace)
