"""Each local fault confirms its landing from the machine itself, and says so when it
did not land: real processes, the real demo stack (supervisord, fault proxy), no mocks.
The adversary here is a fault that silently does nothing."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from gameday.demo.stack import DemoStack
from gameday.plugins.protocols import Injection
from gameday.targets.local.disk import DiskFill, DiskFillParams, FileDelete, FileDeleteParams
from gameday.targets.local.faults import (
    CountedSelector,
    DependencyOutage,
    DependencyOutageParams,
    ProcessKill,
    ProcessKillParams,
    ProcessPause,
)
from gameday.targets.local.proxy_faults import Latency, LatencyParams
from gameday.targets.local.stress import CpuStress, CpuStressParams
from gameday.targets.local.target import LocalParams, LocalSession

IGNORES_HUP = "import signal, time; signal.signal(signal.SIGHUP, signal.SIG_IGN); time.sleep(60)"


@pytest.fixture
def sleeper(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A process in its own session, ignoring SIGHUP, that we may kill or pause; its PID
    is in tmp_path/sleeper.pid."""
    proc = subprocess.Popen([sys.executable, "-c", IGNORES_HUP], start_new_session=True)
    (tmp_path / "sleeper.pid").write_text(str(proc.pid))
    time.sleep(0.3)  # the handler is installed
    yield proc
    proc.kill()
    proc.wait()


def local(stack: DemoStack | None = None) -> LocalSession:
    return LocalSession(LocalParams(supervisor=stack.supervisor_url if stack else None))


def test_process_kill_confirms_the_pid_is_gone(
    sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    fault, target = ProcessKill(), local()
    params = ProcessKillParams(pid_file=str(tmp_path / "sleeper.pid"))
    applied = fault.inject(fault.select(params, target), params, target)
    sleeper.wait()  # reaped by its parent (us), as a supervisor would
    landing = fault.confirm(applied, params, target)
    assert landing.confirmed is True
    assert landing.checked == f"PIDs {sleeper.pid} gone after SIGKILL"


def test_a_signal_the_process_ignores_is_not_a_landing(
    sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    fault, target = ProcessKill(), local()
    params = ProcessKillParams(pid_file=str(tmp_path / "sleeper.pid"), signal="SIGHUP")
    applied = fault.inject(fault.select(params, target), params, target)
    assert applied.evidence["signalled"] == [sleeper.pid]  # inject believes it did its job
    landing = fault.confirm(applied, params, target)
    assert landing.confirmed is False
    assert landing.checked == f"PIDs - gone after SIGHUP; PIDs {sleeper.pid} still running"


def test_process_pause_confirms_state_t_and_not_after_a_sigcont(
    sleeper: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    fault, target = ProcessPause(), local()
    params = CountedSelector(pid_file=str(tmp_path / "sleeper.pid"))
    applied = fault.inject(fault.select(params, target), params, target)
    assert fault.confirm(applied, params, target).confirmed is True
    os.killpg(os.getpgid(sleeper.pid), signal.SIGCONT)  # someone resumes it behind our back
    landing = fault.confirm(applied, params, target)
    assert landing.confirmed is False and "not stopped" in landing.checked
    fault.revert(applied, target)


def test_dependency_outage_needs_the_program_stopped_and_its_port_closed(
    stack: DemoStack,
) -> None:
    fault, target = DependencyOutage(), local(stack)
    params = DependencyOutageParams(service="store")
    planned = fault.select(params, target)
    ((host, port),) = planned.evidence["listening"]["store"]
    assert port == stack.ports["store"]
    # nothing applied yet: running, and the port answers -> not landed
    early = fault.confirm(planned, params, target)
    assert early.confirmed is False and "store RUNNING" in early.checked
    applied = fault.inject(planned, params, target)
    try:
        landing = fault.confirm(applied, params, target)
        assert landing.confirmed is True, landing.checked
        assert landing.checked == (
            f"supervisor states store STOPPED; ports that must refuse connections: {host}:{port}"
        )
        # an impostor takes over the port: the dependency is not really down
        with socket.socket() as impostor:
            impostor.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            impostor.bind((host, port))
            impostor.listen()
            held = fault.confirm(applied, params, target)
        assert held.confirmed is False and f"still accepting: {host}:{port}" in held.checked
    finally:
        fault.revert(applied, target)


def test_latency_confirms_the_toxic_is_listed_on_the_proxy(stack: DemoStack) -> None:
    fault = Latency()
    admin = stack.params()["proxy_admin"]
    params = LatencyParams(admin=admin, route="frontend", delay="50ms")
    applied = fault.inject(fault.select(params, None), params, None)
    try:
        landing = fault.confirm(applied, params, None)
        assert landing.confirmed is True and landing.checked.endswith(": active (latency)")
        # the proxy restarted (or someone cleared it): the toxic is gone
        urllib.request.urlopen(urllib.request.Request(admin + "/toxics", method="DELETE")).close()
        gone = fault.confirm(applied, params, None)
        assert gone.confirmed is False and gone.checked.endswith(": not listed")
    finally:
        fault.revert(applied, None)
    with urllib.request.urlopen(admin + "/routes") as response:
        assert json.load(response)["frontend"]["toxics"] == {}


def test_stress_confirms_a_live_stressor_and_not_one_that_died() -> None:
    fault = CpuStress()
    params = CpuStressParams(workers=1, load="10%", max_duration="30s", engine="python")
    applied = fault.inject(fault.select(params, None), params, None)
    try:
        landing = fault.confirm(applied, params, None)
        assert landing.confirmed is True and landing.checked.startswith("python stressor alive")
    finally:
        fault.revert(applied, None)
    dead = fault.confirm(applied, params, None)
    assert dead.confirmed is False


def test_a_stressor_that_exits_at_once_did_not_land() -> None:
    fault = CpuStress()
    params = CpuStressParams(workers=1, load="10%", max_duration="30s", engine="python")
    planned = fault.select(params, None)
    broken = Injection(
        planned.fault, planned.targets, {**planned.undo, "argv": ["false"]}, planned.evidence
    )
    applied = fault.inject(broken, params, None)
    time.sleep(0.3)
    landing = fault.confirm(applied, params, None)
    fault.revert(applied, None)
    assert landing.confirmed is False and "exited at once with code 1" in landing.checked


def test_disk_fill_confirms_the_bytes_are_allocated(tmp_path: Path) -> None:
    fault = DiskFill()
    params = DiskFillParams(path=str(tmp_path), size=1 << 20)
    applied = fault.inject(fault.select(params, None), params, None)
    landing = fault.confirm(applied, params, None)
    assert landing.confirmed is True and landing.evidence["allocated"] >= 1 << 20
    fault.revert(applied, None)
    assert fault.confirm(applied, params, None).confirmed is False


def test_file_delete_confirms_the_file_is_gone_or_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    data.write_text("{}\n")
    fault = FileDelete()
    params = FileDeleteParams(path=str(data))
    planned = fault.select(params, None)
    assert fault.confirm(planned, params, None).confirmed is False  # not deleted yet
    applied = fault.inject(planned, params, None)
    assert fault.confirm(applied, params, None).checked == f"{data} is gone"
    time.sleep(0.01)
    data.write_text("")  # the service recreates its file: still a landing
    recreated = fault.confirm(applied, params, None)
    assert recreated.confirmed is True and "a new one" in recreated.checked
    fault.revert(applied, None)
