"""Crash safety: kill the runner at every phase boundary (and mid-observe) for every
local fault, run `gameday recover`, and check the target is exactly as before.
Then the same faults interrupted by SIGINT/SIGTERM, cleaned up without `recover`."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import CRASH_AFTER
from gameday.execute.waiting import wait_until
from gameday.targets.local.stress import TOKEN_VARIABLE
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT

CRASH_POINTS = [
    "plan",
    "injection-planned",
    "injection-applied",
    "phase:observe",
    "mid-observe",
    "injection-reverted",
    "phase:verify",
    "phase:rollback",
]
Check = Callable[[], str | None]


def programs(stack: DemoStack) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in stack.rpc().supervisor.getAllProcessInfo()}


def faults(stack: DemoStack, work: Path) -> dict[str, tuple[dict[str, Any], Check]]:
    """fault -> (its params, a check returning what leaked or None)."""
    admin = stack.params()["proxy_admin"]
    fill_dir, victim = work / "fill", work / "victim.txt"
    fill_dir.mkdir(exist_ok=True)

    def no_toxics() -> str | None:
        with urllib.request.urlopen(admin + "/routes") as response:
            left = {n: r["toxics"] for n, r in json.load(response).items() if r["toxics"]}
        return f"proxy toxics left: {left}" if left else None

    def no_stressors() -> str | None:
        left = []
        for proc in psutil.process_iter(["pid"]):
            try:
                if TOKEN_VARIABLE in proc.environ():
                    left.append(proc.pid)
            except psutil.Error:
                continue
        return f"stressors left: {left}" if left else None

    def frontend_running() -> str | None:
        status = psutil.Process(programs(stack)["frontend"]["pid"]).status()
        return None if status != psutil.STATUS_STOPPED else "front end still paused"

    def fill_removed() -> str | None:
        return f"fill files left: {list(fill_dir.iterdir())}" if list(fill_dir.iterdir()) else None

    def victim_back() -> str | None:
        ok = victim.exists() and victim.read_text() == "precious\n"
        return None if ok else "deleted file not restored"

    def running(*names: str) -> Check:
        def check() -> str | None:
            def all_up() -> bool:
                return all(programs(stack)[n]["statename"] == "RUNNING" for n in names)

            return None if wait_until(all_up, 10, 0.1) else f"not running: {names}"

        return check

    victim.write_text("precious\n")
    return {
        "process-pause": ({"service": "frontend"}, frontend_running),
        "latency": ({"admin": admin, "route": "frontend", "delay": "100ms"}, no_toxics),
        "http-error": ({"admin": admin, "route": "frontend", "ratio": "50%"}, no_toxics),
        "cpu-stress": ({"workers": 1, "load": "20%", "max_duration": "2m"}, no_stressors),
        "memory-stress": ({"size": "32MiB", "max_duration": "2m"}, no_stressors),
        "disk-fill": ({"path": str(fill_dir), "size": "4MiB"}, fill_removed),
        "file-delete": ({"path": str(victim)}, victim_back),
        "dependency-outage": ({"service": "store"}, running("store")),
        "process-kill": ({"service": "web:*", "count": 1}, running("web-1", "web-2")),
    }


def start(
    stack: DemoStack, reports: Path, fault: str, params: dict[str, Any], env: dict[str, str]
) -> subprocess.Popen[str]:
    p = stack.params()
    argv = [
        GAMEDAY,
        "run",
        str(DATA / "local" / "crash.yaml"),
        "--reports",
        str(reports),
        "--set",
        f"frontend_port={stack.ports['public']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
        "--set",
        f"fault={fault}",
        "--set",
        f"fault_params={json.dumps(params)}",
    ]
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def journal(reports: Path) -> list[dict[str, Any]]:
    found = list(reports.glob("crash/*/journal.jsonl"))
    if not found:
        return []
    return [json.loads(line) for line in found[0].read_text().splitlines() if line.endswith("}")]


def in_observe(reports: Path) -> bool:
    return any(r["type"] == "phase" and r.get("phase") == "observe" for r in journal(reports))


def reach_observe(
    proc: subprocess.Popen[str], observing: Callable[[], bool], timeout: float
) -> None:
    """Waits for the runner to enter observe; if it ends first, fails with its output."""
    reached = wait_until(lambda: observing() or proc.poll() is not None, timeout, 0.02)
    if not (reached and observing()):
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the runner never reached observe:\n{out[-2000:]}\n{err[-2000:]}")


def test_sigkill_at_every_boundary_then_recover_leaks_nothing(
    stack: DemoStack, tmp_path: Path
) -> None:
    rows, leaks = [], []
    for fault, (params, check) in faults(stack, tmp_path).items():
        for point in CRASH_POINTS:
            reports = tmp_path / f"{fault}-{point.replace(':', '-')}"
            env = {} if point == "mid-observe" else {CRASH_AFTER: point}
            proc = start(stack, reports, fault, params, env)
            if point == "mid-observe":
                reach_observe(proc, functools.partial(in_observe, reports), 30)
                time.sleep(0.7)
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
            assert proc.returncode == -signal.SIGKILL, (fault, point, proc.returncode)
            (run_dir,) = reports.glob("crash/*")
            first = gameday("recover", str(run_dir))
            second = gameday("recover", str(run_dir))
            leak = check()
            reverted = first.stdout.count("reverted")
            rows.append(
                f"{fault:18} {point:20} reverted {reverted}  second run: "
                f"{'clean' if 'nothing left injected' in second.stdout and second.returncode == 0 else 'NOT CLEAN'}"
                f"  {'LEAK: ' + leak if leak else 'clean'}"
            )
            if (
                leak
                or first.returncode != 0
                or second.returncode != 0
                or "reverted" in second.stdout
            ):
                leaks.append(rows[-1] + f"\n{first.stdout}{first.stderr}")
    print("\ncrash matrix (runner SIGKILLed at each point, then `gameday recover` twice):")
    print("\n".join(rows))
    print(f"cases tried: {len(rows)}, faults leaked: {len(leaks)}")
    assert leaks == [], "\n".join(leaks)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_interrupts_during_observe_leak_nothing_without_recover(
    stack: DemoStack, tmp_path: Path, sig: int
) -> None:
    leaks = []
    for fault, (params, check) in faults(stack, tmp_path).items():
        reports = tmp_path / f"{fault}-{sig}"
        proc = start(stack, reports, fault, params, {})
        reach_observe(proc, functools.partial(in_observe, reports), 30)
        time.sleep(0.5)
        proc.send_signal(sig)
        proc.communicate(timeout=60)
        leak = check()
        if proc.returncode != 130 or leak:
            leaks.append(f"{fault}: exit {proc.returncode}, {leak or 'clean'}")
    print(
        f"\n{signal.Signals(sig).name} during observe: {len(faults(stack, tmp_path))} faults, leaked: {len(leaks)}"
    )
    assert leaks == []


def test_the_checks_see_a_leak_when_nothing_recovers(stack: DemoStack, tmp_path: Path) -> None:
    """Negative control: without `gameday recover`, a crash after injection leaks."""
    table = faults(stack, tmp_path)
    for fault in ("process-pause", "latency", "disk-fill", "cpu-stress"):
        params, check = table[fault]
        reports = tmp_path / f"control-{fault}"
        start(stack, reports, fault, params, {CRASH_AFTER: "injection-applied"}).communicate(
            timeout=60
        )
        assert check() is not None, f"{fault}: the check did not notice the fault still injected"
        (run_dir,) = reports.glob("crash/*")
        assert gameday("recover", str(run_dir)).returncode == 0
        assert check() is None


def test_a_second_runner_on_the_same_target_is_refused(stack: DemoStack, tmp_path: Path) -> None:
    first = start(
        stack,
        tmp_path / "first",
        "latency",
        {"admin": stack.params()["proxy_admin"], "route": "frontend", "delay": "10ms"},
        {},
    )
    assert wait_until(lambda: in_observe(tmp_path / "first"), 30, 0.02)
    p = stack.params()
    second = gameday(
        "run",
        str(DATA / "local" / "crash.yaml"),
        "--reports",
        str(tmp_path / "second"),
        "--set",
        f"frontend_port={stack.ports['public']}",
        "--set",
        f"supervisor_url={p['supervisor_url']}",
    )
    assert second.returncode == 3, second.stderr[-1000:]
    assert "the target is locked by gameday pid" in second.stdout
    first.communicate(timeout=60)
    assert first.returncode == 0
