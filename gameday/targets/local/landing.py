"""Evidence, read back from the machine, that a local fault took effect (`confirm`).

Each check looks at the target itself rather than trusting what `inject` did: a killed
PID is gone, a paused process is in state T, a stopped program is stopped *and* its
port refuses connections. Effects that take a moment (a signalled process exiting) are
polled for at most CONFIRM_WITHIN seconds.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterable

CONFIRM_WITHIN = 3.0
"""Seconds a fault's effect may take to show before it counts as not landed."""
POLL = 0.05


def settle(check: Callable[[], bool]) -> bool:
    """`check()` became true within CONFIRM_WITHIN seconds."""
    from gameday.execute.waiting import wait_until

    return check() or wait_until(check, CONFIRM_WITHIN, POLL)


def alive(pid: int, create_time: float) -> bool:
    """The process we recorded still exists and has not exited (a zombie has exited)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return (
            abs(proc.create_time() - create_time) < 0.01 and proc.status() != psutil.STATUS_ZOMBIE
        )
    except psutil.Error:
        return False


def stopped(pid: int, create_time: float) -> bool:
    """The process is still ours and in state T (stopped by a signal)."""
    import psutil

    try:
        proc = psutil.Process(pid)
        return (
            abs(proc.create_time() - create_time) < 0.01 and proc.status() == psutil.STATUS_STOPPED
        )
    except psutil.Error:
        return False


def listening(pid: int) -> list[tuple[str, int]]:
    """TCP (host, port) pairs a process and its children listen on."""
    import psutil

    found: list[tuple[str, int]] = []
    with contextlib.suppress(psutil.Error):
        proc = psutil.Process(pid)
        for each in (proc, *proc.children(recursive=True)):
            with contextlib.suppress(psutil.Error):
                found += [
                    (c.laddr.ip, c.laddr.port)
                    for c in each.net_connections(kind="tcp")
                    if c.status == psutil.CONN_LISTEN
                ]
    return sorted(set(found))


def refuses(host: str, port: int) -> bool:
    """Nothing accepts connections on (host, port)."""
    connect_to = "127.0.0.1" if host in ("0.0.0.0", "") else ("::1" if host == "::" else host)
    try:
        with socket.create_connection((connect_to, port), timeout=0.5):
            return False
    except OSError:
        return True


def ports_text(ports: Iterable[tuple[str, int]]) -> str:
    return ", ".join(f"{h}:{p}" for h, p in ports) or "none"
