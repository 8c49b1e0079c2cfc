"""The test cluster runs the release it was asked for, and says so: binaries are
version-stamped when built from the k8s.io/kubernetes module."""

from __future__ import annotations

import os
from typing import Any

from kubernetes import client

from tests.kubernetes.model import known

DEFAULT = "1.35.4"  # scripts/cluster's default: keep in step


def test_the_api_server_reports_the_release_it_was_built_from(api: Any) -> None:
    wanted = os.environ.get("GAMEDAY_K8S_VERSION", DEFAULT)
    assert client.VersionApi(api).get_code().git_version == f"v{wanted}"


def test_nodes_report_their_kubelet_release(api: Any) -> None:
    wanted = os.environ.get("GAMEDAY_K8S_VERSION", DEFAULT)
    real = [
        n
        for n in client.CoreV1Api(api).list_node().items
        if (known(n.metadata).labels or {}).get("gameday.dev/node") == "real"
    ]
    private = bool(os.environ.get("GAMEDAY_CLUSTER_DIR"))  # scripts/cluster: no real node
    if os.environ.get("GAMEDAY_REAL_NODE", "0" if private else "1") == "0":
        assert real == []
        return
    (node,) = real
    info = known(known(node.status).node_info)
    assert info.kubelet_version == f"v{wanted}"
    assert info.kube_proxy_version in ("", f"v{wanted}")
