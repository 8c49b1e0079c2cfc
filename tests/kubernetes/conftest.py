"""A real control plane (scripts/cluster: etcd, kube-apiserver, controller-manager,
scheduler, kwok nodes, and the real node of scripts/node) once per session, and a
namespace with a Deployment on kwok nodes per test. If the cluster cannot be built or
started, the tests fail with the reason: no skip. A session that started the cluster
stops it and fails if `down` left anything of the node on the host."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
import yaml
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from gameday.execute.waiting import wait_until
from tests.conftest import ROOT
from tests.kubernetes.model import known
from tests.kubernetes.workloads import create_web

CLUSTER = str(ROOT / "scripts" / "cluster")
REPLICAS = 4
INSTALLED = ("stresschaos", "networkchaos")  # DNSChaos left out on purpose


@pytest.fixture(scope="session")
def kubeconfig() -> Iterator[Path]:
    done = subprocess.run([CLUSTER, "up", "3"], capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        pytest.fail(f"the test control plane did not start:\n{done.stderr[-4000:]}")
    path = Path(done.stdout.strip().splitlines()[-1].split("=", 1)[1])
    real_node = (path.parent / "node").is_dir()  # this instance runs the host's real node
    yield path
    if "already running" not in done.stderr:  # a cluster someone started stays up
        down = subprocess.run([CLUSTER, "down"], capture_output=True, text=True, timeout=180)
        assert down.returncode == 0, down.stderr[-2000:]
        if real_node:  # leftovers are host-wide: only the node's owner may judge them
            left = subprocess.run([CLUSTER, "node", "leftovers"], capture_output=True, text=True)
            assert left.stdout == "", f"`scripts/cluster down` left this behind:\n{left.stdout}"


@pytest.fixture(scope="session")
def api(kubeconfig: Path) -> Any:
    urllib3.disable_warnings(
        urllib3.exceptions.InsecureRequestWarning
    )  # the test cluster's self-signed cert
    load: Any = config.new_client_from_config
    return load(config_file=str(kubeconfig), context="gameday-test")


def ready_pods(core: Any, namespace: str) -> list[Any]:
    return [
        p
        for p in core.list_namespaced_pod(namespace, label_selector="app=web").items
        if p.metadata.deletion_timestamp is None
        and any(c.type == "Ready" and c.status == "True" for c in (p.status.conditions or []))
    ]


@pytest.fixture
def workload(api: Any) -> Iterator[str]:
    """A namespace with deployment/web (4 replicas on kwok nodes); deleted afterwards."""
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    namespace = f"gd-e2e-{uuid.uuid4().hex[:6]}"
    create_web(core, apps, namespace, REPLICAS)
    assert wait_until(lambda: len(ready_pods(core, namespace)) == REPLICAS, 60, 0.2), (
        "pods never became Ready"
    )
    assert wait_until(
        lambda: (
            known(apps.read_namespaced_deployment("web", namespace).status).available_replicas
            == REPLICAS
        ),
        30,
        0.1,
    ), "the Deployment never reported its replicas available"
    yield namespace
    core.delete_namespace(namespace)


def chaos_mesh_crd_documents() -> dict[str, Any]:
    """Chaos Mesh's CRDs by plural, from manifests/crd.yaml of its Go module (the pinned
    pseudo-version in scripts/cluster, downloaded through the Go module proxy)."""
    done = subprocess.run([CLUSTER, "crds"], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        pytest.fail(f"could not get Chaos Mesh's CRDs:\n{done.stderr[-2000:]}")
    path = Path(done.stdout.strip().splitlines()[-1])
    return {
        doc["spec"]["names"]["plural"]: doc
        for doc in yaml.safe_load_all(path.read_text())
        if doc and doc.get("kind") == "CustomResourceDefinition"
    }


@pytest.fixture(scope="session")
def chaos_mesh_crds(api: Any) -> None:
    documents = chaos_mesh_crd_documents()
    extensions = client.ApiextensionsV1Api(api)
    for plural in INSTALLED:
        body = documents[plural]
        try:
            extensions.create_custom_resource_definition(body)
        except ApiException as exc:
            if exc.status != 409:  # already installed by an earlier run
                raise
    for plural in INSTALLED:
        name = f"{plural}.chaos-mesh.org"
        deadline = time.monotonic() + 30
        while not any(
            c.type == "Established" and c.status == "True"
            for c in known(extensions.read_custom_resource_definition(name).status).conditions or []
        ):
            assert time.monotonic() < deadline, f"{name} never became Established"
            time.sleep(0.2)
