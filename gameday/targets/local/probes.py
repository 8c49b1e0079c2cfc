"""Probes that measure from this machine: http, tcp, command and process count."""

from __future__ import annotations

import base64
import re
import socket
import subprocess
import time
import urllib.parse
from typing import Any, ClassVar

from pydantic import Field

from gameday.plugins.protocols import Sample
from gameday.spec.base import PluginParams
from gameday.spec.formats import HttpUrl
from gameday.spec.units import Duration
from gameday.targets.local import httpwire
from gameday.targets.local.selector import ProcessSelector, select_processes


class HttpParams(PluginParams):
    url: HttpUrl = Field(description="URL to request (`HOST:PORT/path` means http).")
    method: str = "GET"
    timeout: Duration = Field(1.0, description="Per-request timeout, seconds.")
    expect_status: list[int] = Field([200], description="Statuses that count as success.")
    body_contains: str | None = None
    headers: dict[str, str] = {}
    reuse_connection: bool = Field(
        False,
        description="Keep one connection open across samples (HTTP keep-alive): about a "
        "third of the CPU per sample. Off by default: a new connection per sample also "
        "sees a backend that refuses new connections, which a kept one can hide. A failed "
        "sample always drops the connection, so the next one connects afresh.",
    )


class HttpProbe:
    """By default one fresh connection per request, so a dead backend is not hidden by
    keep-alive; `reuse_connection` keeps one open (cheaper at high rates)."""

    name: ClassVar[str] = "http"

    def read_only(self, params: HttpParams) -> bool:
        return params.method.upper() in ("GET", "HEAD", "OPTIONS")

    Params: ClassVar[type[HttpParams]] = HttpParams

    def open(self, params: HttpParams, target: object, every: float) -> HttpSession:
        return HttpSession(params)


class HttpSession:
    def __init__(self, params: HttpParams):
        self.params = params
        url = urllib.parse.urlsplit(params.url)
        self.tls = httpwire.tls_context() if url.scheme == "https" else None
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or (443 if self.tls else 80)
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        headers = dict(params.headers)
        if url.username is not None and "Authorization" not in headers:
            credentials = (
                f"{urllib.parse.unquote(url.username)}:{urllib.parse.unquote(url.password or '')}"
            )
            headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        self.head_only = params.method.upper() == "HEAD"
        self.request = b""
        self.invalid = ""
        try:
            self.request = httpwire.request_bytes(
                params.method, self.host, self.port, 443 if self.tls else 80, path, headers
            )
        except ValueError as exc:  # a failed sample each time, not a crashed probe
            self.invalid = str(exc)
        self._sock: socket.socket | None = None

    def sample(self, t: float) -> Sample:
        p = self.params
        if self.invalid:
            return Sample(t, False, 0.0, None, self.invalid)
        start = time.monotonic()
        deadline = start + p.timeout
        sock, kept = self._sock, False
        try:
            if sock is None:
                sock = httpwire.connect(self.host, self.port, self.tls, deadline)
            answer = httpwire.exchange(sock, self.request, self.head_only, deadline)
            latency = time.monotonic() - start
            if latency >= p.timeout:
                raise TimeoutError
            ok = answer.status in p.expect_status and (
                p.body_contains is None or p.body_contains.encode() in answer.body
            )
            kept = ok and p.reuse_connection and not answer.will_close
            return Sample(t, ok, latency, float(answer.status), f"HTTP {answer.status}")
        except (OSError, httpwire.BadAnswer) as exc:
            took = time.monotonic() - start
            if took >= p.timeout:  # cut off at the deadline, whatever it raised
                return Sample(t, False, took, None, f"no complete answer within {p.timeout:g}s")
            return Sample(t, False, took, None, _short(exc))
        finally:
            self._sock = sock if kept else None
            if not kept and sock is not None:
                sock.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class TcpParams(PluginParams):
    host: str = Field(
        "127.0.0.1",
        # a name or an IP address; `host:port` is refused here rather than by connect()
        pattern=r"^([A-Za-z0-9_.-]+|\[?([0-9A-Fa-f]{0,4}:){2,}[0-9A-Fa-f.]*\]?)$",
        description="Host name or IP address (the port goes in `port`).",
    )
    port: int = Field(ge=1, le=65535)
    timeout: Duration = 1.0


class TcpProbe:
    name: ClassVar[str] = "tcp"

    def read_only(self, params: TcpParams) -> bool:
        return True

    Params: ClassVar[type[TcpParams]] = TcpParams

    def open(self, params: TcpParams, target: object, every: float) -> TcpSession:
        return TcpSession(params)


class TcpSession:
    def __init__(self, params: TcpParams):
        self.params = params

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        try:
            with socket.create_connection(
                (self.params.host, self.params.port), self.params.timeout
            ):
                return Sample(t, True, time.monotonic() - start)
        except OSError as exc:
            return Sample(t, False, time.monotonic() - start, None, _short(exc))

    def close(self) -> None:
        pass


class CommandParams(PluginParams):
    argv: list[str] = Field(min_length=1, description="Program and arguments (no shell).")
    expect_exit: int = 0
    output_contains: str | None = None
    value_pattern: str | None = Field(
        None, description="Regex whose first group in stdout is the sample's numeric value."
    )
    timeout: Duration = 5.0


class CommandProbe:
    name: ClassVar[str] = "command"

    def read_only(self, params: CommandParams) -> bool:
        return False  # it runs a program: anything may happen

    Params: ClassVar[type[CommandParams]] = CommandParams

    def open(self, params: CommandParams, target: object, every: float) -> CommandSession:
        return CommandSession(params)


class CommandSession:
    def __init__(self, params: CommandParams):
        self.params = params

    def sample(self, t: float) -> Sample:
        p = self.params
        start = time.monotonic()
        try:
            done = subprocess.run(
                p.argv, capture_output=True, text=True, timeout=p.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return Sample(t, False, time.monotonic() - start, None, _short(exc))
        ok = done.returncode == p.expect_exit and (
            p.output_contains is None or p.output_contains in done.stdout
        )
        value = None
        if p.value_pattern and (match := re.search(p.value_pattern, done.stdout)):
            try:
                value = float(match.group(1))
            except (ValueError, IndexError):
                ok = False
        return Sample(t, ok, time.monotonic() - start, value, f"exit {done.returncode}")

    def close(self) -> None:
        pass


class ProcessParams(ProcessSelector):
    min_count: int = Field(1, ge=0, description="Success when at least this many match.")


class ProcessProbe:
    """Counts matching processes (the value); succeeds while at least `min_count` run."""

    name: ClassVar[str] = "process"

    def read_only(self, params: ProcessParams) -> bool:
        return True

    Params: ClassVar[type[ProcessParams]] = ProcessParams

    def open(self, params: ProcessParams, target: Any, every: float) -> ProcessSession:
        return ProcessSession(params, target)


class ProcessSession:
    def __init__(self, params: ProcessParams, target: Any):
        self.params, self.target = params, target

    def sample(self, t: float) -> Sample:
        start = time.monotonic()
        found = select_processes(self.params, self.target)
        ok = len(found) >= self.params.min_count
        pids = ",".join(str(p.pid) for p in found)
        return Sample(
            t, ok, time.monotonic() - start, float(len(found)), f"{len(found)} running: {pids}"
        )

    def close(self) -> None:
        pass


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text[:120]
