"""Guardrails cover every registered fault (#11.7): each is refused off its allow-list
before anything reaches its target. Kubernetes faults point at a recording server
standing in as the API server (requests seen: 0); local faults at a recording
supervisord and fault proxy (0 requests), a process that must not be signalled, a
file that must not change and a marker a command must not create.

The list of faults comes from the registry: a new plugin without an example here
fails `test_every_registered_fault_has_an_example`, so it cannot slip past."""

from __future__ import annotations

import io
import os
import platform
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent
from typing import Any

import psutil
import pytest
import yaml
from rich.console import Console

from gameday.demo.stack import DemoStack
from gameday.execute.journal import JOURNAL, read_journal
from gameday.execute.run import execute
from gameday.execute.runner import RunOptions
from gameday.execute.view import PlainView
from gameday.guardrails import GuardrailConfig
from gameday.plugins.protocols import Reach, Touches
from gameday.plugins.registry import registry
from gameday.validate import load
from tests.inputs.recording import Recorder, recording_server, url

TAG = f"gameday-guardrail-sleeper-{uuid.uuid4().hex[:8]}"
LABELS = {"labels": {"app": "web"}}


def examples(ctx: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Valid params for every registered fault, aimed at things the test watches."""
    proxy = {"admin": ctx["server"], "route": "frontend"}
    return {
        "process-kill": {"pattern": TAG},
        "process-pause": {"pattern": TAG},
        "dependency-outage": {"service": "store"},
        "latency": {**proxy, "delay": "100ms"},
        "http-error": {**proxy, "ratio": 1.0},
        "cpu-stress": {"workers": 1, "load": "10%", "max_duration": "5s"},
        "memory-stress": {"size": "1MiB", "max_duration": "5s"},
        "disk-fill": {"path": ctx["dir"], "size": "4KiB"},
        "file-delete": {"path": ctx["victim"]},
        "command": {"inject": ["touch", ctx["marker"]], "revert": ["rm", "-f", ctx["marker"]]},
        "pod-delete": {**LABELS, "namespace": "checkout"},
        "workload-scale": {"workload": "deployment/web", "namespace": "checkout"},
        "node-drain": {"nodes": ["node-1"]},
        "node-taint": {"nodes": ["node-1"]},
        "network-partition": {**LABELS, "namespace": "checkout"},
        "config-corrupt": {
            "object": "configmap/web",
            "key": "k",
            "value": "v",
            "namespace": "checkout",
        },
        "namespace-delete": {"namespace": "checkout"},
        "pod-stress": {**LABELS, "namespace": "checkout", "cpu_workers": 1},
        "pod-network": {**LABELS, "namespace": "checkout", "latency": "100ms"},
        "pod-dns": {**LABELS, "namespace": "checkout"},
    }


def reach(fault: str) -> Reach:
    declared: Reach = registry("fault").get(fault).reach
    return declared


KUBE = (Touches.KUBE_OBJECTS, Touches.KUBE_NAMESPACES, Touches.KUBE_NODES)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The recording server, a sleeper process, a victim file, a fill directory."""
    (tmp_path / "fill").mkdir()
    victim = tmp_path / "victim.dat"
    victim.write_text("precious")
    sleeper = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(300)", TAG], start_new_session=True
    )
    kubeconfig = tmp_path / "kubeconfig"
    with recording_server() as server:
        kubeconfig.write_text(
            yaml.safe_dump(
                {
                    "apiVersion": "v1",
                    "kind": "Config",
                    "clusters": [{"name": "rec", "cluster": {"server": url(server)}}],
                    "contexts": [{"name": "rec", "context": {"cluster": "rec", "user": "u"}}],
                    "users": [{"name": "u", "user": {"token": "t"}}],
                }
            )
        )
        yield {
            "server": server,
            "kubeconfig": kubeconfig,
            "sleeper": sleeper,
            "ctx": {
                "server": url(server),
                "dir": str(tmp_path / "fill"),
                "victim": str(victim),
                "marker": str(tmp_path / "PWNED-marker"),
            },
            "tmp": tmp_path,
        }
    sleeper.kill()
    sleeper.wait()


def scenario(tmp: Path, fault: str, params: dict[str, Any], target: dict[str, Any]) -> Path:
    doc = {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {"name": f"guard-{fault}"},
        "target": target,
        "steady_state": {
            "window": "100ms",
            "probes": [
                {"name": "p", "type": "process", "params": {"pattern": TAG, "min_count": 0}}
            ],
        },
        "fault": {"type": fault, "params": params, "duration": "100ms"},
        "recovery": {"rto": "5s"},
    }
    path = tmp / f"{fault}.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


def run(path: Path, config: GuardrailConfig, **options: Any) -> list[dict[str, Any]]:
    subject = load(path)
    run_dir, _ = execute(
        subject,
        path.parent / "reports",
        RunOptions(guardrails=config, auto_approve=True, **options),
        PlainView(Console(file=io.StringIO(), width=200)),
    )
    return read_journal(run_dir / JOURNAL)


def refusal(records: list[dict[str, Any]]) -> str:
    (end,) = [r for r in records if r["type"] == "scenario-end"]
    assert end["outcome"] == "refused", end
    assert not [r for r in records if r["type"].startswith("injection-")]
    return str(end["reason"])


def kube_target(world: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"kind": "kubernetes", "context": "rec", "kubeconfig": str(world["kubeconfig"]), **extra}


def untouched(world: dict[str, Any]) -> None:
    server: Recorder = world["server"]
    assert server.requests == [], f"requests reached the target: {server.requests}"
    proc = psutil.Process(world["sleeper"].pid)
    assert proc.is_running() and proc.status() != psutil.STATUS_STOPPED, "sleeper was signalled"
    assert Path(world["ctx"]["victim"]).read_text() == "precious"
    assert os.listdir(world["ctx"]["dir"]) == []
    assert not Path(world["ctx"]["marker"]).exists()


FAULTS = registry("fault").names()


def test_every_registered_fault_has_an_example(world: dict[str, Any]) -> None:
    missing = set(FAULTS) - set(examples(world["ctx"]))
    assert not missing, f"add an example for {missing}: guardrails must be shown to cover it"


@pytest.mark.parametrize("fault", FAULTS)
def test_fault_off_its_allow_list_reaches_nothing(
    world: dict[str, Any], fault: str, request: pytest.FixtureRequest
) -> None:
    """The allow-list of the kind the fault declares it touches refuses it. Process
    faults are checked on what selection found (command lines of real processes; a
    supervised program's come from the demo stack's supervisord), the rest before the
    target is connected."""
    params = examples(world["ctx"])[fault]
    declared = reach(fault)
    programs_before = None
    if declared.touches is Touches.PROCESSES:
        stack: DemoStack = request.getfixturevalue("stack")
        config, rule = _local_config(declared.touches)
        target = {"kind": "local", "supervisor": stack.supervisor_url}
        programs_before = _programs(stack)
    elif declared.touches in KUBE:
        config = GuardrailConfig.model_validate(
            {"kube_contexts": [{"name": "staging", "server": "https://10.0.0.1:6443"}]}
        )
        target = kube_target(world)
        rule = "allowed-contexts"
    else:
        config, rule = _local_config(declared.touches)
        target = {"kind": "local", "supervisor": world["ctx"]["server"] + "/RPC2"}
    reason = refusal(run(scenario(world["tmp"], fault, params, target), config))
    assert f"refused by guardrail `{rule}`" in reason, reason
    untouched(world)
    if programs_before is not None:
        assert _programs(request.getfixturevalue("stack")) == programs_before


def _programs(stack: DemoStack) -> dict[str, tuple[str, int]]:
    return {
        i["name"]: (i["statename"], i["pid"]) for i in stack.rpc().supervisor.getAllProcessInfo()
    }


def _local_config(touches: Touches) -> tuple[GuardrailConfig, str]:
    by_kind: dict[Touches, tuple[dict[str, Any], str]] = {
        Touches.PROCESSES: ({"local_processes": ["^no-such-program$"]}, "local-processes"),
        Touches.FILES: ({"local_paths": ["/nonexistent-allowed-dir"]}, "local-paths"),
        Touches.PROXY: ({"proxy_admins": ["http://10.0.0.1:9100"]}, "proxy-admins"),
        Touches.COMMANDS: ({"local_commands": ["^/opt/drills/"]}, "local-commands"),
        Touches.HOST: ({"local_hosts": ["some-other-host"]}, "local-hosts"),
    }
    settings, rule = by_kind[touches]
    return GuardrailConfig.model_validate(settings), rule


@pytest.mark.parametrize("fault", [f for f in FAULTS if reach(f).touches not in KUBE])
def test_every_local_fault_is_held_to_the_host_allow_list(
    world: dict[str, Any], fault: str
) -> None:
    config = GuardrailConfig(local_hosts=[f"not-{platform.node()}"])
    target = {"kind": "local", "supervisor": world["ctx"]["server"] + "/RPC2"}
    path = scenario(world["tmp"], fault, examples(world["ctx"])[fault], target)
    reason = refusal(run(path, config))
    assert "refused by guardrail `local-hosts`" in reason
    untouched(world)


@pytest.mark.parametrize("fault", [f for f in FAULTS if reach(f).touches in KUBE])
def test_kubernetes_faults_namespace_and_node_rules(world: dict[str, Any], fault: str) -> None:
    """Allowed context and server, but a namespace off the list (or a node fault, which
    reaches every namespace): refused before the recording API server sees a request."""
    config = GuardrailConfig.model_validate(
        {
            "kube_contexts": [
                {"name": "rec", "server": url(world["server"]), "namespaces": ["other"]}
            ]
        }
    )
    path = scenario(world["tmp"], fault, examples(world["ctx"])[fault], kube_target(world))
    reason = refusal(run(path, config))
    assert "refused by guardrail `allowed-namespaces`" in reason, reason
    untouched(world)


@pytest.mark.parametrize("fault", [f for f in FAULTS if reach(f).touches in KUBE])
def test_in_cluster_runs_are_held_to_the_allow_list(
    world: dict[str, Any], fault: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--in-cluster: the pod's API server (here the recording one) is not listed."""
    port = world["server"].server_address[1]
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", str(port))
    config = GuardrailConfig.model_validate(
        {"kube_contexts": [{"name": "staging", "server": "https://10.0.0.1:6443"}]}
    )
    path = scenario(world["tmp"], fault, examples(world["ctx"])[fault], kube_target(world))
    reason = refusal(run(path, config, in_cluster=True))
    assert "refused by guardrail `allowed-contexts`" in reason
    assert f"in-cluster API server https://127.0.0.1:{port}" in reason
    untouched(world)


def test_symlink_into_an_allowed_directory_does_not_fool_local_paths(world: dict[str, Any]) -> None:
    allowed = world["tmp"] / "allowed"
    allowed.mkdir()
    (allowed / "link").symlink_to(world["ctx"]["victim"])
    config = GuardrailConfig(local_paths=[str(allowed)])
    path = scenario(world["tmp"], "file-delete", {"path": str(allowed / "link")}, {"kind": "local"})
    reason = refusal(run(path, config))
    assert "`local-paths`" in reason and "really" in reason
    untouched(world)


def test_max_percent_is_enforced(world: dict[str, Any]) -> None:
    """blast_radius.max_percent: 2 of 3 matching processes is 67%, over 50%."""
    extra = [
        subprocess.Popen(
            [sys.executable, "-c", "import time; time.sleep(300)", TAG], start_new_session=True
        )
        for _ in range(2)
    ]
    try:
        path = scenario(
            world["tmp"], "process-pause", {"pattern": TAG, "count": 2}, {"kind": "local"}
        )
        doc = yaml.safe_load(path.read_text())
        doc["fault"]["blast_radius"] = {"max_percent": "50%"}
        path.write_text(yaml.safe_dump(doc))
        reason = refusal(run(path, GuardrailConfig()))
        assert "2 of 3 process(s) (67%), over blast_radius.max_percent=50%" in reason, reason
        for proc in extra:
            assert psutil.Process(proc.pid).status() != psutil.STATUS_STOPPED
    finally:
        for proc in extra:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
    untouched(world)


def test_max_percent_on_a_fault_without_a_pool_is_refused(world: dict[str, Any]) -> None:
    path = scenario(
        world["tmp"], "disk-fill", examples(world["ctx"])["disk-fill"], {"kind": "local"}
    )
    doc = yaml.safe_load(path.read_text())
    doc["fault"]["blast_radius"] = {"max_percent": "50%"}
    path.write_text(yaml.safe_dump(doc))
    reason = refusal(run(path, GuardrailConfig()))
    assert "does not pick from a pool" in reason
    untouched(world)


def test_every_fault_declares_a_reach() -> None:
    for name in FAULTS:
        declared = registry("fault").get(name).reach
        assert isinstance(declared, Reach) and declared.unit, name
        params = registry("fault").get(name).Params.model_fields
        assert set(declared.fields) <= set(params), f"{name} declares unknown fields"


def test_every_probe_says_whether_it_is_read_only() -> None:
    for name in registry("probe").names():
        assert callable(registry("probe").get(name)().read_only), name


PYTEST_PROJECT = dedent("""\
    [tool.gameday.guardrails]
    local_hosts = ["not-this-host"]
    """)


def test_pytest_gameday_loads_the_projects_guardrails(world: dict[str, Any]) -> None:
    """`pytest --gameday` reads [tool.gameday] like the CLI: the host allow-list refuses."""
    project = world["tmp"] / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYTEST_PROJECT)
    scenario(project, "command", examples(world["ctx"])["command"], {"kind": "local"})
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--gameday", "-p", "no:cacheprovider", str(project)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "GAMEDAY_STATE": str(world["tmp"] / "state")},
    )
    assert done.returncode == 1, done.stdout[-2000:]
    assert "refused by guardrail `local-hosts`" in done.stdout
    untouched(world)
