"""Every scenario shipped in scenarios/kubernetes/ runs against the real control plane.

Each is run as written except for what points it at this cluster (params: context,
namespace, app, zone, url of a local healthy endpoint) and its pace (windows and fault
durations shortened; the detection source, a staging Prometheus, dropped).
"""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console

from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.score import score_journal
from gameday.validate import load
from tests.conftest import ROOT
from tests.kubernetes.test_cluster_faults import make_config

SHIPPED = sorted((ROOT / "scenarios" / "kubernetes").glob("*.yaml"))
NEEDS_MISSING_CRD = {"orders-dns-failure.yaml"}  # DNSChaos is not installed on purpose


class Healthy(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def healthy_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/healthz"
    server.shutdown()


def quick(source: Path, dest: Path, params: dict[str, Any]) -> Path:
    doc = yaml.safe_load(source.read_text())
    doc["params"].update({k: v for k, v in params.items() if k in doc["params"]})
    doc["steady_state"]["window"] = "3s"  # room for a 1 s probe to sample under load
    doc["fault"]["duration"] = "2s"
    doc.pop("detection", None)
    dest.write_text(yaml.safe_dump(doc, sort_keys=False))
    return dest


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario_runs_on_the_real_control_plane(
    path: Path,
    api: Any,
    kubeconfig: Path,
    workload: str,
    chaos_mesh_crds: None,
    healthy_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    make_config(api, workload)
    params = {
        "context": "gameday-test",
        "namespace": workload,
        "app": "web",
        "zone": "zone-0",
        "url": healthy_url,
    }
    subject = load(quick(path, tmp_path / path.name, params), {})
    log = io.StringIO()
    run_dir, _ = execute(
        subject,
        tmp_path / "reports",
        RunOptions(auto_approve=True),
        PlainView(Console(file=log, width=200)),
    )
    (s,) = score_journal(read_journal(run_dir / JOURNAL)).scenarios
    if path.name in NEEDS_MISSING_CRD:
        assert s.outcome == "error" and "CRD" in s.reasons[0] and "not installed" in s.reasons[0]
        return
    assert s.outcome == "completed", (s.reasons, log.getvalue()[-3000:])
    assert s.touched, "the fault touched nothing"
    assert s.rollback_ok
