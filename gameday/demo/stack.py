"""Starts and stops the demo system under a real supervisord, leaving nothing behind.

Every file lives in one temporary directory, every port is on 127.0.0.1, and `stop()`
checks that no process it started survives.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from gameday.errors import TargetError
from gameday.execute.waiting import wait_until

SERVICES = ("store", "web-1", "web-2", "frontend", "faultproxy")
BACKUP_EVERY = 3.0
"""Seconds between the store's backups: the demo's built-in RPO."""


def free_ports(count: int) -> list[int]:
    sockets = []
    for _ in range(count):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        sockets.append(s)
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@dataclass
class DemoStack:
    root: Path
    ports: dict[str, int]
    process: subprocess.Popen[bytes] | None = None
    children: set[int] = field(default_factory=set)

    @property
    def supervisor_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['supervisor']}/RPC2"

    def params(self) -> dict[str, Any]:
        """Parameters the demo scenarios take (`--set` these to run them by hand)."""
        return {
            "frontend_url": f"http://127.0.0.1:{self.ports['public']}/",
            "records_url": f"http://127.0.0.1:{self.ports['public']}/records",
            "store_url": f"http://127.0.0.1:{self.ports['store']}",
            "supervisor_url": self.supervisor_url,
            "proxy_admin": f"http://127.0.0.1:{self.ports['proxy_admin']}",
            "data_file": str(self.root / "data" / "data.jsonl"),
        }

    def metrics_targets(self) -> dict[str, list[str]]:
        """Prometheus scrape targets (`/metrics`) by job: store, web, frontend."""
        p = self.ports
        return {
            "store": [f"127.0.0.1:{p['store']}"],
            "web": [f"127.0.0.1:{p['web-1']}", f"127.0.0.1:{p['web-2']}"],
            "frontend": [f"127.0.0.1:{p['frontend']}"],
        }

    @classmethod
    def start(cls, timeout: float = 30.0) -> DemoStack:
        root = Path(tempfile.mkdtemp(prefix="gameday-demo-"))
        names = [
            "supervisor",
            "store",
            "store_proxy",
            "web-1",
            "web-2",
            "frontend",
            "public",
            "proxy_admin",
        ]
        stack = cls(root, dict(zip(names, free_ports(len(names)), strict=True)))
        conf = root / "supervisord.conf"
        conf.write_text(stack._config())
        (root / "logs").mkdir()
        log = open(root / "supervisord.out", "wb")  # noqa: SIM115 (owned by the child)
        stack.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(conf)],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if not wait_until(stack._ready, timeout, 0.2):
            output = (root / "supervisord.out").read_text(errors="replace")[-2000:]
            stack.stop()
            raise TargetError(f"demo stack did not become ready in {timeout:g}s", context=output)
        return stack

    def _config(self) -> str:
        p, py, root = self.ports, sys.executable, self.root
        mod = f"{py} -m gameday.demo.services"
        programs = {
            "store": f"{mod} store --port {p['store']} --data {root}/data --backup-every {BACKUP_EVERY}",
            "web-1": f"{mod} web --port {p['web-1']} --name web-1 --store http://127.0.0.1:{p['store_proxy']}",
            "web-2": f"{mod} web --port {p['web-2']} --name web-2 --store http://127.0.0.1:{p['store_proxy']}",
            "frontend": f"{mod} frontend --port {p['frontend']} "
            f"--upstream http://127.0.0.1:{p['web-1']} --upstream http://127.0.0.1:{p['web-2']}",
            "faultproxy": f"{py} -m gameday proxy --admin 127.0.0.1:{p['proxy_admin']} "
            f"--route frontend={p['public']}:127.0.0.1:{p['frontend']} "
            f"--route store={p['store_proxy']}:127.0.0.1:{p['store']}",
        }
        text = [
            "[supervisord]",
            f"logfile={root}/supervisord.log",
            f"pidfile={root}/supervisord.pid",
            f"childlogdir={root}/logs",
            "loglevel=warn",
            "",
            "[inet_http_server]",
            f"port=127.0.0.1:{p['supervisor']}",
            "",
            "[rpcinterface:supervisor]",
            "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
            "",
            "[group:web]",
            "programs=web-1,web-2",
            "",
        ]
        for name, command in programs.items():
            text += [
                f"[program:{name}]",
                f"command={command}",
                "autorestart=true",
                "startsecs=0",
                "startretries=100",
                "stopwaitsecs=3",
                f"stdout_logfile={root}/logs/{name}.log",
                "redirect_stderr=true",
                "",
            ]
        return "\n".join(text)

    def rpc(self) -> Any:
        return xmlrpc.client.ServerProxy(self.supervisor_url)

    def _ready(self) -> bool:
        try:
            infos = self.rpc().supervisor.getAllProcessInfo()
            self.children |= {i["pid"] for i in infos if i["pid"]}
            if len(infos) != len(SERVICES) or any(i["statename"] != "RUNNING" for i in infos):
                return False
            with urllib.request.urlopen(self.params()["frontend_url"], timeout=1) as response:
                return bool(response.status == 200)
        except (OSError, xmlrpc.client.Error):
            return False

    def stop(self) -> list[int]:
        """Stops everything; returns PIDs that had to be killed by force (ideally none)."""
        forced: list[int] = []
        if self.process is not None:
            with contextlib.suppress(OSError, xmlrpc.client.Error):
                self.children |= {
                    i["pid"] for i in self.rpc().supervisor.getAllProcessInfo() if i["pid"]
                }
                self.rpc().supervisor.shutdown()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                forced.append(self.process.pid)
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for pid in self.children:
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if proc.status() != psutil.STATUS_ZOMBIE:
                    forced.append(pid)
                    proc.kill()
        shutil.rmtree(self.root, ignore_errors=True)
        time.sleep(0)  # let the kernel reap before callers check ports
        return forced
