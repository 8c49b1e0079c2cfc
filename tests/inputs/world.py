"""A snapshot of what a run could change on this machine, to compare before and after:
files under chosen directories (content hashes), the demo stack's process tree (pid,
start time, state), their listening sockets, supervisord's view of its programs and
the fault proxy's toxics."""

from __future__ import annotations

import hashlib
import json
import os
import urllib.request
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import psutil

from gameday.demo.stack import DemoStack

IGNORED = ("logs", "supervisord.log", "supervisord.out")
"""Stack files that change on their own (service and supervisor logs)."""


@dataclass(frozen=True)
class World:
    files: dict[str, str]
    processes: frozenset[tuple[int, float, str, str]]
    listening: frozenset[tuple[str, int, int]]
    programs: frozenset[tuple[str, str, int]]
    toxics: str

    def differences(self, other: World) -> list[str]:
        found = []
        for name in ("files", "processes", "listening", "programs", "toxics"):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                found.append(f"{name}: before {_show(mine, theirs)} after {_show(theirs, mine)}")
        return found


def _show(value: Any, other: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if other.get(k) != v}
    if isinstance(value, frozenset):
        return sorted(value - other)
    return value


def files_under(*roots: Path) -> dict[str, str]:
    """Every entry under `roots`: directories by mode, regular files by mode and hash."""
    found: dict[str, str] = {}
    for root in roots:
        if not root.exists():
            found[str(root)] = "absent"
            continue
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in IGNORED]
            found[folder] = f"dir {os.stat(folder).st_mode:o}"
            for name in names:
                if name in IGNORED:
                    continue
                path = Path(folder) / name
                try:
                    digest = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    digest = "unreadable"
                found[str(path)] = f"{path.stat().st_mode:o} {digest}"
    return found


def stack_sets(stack: DemoStack, path: Path) -> list[str]:
    """`--set` arguments pointing `path` at the demo stack: only the params it takes
    (unknown ones are refused); a file too broken to say takes none."""
    from gameday.declared import taken_by

    try:
        taken = taken_by(path, stack.params())
    except Exception:  # the run itself reports what is wrong with the file
        taken = {}
    return [f"--set={k}={v}" for k, v in taken.items()]


def settle(stack: DemoStack) -> None:
    """Take the store's periodic backup now, so its timer cannot change a file between
    two snapshots while the data stays the same (the backup is then a copy of it)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.ports['store']}/admin/backup", method="POST", data=b""
    )
    with urllib.request.urlopen(request, timeout=5):
        pass


def snapshot(stack: DemoStack, *roots: Path) -> World:
    assert stack.process is not None
    top = psutil.Process(stack.process.pid)
    procs = [top, *top.children(recursive=True)]
    processes = set()
    pids = set()
    for proc in procs:
        try:
            processes.add((proc.pid, proc.create_time(), proc.status(), " ".join(proc.cmdline())))
            pids.add(proc.pid)
        except psutil.NoSuchProcess:
            continue
    listening = {
        (c.laddr.ip, c.laddr.port, c.pid or 0)
        for c in psutil.net_connections("inet")
        if c.status == psutil.CONN_LISTEN
        and c.laddr  # a listening socket has an address (psutil types it as maybe empty)
        and (c.pid in pids or c.laddr.port in stack.ports.values())
    }
    rpc = xmlrpc.client.ServerProxy(stack.supervisor_url)
    infos = cast("list[dict[str, Any]]", rpc.supervisor.getAllProcessInfo())  # XML-RPC structs
    programs = {(f"{i['group']}:{i['name']}", i["statename"], i["pid"]) for i in infos}
    admin = f"http://127.0.0.1:{stack.ports['proxy_admin']}/routes"
    with urllib.request.urlopen(admin, timeout=5) as response:
        toxics = json.dumps(json.load(response), sort_keys=True)
    return World(
        files_under(stack.root, *roots),
        frozenset(processes),
        frozenset(listening),
        frozenset(programs),
        toxics,
    )
