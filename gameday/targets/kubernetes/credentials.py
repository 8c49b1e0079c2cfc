"""Loads Kubernetes credentials (kubeconfig or in-cluster) within a deadline, so that a
credential plugin that hangs or fails ends the run as a clear error.

The client library runs a kubeconfig's `exec:` plugin without a timeout and, when the
plugin fails, only logs the failure and carries on without a token (every request is
then a 401). Here the load runs in a worker thread that is given up on after the
deadline, and the library's log records during the load are captured and turned into
the error's message instead of being dumped on the console.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

from kubernetes import client, config

from gameday import deadlines
from gameday.errors import DependencyError, TargetError
from gameday.targets.kubernetes.kubeconfig import kubeconfig_paths

HINT = (
    "check `target.context`, `target.kubeconfig` or $KUBECONFIG; a credential plugin "
    "(`exec:` in the kubeconfig) must be installed, logged in, and print a token"
)


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def load(params: Any) -> client.ApiClient:
    """An API client for `params` (in_cluster / kubeconfig / context), or a TargetError
    (bad kubeconfig, failed plugin) or DependencyError (plugin still running after the
    deadline: connect + read timeouts)."""
    result: dict[str, Any] = {}
    capture = _Capture()

    def work() -> None:
        try:
            result["api"] = _load(params)
        except Exception as exc:  # handed to the caller's thread below
            result["error"] = exc

    root = logging.getLogger()
    root.addHandler(capture)
    try:
        worker = threading.Thread(target=work, name="k8s-credentials", daemon=True)
        worker.start()
        limit = deadlines.connect() + deadlines.read()
        worker.join(limit)
    finally:
        root.removeHandler(capture)
    if worker.is_alive():
        raise DependencyError(
            "Kubernetes credential plugin",
            f"still running after {limit:g}s",
            hint="run the kubeconfig's `exec` command by hand: it may be waiting for a login",
        )
    error = result.get("error")
    if isinstance(error, config.ConfigException | OSError | TypeError | ValueError):
        raise TargetError(
            f"cannot load Kubernetes credentials: {_first_line(error)}", hint=HINT
        ) from None
    if error is not None:
        raise error
    plugin = [m for m in capture.messages if m]
    if plugin:  # the library logged a failed exec plugin and went on without a token
        raise TargetError(
            f"the Kubernetes credential plugin failed: {_first_line(plugin[0])}", hint=HINT
        )
    api: client.ApiClient = result["api"]
    return api


def _load(params: Any) -> client.ApiClient:
    if params.in_cluster:
        load_incluster: Any = config.load_incluster_config
        load_incluster()
        return client.ApiClient()
    # $KUBECONFIG is read now, not when the client library was imported
    files = os.pathsep.join(str(p) for p in kubeconfig_paths(params.kubeconfig))
    new_client: Any = config.new_client_from_config
    api: client.ApiClient = new_client(config_file=files, context=params.context)
    return api


def _first_line(value: object) -> str:
    lines = str(value).strip().splitlines()
    return (lines[0] if lines else type(value).__name__)[:300]
