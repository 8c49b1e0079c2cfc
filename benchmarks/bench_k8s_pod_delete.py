"""pod-delete of 10% of a 2,000-pod Deployment across 50 kwok nodes, from start to
recovery observed, on the real control plane (scripts/cluster).

Prints the runner's CPU seconds, peak RSS, API requests and wall time, and beside them
a same-run baseline: observing the same recovery by re-listing the pods at the probe's
rate (what gameday did before its probes were fed by a watch).
Targets: the drill completes and recovers; the runner makes fewer API requests than
the re-listing baseline would, and stays under 300 MB RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import urllib3
from kubernetes import client, config

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test workload is shared with tests/kubernetes/
from tests.kubernetes.workloads import create_web  # noqa: E402

GAMEDAY = str(Path(sys.executable).with_name("gameday"))
CLUSTER = str(ROOT / "scripts" / "cluster")
PODS, NODES, EVERY = 2000, 50, 0.1
RSS_TARGET_MB = 300

SCENARIO = """\
apiVersion: gameday/v1
kind: Scenario
metadata: {{name: bench-pod-delete, owner: benchmarks}}
target: {{kind: kubernetes, context: gameday-test, kubeconfig: "{kubeconfig}", namespace: {namespace}}}
steady_state:
  window: 1s
  probes:
    - name: ready-pods
      type: k8s-condition
      every: {every}s
      params: {{kind: pods-ready, labels: {{app: web}}, min_ready: {pods}}}
fault:
  type: pod-delete
  params: {{owner: deployment/web, percent: 10%, grace_period: 0s}}
  duration: 2s
  blast_radius: {{max_targets: {cap}}}
recovery:
  rto: 2m
  stabilization: 1s
  steps:
    - name: replacements Ready
      type: wait_for
      params: {{probe: ready-pods, successes: 3}}
      timeout: 5m
"""


def ready(core: Any, namespace: str) -> int:
    pods = core.list_namespaced_pod(namespace, label_selector="app=web", _preload_content=False)
    items = json.loads(pods.data)["items"]
    return sum(
        1
        for p in items
        if any(
            c["type"] == "Ready" and c["status"] == "True"
            for c in p.get("status", {}).get("conditions", [])
        )
    )


def add_nodes(core: Any, count: int) -> list[str]:
    names = [f"kwok-bench-{i}" for i in range(count)]
    for name in names:
        core.create_node(
            client.V1Node(
                metadata=client.V1ObjectMeta(
                    name=name,
                    annotations={"kwok.x-k8s.io/node": "fake"},
                    labels={"type": "kwok", "kubernetes.io/hostname": name},
                )
            )
        )
    return names


def deploy(apps: Any, core: Any, namespace: str) -> float:
    create_web(core, apps, namespace, PODS)
    start = time.monotonic()
    while ready(core, namespace) < PODS:
        if time.monotonic() - start > 600:
            raise SystemExit(f"{PODS} pods never became Ready")
        time.sleep(2)
    return time.monotonic() - start


def run_drill(kubeconfig: str, namespace: str, work: Path) -> tuple[dict[str, Any], float]:
    scenario = work / "bench.yaml"
    scenario.write_text(
        SCENARIO.format(
            kubeconfig=kubeconfig, namespace=namespace, every=EVERY, pods=PODS, cap=PODS // 10
        )
    )
    start = time.monotonic()
    proc = subprocess.Popen(
        [GAMEDAY, "run", str(scenario), "--reports", str(work / "reports")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    (report,) = (work / "reports").glob("*/*/report.json")
    (scenario_report,) = json.loads(report.read_text())["scenarios"]
    records = [json.loads(line) for line in (report.parent / "journal.jsonl").open()]
    stats = next(r for r in records if r["type"] == "target-stats")
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mb": usage.ru_maxrss / 1024,
        "requests": stats["api_requests"],
        "samples": sum(len(r["s"]) for r in records if r["type"] == "samples"),
        "outcome": scenario_report["outcome"],
        "deleted": len(scenario_report["evidence"]["deleted"]),
        "ttr": scenario_report["time_to_recover"],
    }, wall


def relist_baseline(core: Any, namespace: str, polls: int = 5) -> tuple[float, int]:
    """CPU seconds and requests of one re-list of every pod, as the probe did per sample."""
    requests = 0
    cpu = time.process_time()
    for _ in range(polls):
        token = ""
        while True:
            page = core.list_namespaced_pod(
                namespace, label_selector="app=web", limit=500, _continue=token
            )
            requests += 1
            token = page.metadata._continue
            if not token:
                break
    return (time.process_time() - cpu) / polls, requests // polls


def main() -> int:
    up = subprocess.run([CLUSTER, "up", "3"], capture_output=True, text=True, timeout=1800)
    if up.returncode != 0:
        print(up.stderr[-2000:])
        return 1
    kubeconfig = up.stdout.strip().splitlines()[-1].split("=", 1)[1]
    started_here = "already running" not in up.stderr
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    api = config.new_client_from_config(config_file=kubeconfig, context="gameday-test")
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    namespace = f"gd-bench-{uuid.uuid4().hex[:6]}"
    nodes = add_nodes(core, NODES - len(core.list_node().items))
    try:
        settle = deploy(apps, core, namespace)
        print(f"k8s pod-delete: {PODS} pods Ready on {NODES} kwok nodes in {settle:.0f}s")
        with tempfile.TemporaryDirectory() as work:
            result, wall = run_drill(kubeconfig, namespace, Path(work))
        per_list_cpu, per_list_requests = relist_baseline(core, namespace)
    finally:
        core.delete_namespace(namespace)
        for name in nodes:
            core.delete_node(name)
        if started_here:
            subprocess.run([CLUSTER, "down"], capture_output=True, timeout=120)
    relist_requests = per_list_requests * result["samples"]
    print(
        f"k8s pod-delete: {result['outcome']}, deleted {result['deleted']} pods, recovered in "
        f"{result['ttr']}s; wall {wall:.1f}s, runner CPU {result['cpu']:.1f}s, "
        f"peak RSS {result['rss_mb']:.0f} MB, API requests {result['requests']}"
    )
    print(
        f"k8s pod-delete: baseline re-listing at {1 / EVERY:.0f} Hz for the same "
        f"{result['samples']} samples: {relist_requests} API requests, "
        f"~{per_list_cpu * result['samples']:.1f}s CPU ({per_list_cpu * 1000:.0f} ms per list)"
    )
    ok = (
        result["exit"] == 0
        and result["outcome"] == "completed"
        and result["ttr"] is not None
        and result["requests"] < relist_requests
        and result["rss_mb"] < RSS_TARGET_MB
    )
    print(
        f"k8s pod-delete: target (recovered, fewer requests than re-listing, "
        f"< {RSS_TARGET_MB} MB): {'met' if ok else 'MISSED'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
