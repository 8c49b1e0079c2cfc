"""Reads which API server a kubeconfig context really points at (no cluster needed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml


def kubeconfig_paths(explicit: str | None) -> list[Path]:
    if explicit:
        return [Path(explicit).expanduser()]
    env = os.environ.get("KUBECONFIG")
    if env:
        return [Path(p).expanduser() for p in env.split(os.pathsep) if p]
    return [Path.home() / ".kube" / "config"]


def server_of(context: str, explicit: str | None = None) -> str | None:
    """The cluster server URL of `context`, merging kubeconfig files the way kubectl
    does (the first file that defines a name wins); None if it cannot be resolved."""
    contexts: dict[str, Any] = {}
    clusters: dict[str, Any] = {}
    for path in kubeconfig_paths(explicit):
        try:
            data = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        for entry in data.get("contexts") or []:
            contexts.setdefault(entry.get("name"), entry.get("context") or {})
        for entry in data.get("clusters") or []:
            clusters.setdefault(entry.get("name"), entry.get("cluster") or {})
    cluster = clusters.get(contexts.get(context, {}).get("cluster"))
    server = cluster.get("server") if isinstance(cluster, dict) else None
    return str(server) if server else None
