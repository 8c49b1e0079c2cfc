"""Process faults on the local target: kill, pause, and stopping a backing service."""

from __future__ import annotations

import contextlib
import math
import os
import signal
from typing import Any, ClassVar, Literal

from pydantic import Field, model_validator

from gameday.errors import RefusedError, TargetError, TransientError
from gameday.plugins.protocols import Injection, Landing, Reach, Touches
from gameday.spec.base import PluginParams, at_most_one
from gameday.spec.units import Ratio
from gameday.targets.local.landing import alive, listening, ports_text, refuses, settle, stopped
from gameday.targets.local.selector import Proc, ProcessSelector, select_processes
from gameday.targets.local.target import LocalSession


class CountedSelector(ProcessSelector):
    """A selector plus how many of its matches to hit (default: one)."""

    schema_rules = (at_most_one("count", "percent"),)

    count: int | None = Field(None, ge=1, description="Hit this many matches.")
    percent: Ratio | None = Field(None, description="Hit this fraction of matches (rounded up).")

    @model_validator(mode="after")
    def _count_or_percent(self) -> CountedSelector:
        if self.count is not None and self.percent is not None:
            raise ValueError("give `count` or `percent`, not both")
        return self


def pick(matches: list[Proc], params: CountedSelector) -> list[Proc]:
    """The first N matches by PID (deterministic, so a plan shows what a run touches)."""
    if params.percent is not None:
        return matches[: math.ceil(len(matches) * params.percent)]
    return matches[: params.count or 1]


def still_same(pid: int, create_time: float) -> bool:
    """True if `pid` is still the process we recorded (PIDs get reused)."""
    import psutil

    try:
        return abs(psutil.Process(pid).create_time() - create_time) < 0.01
    except psutil.Error:
        return False


class ProcessKillParams(CountedSelector):
    signal: Literal["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP"] = "SIGKILL"


class ProcessKill:
    """Sends a signal to matching processes. Irreversible: recovery is the supervisor's job."""

    name: ClassVar[str] = "process-kill"
    Params: ClassVar[type[ProcessKillParams]] = ProcessKillParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = False
    reach: ClassVar[Reach] = Reach(Touches.PROCESSES, "process")

    def select(self, params: ProcessKillParams, target: LocalSession) -> Injection:
        matches = select_processes(params, target)
        chosen = pick(matches, params)
        return Injection(
            self.name,
            tuple(p.ref for p in chosen),
            undo={"processes": [[p.pid, p.create_time] for p in chosen]},
            evidence={"selector": params.describe(), "signal": params.signal},
            matched=len(matches),
        )

    def inject(
        self, injection: Injection, params: ProcessKillParams, target: LocalSession
    ) -> Injection:
        signum = signal.Signals[params.signal]
        hit = []
        for pid, created in injection.undo["processes"]:
            if still_same(pid, created):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signum)
                    hit.append(pid)
        return Injection(
            self.name, injection.targets, injection.undo, {**injection.evidence, "signalled": hit}
        )

    def confirm(
        self, injection: Injection, params: ProcessKillParams, target: LocalSession
    ) -> Landing:
        """Every signalled PID has exited (a supervisor may already have replaced it)."""
        signalled = set(injection.evidence.get("signalled", []))
        hit = [(pid, created) for pid, created in injection.undo["processes"] if pid in signalled]
        if not hit:
            return Landing(False, "no process was signalled: each had exited or its PID was reused")
        settle(lambda: not any(alive(pid, created) for pid, created in hit))
        left = [pid for pid, created in hit if alive(pid, created)]
        gone = [pid for pid, _ in hit if pid not in left]
        checked = f"PIDs {', '.join(map(str, gone)) or '-'} gone after {params.signal}"
        if left:
            checked += f"; PIDs {', '.join(map(str, left))} still running"
        return Landing(not left, checked, {"gone": gone, "still_running": left})

    def revert(self, injection: Injection, target: LocalSession) -> None:
        """Nothing to undo: a killed process is restarted by its supervisor, if any."""


class ProcessPause:
    """SIGSTOP on each matched process's group; SIGCONT on revert."""

    name: ClassVar[str] = "process-pause"
    Params: ClassVar[type[CountedSelector]] = CountedSelector
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.PROCESSES, "process")

    def select(self, params: CountedSelector, target: LocalSession) -> Injection:
        matches = select_processes(params, target)
        chosen = pick(matches, params)
        own_group = os.getpgrp()
        groups = []
        for proc in chosen:
            try:
                pgid = os.getpgid(proc.pid)
            except ProcessLookupError:
                continue
            if pgid == own_group:
                raise RefusedError(
                    f"{proc.ref} is in gameday's own process group; pausing it would pause the runner",
                    hint="start the service in its own session (setsid) or under a supervisor",
                )
            groups.append([pgid, proc.pid, proc.create_time])
        return Injection(
            self.name,
            tuple(p.ref for p in chosen),
            undo={"groups": groups},
            evidence={"selector": params.describe()},
            matched=len(matches),
        )

    def inject(
        self, injection: Injection, params: CountedSelector, target: LocalSession
    ) -> Injection:
        for pgid, pid, created in injection.undo["groups"]:
            if still_same(pid, created):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(pgid, signal.SIGSTOP)
        return injection

    def confirm(
        self, injection: Injection, params: CountedSelector, target: LocalSession
    ) -> Landing:
        """Every paused process is in state T (stopped)."""
        groups = injection.undo["groups"]
        if not groups:
            return Landing(False, "no process group was paused")
        settle(lambda: all(stopped(pid, created) for _, pid, created in groups))
        running = [pid for _, pid, created in groups if not stopped(pid, created)]
        paused = [pid for _, pid, _ in groups if pid not in running]
        checked = f"PIDs {', '.join(map(str, paused)) or '-'} in state T (stopped)"
        if running:
            checked += f"; PIDs {', '.join(map(str, running))} not stopped"
        return Landing(not running, checked, {"stopped": paused, "not_stopped": running})

    def revert(self, injection: Injection, target: LocalSession) -> None:
        for pgid, _pid, _created in injection.undo["groups"]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGCONT)


class DependencyOutageParams(PluginParams):
    target_needs = {"service": "supervisor"}

    service: str = Field(description="supervisord program name or glob of the backing service.")


class DependencyOutage:
    """Stops a backing service through the target's supervisor; starts it again on revert."""

    name: ClassVar[str] = "dependency-outage"
    Params: ClassVar[type[DependencyOutageParams]] = DependencyOutageParams
    target_kind: ClassVar[str] = "local"
    destructive: ClassVar[bool] = True
    reversible: ClassVar[bool] = True
    reach: ClassVar[Reach] = Reach(Touches.PROCESSES, "program")

    def select(self, params: DependencyOutageParams, target: LocalSession) -> Injection:
        running = {
            (i["group"] + ":" + i["name"]) if i["group"] != i["name"] else i["name"]
            for i in target.programs()
            if i["statename"] == "RUNNING"
        }
        names = [n for n in target.program_names(params.service) if n in running]
        pids = target.supervisor_pids(params.service)
        ports = {name: listening(pid) for pid, name in pids.items() if name in names}
        return Injection(
            self.name,
            tuple(f"program:{n}" for n in names),
            undo={"programs": names},
            evidence={"listening": {n: [list(p) for p in ports.get(n, [])] for n in names}},
            matched=len(names),
        )

    def inject(
        self, injection: Injection, params: DependencyOutageParams, target: LocalSession
    ) -> Injection:
        for name in injection.undo["programs"]:
            target.stop_program(name)
        return injection

    def confirm(
        self, injection: Injection, params: DependencyOutageParams, target: LocalSession
    ) -> Landing:
        """The supervisor says each program is stopped, and the ports it listened on
        before the fault refuse connections."""
        names = injection.undo["programs"]
        if not names:
            return Landing(False, "no program was stopped")
        ports = [
            (str(h), int(p))
            for n in names
            for h, p in injection.evidence.get("listening", {}).get(n, [])
        ]

        def down() -> bool:
            states = {_full(i): i["statename"] for i in target.programs()}
            return all(states.get(n) not in ("RUNNING", "STARTING") for n in names) and all(
                refuses(h, p) for h, p in ports
            )

        landed = settle(down)
        states = {_full(i): i["statename"] for i in target.programs()}
        open_ports = [(h, p) for h, p in ports if not refuses(h, p)]
        checked = "supervisor states " + ", ".join(f"{n} {states.get(n, '?')}" for n in names)
        checked += f"; ports that must refuse connections: {ports_text(ports)}"
        if not ports:
            checked += " (no listening port was seen before the fault)"
        if open_ports:
            checked += f"; still accepting: {ports_text(open_ports)}"
        return Landing(landed, checked, {"states": states, "open": open_ports})

    def revert(self, injection: Injection, target: LocalSession) -> None:
        failures = []
        for name in injection.undo["programs"]:
            try:
                target.start_program(name)
            except TransientError:
                raise  # supervisord unreachable or hung: the runner retries until its deadline
            except TargetError as exc:
                failures.append(exc.message)
        if failures:
            raise TargetError(
                "; ".join(failures), hint="start the program by hand: supervisorctl start"
            )


def _full(info: dict[str, Any]) -> str:
    group, name = info.get("group"), info["name"]
    return name if group in (None, name) else f"{group}:{name}"
