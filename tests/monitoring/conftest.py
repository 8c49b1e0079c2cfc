"""Real Prometheus and Alertmanager (Debian's `prometheus`, `prometheus-alertmanager`)
as plain processes on 127.0.0.1, scraping the demo stack every second. In CI a missing
binary fails the suite with the reason; it never skips."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from gameday.demo.stack import DemoStack, free_ports

RULES = {
    "groups": [
        {
            "name": "demo",
            "interval": "1s",
            "rules": [
                {
                    "alert": "StoreDown",
                    "expr": 'up{job="store"} == 0',
                    "for": "1s",
                    "labels": {"severity": "page"},
                },
                {
                    "alert": "FrontendErrors",
                    "expr": 'sum(rate(gameday_demo_requests_total{job="frontend",code=~"5.."}[5s])) > 0',
                    "labels": {"severity": "page"},
                },
            ],
        }
    ]
}


@dataclass
class Monitoring:
    prometheus: str
    alertmanager: str
    processes: list[subprocess.Popen[bytes]]

    def query(self, expr: str) -> list[dict[str, object]]:
        url = f"{self.prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        with urllib.request.urlopen(url, timeout=5) as response:
            result: list[dict[str, object]] = json.load(response)["data"]["result"]
        return result


def binary(*names: str) -> str:
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    pytest.fail(f"none of {names} on PATH: install Debian's prometheus and prometheus-alertmanager")


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/-/ready", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@pytest.fixture(scope="session")
def monitoring(stack: DemoStack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Monitoring]:
    work = tmp_path_factory.mktemp("monitoring")
    prom_port, am_port = free_ports(2)
    am_url, prom_url = f"http://127.0.0.1:{am_port}", f"http://127.0.0.1:{prom_port}"
    (work / "alertmanager.yml").write_text(
        yaml.safe_dump(
            {
                "route": {"receiver": "null", "group_wait": "1s", "group_interval": "1s"},
                "receivers": [{"name": "null"}],
            }
        )
    )
    (work / "rules.yml").write_text(yaml.safe_dump(RULES))
    (work / "prometheus.yml").write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(work / "rules.yml")],
                "alerting": {
                    "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]
                },
                "scrape_configs": [
                    {
                        "job_name": job,
                        "scrape_timeout": "900ms",
                        "static_configs": [{"targets": targets}],
                    }
                    for job, targets in stack.metrics_targets().items()
                ],
            }
        )
    )
    logs = open(work / "monitoring.log", "wb")  # noqa: SIM115 (owned by the children)
    processes = [
        subprocess.Popen(
            [
                binary("prometheus-alertmanager", "alertmanager"),
                f"--config.file={work / 'alertmanager.yml'}",
                f"--storage.path={work / 'am'}",
                f"--web.listen-address=127.0.0.1:{am_port}",
                "--cluster.listen-address=",
            ],
            stdout=logs,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
        subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={work / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
            ],
            stdout=logs,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        ),
    ]
    started = Monitoring(prom_url, am_url, processes)
    deadline = time.monotonic() + 60
    while not (
        ready(prom_url) and ready(am_url) and len(started.query('up{job="store"} == 1')) == 1
    ):
        if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
            for p in processes:
                p.kill()
            pytest.fail(
                "Prometheus/Alertmanager did not come up:\n"
                + (work / "monitoring.log").read_text(errors="replace")[-3000:]
            )
        time.sleep(0.25)
    yield started
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait(timeout=10)
    logs.close()


@pytest.fixture(scope="session")
def pushgateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Debian's prometheus-pushgateway on 127.0.0.1, in memory only."""
    (port,) = free_ports(1)
    url = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("pushgateway") / "pushgateway.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [
                binary("prometheus-pushgateway", "pushgateway"),
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    deadline = time.monotonic() + 30
    while not ready(url):
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail(
                f"the Pushgateway did not start:\n{log.read_text(errors='replace')[-2000:]}"
            )
        time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)
