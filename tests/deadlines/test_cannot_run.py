"""Runs that cannot do their job end as `error` with the cause in one line and a hint
(no client-library dump): no kubeconfig, an API server that refuses connections, a
failing credential plugin. (A fault that needs a supervisor the target does not have is
refused earlier, by `validate`, exit 2.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deadlines.harness import env, run_freezing, write_scenario
from tests.deadlines.servers import closed_port

TRUE = {"name": "true", "type": "command", "every": "500ms", "params": {"argv": ["true"]}}
DUMPS = ("Traceback", "HTTPSConnectionPool", "MaxRetryError", "object at 0x", "urllib3")


def kubernetes(target: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": "cannot-run"},
        "target": {"kind": "kubernetes", "context": "ctx", "namespace": "default", **target},
        "steady_state": {"window": "1s", "probes": [TRUE]},
        "fault": {
            "type": "workload-scale",
            "params": {"workload": "deployment/web"},
            "duration": "1s",
            "blast_radius": {"max_targets": 1},
        },
    }


def kubeconfig(tmp_path: Path, server: str, user: dict[str, Any]) -> str:
    path = tmp_path / "kubeconfig"
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": server}}],
                "users": [{"name": "u", "user": user}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
            }
        )
    )
    return str(path)


def refused(tmp_path: Path) -> dict[str, Any]:
    server = f"https://127.0.0.1:{closed_port()}"
    return kubernetes({"kubeconfig": kubeconfig(tmp_path, server, {"token": "t"})})


def no_kubeconfig(tmp_path: Path) -> dict[str, Any]:
    return kubernetes({"kubeconfig": str(tmp_path / "missing")})


def failing_plugin(tmp_path: Path) -> dict[str, Any]:
    plugin = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": "false"}}
    server = f"https://127.0.0.1:{closed_port()}"
    return kubernetes({"kubeconfig": kubeconfig(tmp_path, server, plugin)})


@pytest.mark.parametrize(
    ("make", "says", "hint"),
    [
        (refused, "Kubernetes API server https://127.0.0.1:", "is the API server up"),
        (no_kubeconfig, "cannot load Kubernetes credentials", "target.kubeconfig"),
        (failing_plugin, "credential plugin failed", "credential plugin"),
    ],
    ids=["api-server-refused", "no-kubeconfig", "credential-plugin"],
)
def test_a_run_that_cannot_do_its_job_is_an_error(
    tmp_path: Path, make: Any, says: str, hint: str
) -> None:
    path = write_scenario(tmp_path / "s.yaml", make(tmp_path))
    ran = run_freezing(path, tmp_path / "reports", env(tmp_path), None, [], hard_limit=60)
    assert ran.end["outcome"] == "error", ran.end
    reason = ran.end["reason"]
    cause, _, advice = reason.partition(" (hint: ")
    assert says in cause and hint in advice, reason
    assert "\n" not in reason and len(reason) < 500, reason
    for dump in DUMPS:
        assert dump not in reason and dump not in ran.output, (dump, ran.output[-2000:])
    assert not ran.of("injection-planned")
    assert ran.code != 0
