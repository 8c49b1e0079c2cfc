"""Which local processes a fault or probe means: by cmdline pattern, name, pid file,
listening port, or a program of a supervisord (the demo stack's services)."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pydantic import Field, model_validator

from gameday.errors import TargetError
from gameday.spec.base import PluginParams, exactly_one

if TYPE_CHECKING:
    from gameday.targets.local.target import LocalSession

SELECTOR_KEYS = ("pattern", "name", "pid_file", "port", "service")


class ProcessSelector(PluginParams):
    """Exactly one of the selector keys names the processes."""

    schema_rules = (exactly_one(*SELECTOR_KEYS),)
    target_needs = {"service": "supervisor"}

    pattern: str | None = Field(
        None, description="Regular expression searched in the command line."
    )
    name: str | None = Field(None, description="Exact process name.")
    pid_file: str | None = Field(
        None,
        description="File whose first line is a PID (PostgreSQL's postmaster.pid, "
        "a daemon's .pid file).",
    )
    port: int | None = Field(None, ge=1, le=65535, description="TCP port the process listens on.")
    service: str | None = Field(
        None, description="supervisord program name or glob (`web-*`), via the target's supervisor."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ProcessSelector:
        given = [k for k in SELECTOR_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "select processes with exactly one of: "
                + ", ".join(f"`{k}`" for k in SELECTOR_KEYS)
            )
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"`pattern` is not a valid regular expression: {exc}") from None
        return self

    def describe(self) -> str:
        key = next(k for k in SELECTOR_KEYS if getattr(self, k) is not None)
        return f"{key}={getattr(self, key)}"


@dataclass(frozen=True)
class Proc:
    pid: int
    name: str
    create_time: float

    @property
    def ref(self) -> str:
        return f"pid:{self.pid} {self.name}"


def select_processes(selector: ProcessSelector, session: LocalSession) -> list[Proc]:
    """Matching live processes, never the runner itself or its ancestors."""
    labels: dict[int, str] = {}
    if selector.service is not None:
        labels = session.supervisor_pids(selector.service)
        pids = list(labels)
    elif selector.pid_file is not None:
        pids = _pid_from_file(selector.pid_file)
    elif selector.port is not None:
        pids = _listening_pids(selector.port)
    else:
        pids = _scan(selector)
    import psutil

    protected = _runner_lineage()
    found = []
    for pid in sorted(set(pids) - protected):
        try:
            proc = psutil.Process(pid)
            found.append(Proc(pid, labels.get(pid) or proc.name(), proc.create_time()))
        except psutil.Error:
            continue
    return found


def _scan(selector: ProcessSelector) -> list[int]:
    import psutil

    regex = re.compile(selector.pattern) if selector.pattern else None
    pids = []
    for proc in psutil.process_iter(["pid", "name", "cmdline"]):
        info = proc.info
        by_name = selector.name is not None and info["name"] == selector.name
        by_cmdline = regex is not None and regex.search(" ".join(info["cmdline"] or []))
        if by_name or by_cmdline:
            pids.append(info["pid"])
    return pids


def _pid_from_file(path: str) -> list[int]:
    """The PID on the file's first line. Real pid files carry more: PostgreSQL's
    postmaster.pid continues with the data directory, start time, port and socket."""
    try:
        with open(path) as handle:
            first = handle.readline(200).strip()
    except OSError as exc:
        raise TargetError(
            f"cannot read pid file {path}: {exc.strerror}", hint="check `pid_file`"
        ) from None
    if not first.isdigit() or int(first) <= 0:
        raise TargetError(
            f"pid file {path} does not start with a PID: {first[:40]!r}",
            hint="its first line must be the process ID",
        )
    return [int(first)]


def _listening_pids(port: int) -> list[int]:
    import psutil

    return [
        c.pid
        for c in psutil.net_connections(kind="tcp")
        if c.status == psutil.CONN_LISTEN and c.laddr and c.laddr.port == port and c.pid
    ]


def _runner_lineage() -> set[int]:
    import psutil

    me = psutil.Process(os.getpid())
    return {me.pid, *(p.pid for p in me.parents())}


def match_programs(names: list[str], pattern: str) -> list[str]:
    return [n for n in names if fnmatch.fnmatchcase(n, pattern)]
