"""Fault windows reach dashboards: Grafana annotations through its HTTP API (a local HTTP
server records what a Grafana would receive: no Grafana is installable here) and
Prometheus gauges through a real Pushgateway; Backstage gets a scorecard per component
and catalog annotations. All from a real run against the demo system."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from gameday.execute.journal import JOURNAL, read_journal
from gameday.score import score_journal
from tests.cli.helpers import gameday
from tests.conftest import ROOT

VALIDATOR = Path(__file__).with_name("backstage_validate.js")
NPM_PINS = ["@backstage/catalog-model@1.10.1", "yaml@2"]


class Recorder(BaseHTTPRequestHandler):
    requests: list[dict[str, Any]] = []
    status = 200

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Recorder.requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "body": json.loads(body)}
        )
        reply = json.dumps({"id": len(Recorder.requests), "message": "Annotation added"})
        self.send_response(Recorder.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(reply.encode())


@pytest.fixture
def grafana() -> Iterator[str]:
    Recorder.requests, Recorder.status = [], 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def publish(monkeypatch: pytest.MonkeyPatch) -> Any:
    def run(run_dir: Path, *args: str, token: str | None = "glsa_test") -> Any:
        if token:
            monkeypatch.setenv("GAMEDAY_GRAFANA_TOKEN", token)
        else:
            monkeypatch.delenv("GAMEDAY_GRAFANA_TOKEN", raising=False)
        return gameday("publish", str(run_dir), *args)

    return run


def test_fault_window_becomes_a_grafana_region_annotation(
    publish: Any, run_dir: Path, grafana: str
) -> None:
    done = publish(run_dir, "--grafana-url", grafana + "/")
    assert done.returncode == 0, done.stderr
    assert "1 fault window(s) annotated in Grafana" in done.stderr
    (request,) = Recorder.requests
    assert request["path"] == "/api/annotations" and request["auth"] == "Bearer glsa_test"
    card = score_journal(read_journal(run_dir / JOURNAL))
    (scenario,) = card.scenarios
    body = request["body"]
    # the window is the journal's inject..revert, in Unix milliseconds
    assert body["time"] == int((card.started_wall + scenario.markers["inject"]) * 1000)
    assert body["timeEnd"] == int((card.started_wall + scenario.markers["revert"]) * 1000)
    assert body["timeEnd"] - body["time"] >= 2000  # web-replica-kill stays injected 3s
    assert "scenario:web-replica-kill" in body["tags"] and "fault:process-kill" in body["tags"]


def test_a_run_annotates_grafana_when_url_and_token_are_set(
    grafana: str, tmp_path: Path, stack: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMEDAY_GRAFANA_URL", grafana)
    monkeypatch.setenv("GAMEDAY_GRAFANA_TOKEN", "glsa_run")
    params = stack.params()
    done = gameday(
        "run", str(ROOT / "scenarios/local/web-replica-kill.yaml"), "--plain",
        "--reports", str(tmp_path), "--set", f"frontend_url={params['frontend_url']}",
        "--set", f"supervisor_url={params['supervisor_url']}", timeout=180,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 fault window(s) annotated in Grafana" in done.stderr
    (request,) = Recorder.requests
    assert (
        request["auth"] == "Bearer glsa_run"
        and "scenario:web-replica-kill" in request["body"]["tags"]
    )


def test_grafana_refusing_the_token_is_an_error_with_a_hint(
    publish: Any, run_dir: Path, grafana: str
) -> None:
    Recorder.status = 401
    done = publish(run_dir, "--grafana-url", grafana)
    assert done.returncode != 0
    assert "HTTP 401" in done.stderr and "annotations:write" in done.stderr


def test_grafana_without_a_token_or_reachable_server(publish: Any, run_dir: Path) -> None:
    done = publish(run_dir, "--grafana-url", "http://127.0.0.1:9", token=None)
    assert done.returncode == 2 and "GAMEDAY_GRAFANA_TOKEN" in done.stderr
    done = publish(run_dir, "--grafana-url", "http://127.0.0.1:9")  # nothing listens on 9
    assert done.returncode != 0 and "cannot post annotations" in done.stderr


def test_fault_windows_reach_the_pushgateway(publish: Any, run_dir: Path, pushgateway: str) -> None:
    done = publish(run_dir, "--push-metrics", pushgateway)
    assert done.returncode == 0, done.stderr
    with urllib.request.urlopen(pushgateway + "/metrics", timeout=5) as response:
        text = response.read().decode()
    card = score_journal(read_journal(run_dir / JOURNAL))
    start = card.started_wall + card.scenarios[0].markers["inject"]
    (line,) = [
        ln for ln in text.splitlines()
        if ln.startswith("gameday_fault_start_timestamp_seconds{") and "web-replica-kill" in ln
    ]  # fmt: skip
    assert abs(float(line.rsplit(" ", 1)[1]) - start) < 0.01
    assert "gameday_fault_end_timestamp_seconds{" in text


def test_backstage_scorecard_and_catalog(publish: Any, run_dir: Path, tmp_path: Path) -> None:
    reports = run_dir.parent.parent
    out = tmp_path / "backstage"
    done = gameday(
        "export", "backstage", "--reports", str(reports),
        "--scenarios", str(ROOT / "scenarios" / "local"), "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads((run_dir / "report.json").read_text())
    (scenario,) = report["scenarios"]
    card = json.loads((out / f"{scenario['service']}.json").read_text())
    assert card["schema"] == "gameday.dev/backstage-scorecard/v1"
    (entry,) = card["scenarios"]
    assert entry["name"] == "web-replica-kill" and entry["latest"]["verdict"] == scenario["verdict"]
    assert entry["latest"]["score"] == scenario["score"]
    assert card["summary"] == {
        "scenarios": 1,
        "passing": int(scenario["verdict"] == "pass"),
        "score": scenario["score"],
    }
    entities = {
        e["metadata"]["name"]: e
        for e in yaml.safe_load_all((out / "catalog-info.yaml").read_text())
    }
    web = entities["web"]
    assert web["apiVersion"] == "backstage.io/v1alpha1" and web["kind"] == "Component"
    linked = web["metadata"]["annotations"]["gameday.dev/scenarios"].split(",")
    assert str(ROOT / "scenarios" / "local" / "web-replica-kill.yaml") in linked
    assert web["metadata"]["annotations"]["gameday.dev/scorecard"] == f"{out}/web.json"
    assert {"store", "frontend"} <= set(entities)  # components with scenarios but no runs yet
    assert backstage_validates(out / "catalog-info.yaml") == f"{len(entities)} entities valid"
    broken = tmp_path / "broken.yaml"  # negative control: an annotation key Backstage refuses
    broken.write_text(
        (out / "catalog-info.yaml").read_text().replace("gameday.dev/", "gameday dev/")
    )
    with pytest.raises(AssertionError, match="annotation"):
        backstage_validates(broken)


def backstage_validates(path: Path) -> str:
    """Backstage's own entity validation (@backstage/catalog-model, from the npm registry)."""
    model = Path.home() / ".cache" / "gameday" / "backstage-model"
    if not (model / "node_modules" / "@backstage" / "catalog-model").is_dir():
        model.mkdir(parents=True, exist_ok=True)
        installed = subprocess.run(
            ["npm", "install", "--silent", "--no-audit", "--no-fund", *NPM_PINS],
            cwd=model, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert installed.returncode == 0, installed.stderr
    done = subprocess.run(
        ["node", str(VALIDATOR), str(path)], capture_output=True, text=True, timeout=60,
        env={**os.environ, "NODE_PATH": str(model / "node_modules")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
