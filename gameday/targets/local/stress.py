"""`cpu-stress` and `memory-stress`: stress-ng when installed, else a Python worker.

The stressor runs in its own process group with its own timeout, a dead-man's switch:
even if the runner is killed before it can revert, the stress ends by itself.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import uuid
from typing import Any, ClassVar

import psutil
from pydantic import Field

from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams
from gameday.spec.units import Duration, Ratio, Size

TOKEN_VARIABLE = "GAMEDAY_INJECTION"
_started: dict[str, subprocess.Popen[bytes]] = {}
"""Stressors this process started, by token (a crashed runner's are found by token alone)."""


class StressParams(PluginParams):
    max_duration: Duration = Field(
        600.0, description="The stressor exits by itself after this many seconds, whatever happens."
    )
    engine: str = Field(
        "auto", pattern="^(auto|stress-ng|python)$", description="auto, stress-ng or python."
    )


class CpuStressParams(StressParams):
    workers: int = Field(1, ge=1, le=256, description="CPU workers.")
    load: Ratio = Field(1.0, description="Load per worker, e.g. 80%.")


class MemoryStressParams(StressParams):
    size: Size = Field(description="Memory to hold, e.g. 256MiB.")


def _engine(params: StressParams) -> str:
    if params.engine == "auto":
        return "stress-ng" if shutil.which("stress-ng") else "python"
    return params.engine


class _Stress:
    name: ClassVar[str]
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = False
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.HOST, "host")

    def argv(self, params: Any, engine: str) -> list[str]:
        raise NotImplementedError

    def select(self, params: StressParams, target: object) -> Injection:
        engine = _engine(params)
        token = uuid.uuid4().hex
        return Injection(
            self.name,
            (f"host:{os.uname().nodename}",),
            undo={"argv": self.argv(params, engine), "token": token},
            evidence={"engine": engine},
        )

    def inject(self, injection: Injection, params: StressParams, target: object) -> Injection:
        # The token in the stressor's environment finds it again even if the runner dies
        # before journaling its PID (`gameday recover` reads only the planned record).
        _started[injection.undo["token"]] = subprocess.Popen(
            injection.undo["argv"],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, TOKEN_VARIABLE: injection.undo["token"]},
        )
        return injection

    def confirm(self, injection: Injection, params: StressParams, target: object) -> Landing:
        """A stressor process carrying this injection's token is alive (not exited)."""
        token = str(injection.undo.get("token"))
        started = _started.get(token)
        pids = _by_token(token)
        engine = injection.evidence.get("engine")
        if started is not None and started.poll() is not None:
            return Landing(
                False,
                f"the {engine} stressor exited at once with code {started.returncode}",
                {"pids": pids},
            )
        if not pids:
            return Landing(False, f"no {engine} stressor process carries the injection token")
        return Landing(
            True, f"{engine} stressor alive: PIDs {', '.join(map(str, pids))}", {"pids": pids}
        )

    def revert(self, injection: Injection, target: object) -> None:
        token = str(injection.undo.get("token"))
        for proc in psutil.process_iter(["pid"]):
            with contextlib.suppress(psutil.Error):
                if proc.environ().get(TOKEN_VARIABLE) == token:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
        started = _started.pop(token, None)
        if started is not None:  # reap it, so it does not linger as a zombie
            started.wait(timeout=5)


def _by_token(token: str) -> list[int]:
    """PIDs of live (non-zombie) processes whose environment carries the token."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error):
            if (
                proc.environ().get(TOKEN_VARIABLE) == token
                and proc.status() != psutil.STATUS_ZOMBIE
            ):
                found.append(proc.pid)
    return found


def _stress_ng(params: StressParams, *stressor: str) -> list[str]:
    return ["stress-ng", *stressor, "--timeout", f"{int(params.max_duration)}s", "--quiet"]


def _python_worker(params: StressParams, mode: str, amount: object, load: object) -> list[str]:
    worker = "gameday.targets.local.stress_worker"
    return [sys.executable, "-m", worker, mode, str(amount), str(load), str(params.max_duration)]


class CpuStress(_Stress):
    name: ClassVar[str] = "cpu-stress"
    Params: ClassVar[type[CpuStressParams]] = CpuStressParams

    def argv(self, params: CpuStressParams, engine: str) -> list[str]:
        if engine == "stress-ng":
            load = str(round(params.load * 100))
            return _stress_ng(params, "--cpu", str(params.workers), "--cpu-load", load)
        return _python_worker(params, "cpu", params.workers, params.load)


class MemoryStress(_Stress):
    name: ClassVar[str] = "memory-stress"
    Params: ClassVar[type[MemoryStressParams]] = MemoryStressParams

    def argv(self, params: MemoryStressParams, engine: str) -> list[str]:
        if engine == "stress-ng":
            return _stress_ng(params, "--vm", "1", "--vm-bytes", str(int(params.size)), "--vm-keep")
        return _python_worker(params, "memory", int(params.size), 1)
