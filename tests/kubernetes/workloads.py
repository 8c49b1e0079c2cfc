"""The test workload: namespace + deployment/web whose pods run on kwok nodes.
Shared by the test fixtures and benchmarks/bench_k8s_pod_delete.py."""

from __future__ import annotations

from typing import Any

from kubernetes import client


def create_web(core: Any, apps: Any, namespace: str, replicas: int) -> None:
    """Creates the namespace and deployment/web (label app=web) on kwok nodes only."""
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=namespace)))
    template = client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels={"app": "web"}),
        spec=client.V1PodSpec(
            containers=[client.V1Container(name="web", image="registry.example/web:1")],
            tolerations=[client.V1Toleration(key="kwok.x-k8s.io/node", operator="Exists")],
            node_selector={"type": "kwok"},  # never the real node: this image exists nowhere
        ),
    )
    apps.create_namespaced_deployment(
        namespace,
        client.V1Deployment(
            metadata=client.V1ObjectMeta(name="web"),
            spec=client.V1DeploymentSpec(
                replicas=replicas,
                selector=client.V1LabelSelector(match_labels={"app": "web"}),
                template=template,
            ),
        ),
    )
