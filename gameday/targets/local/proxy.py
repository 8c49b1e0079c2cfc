"""A userspace TCP/HTTP fault proxy (this kernel has no netem).

Each route listens on a port and forwards to an upstream. An admin HTTP API adds and
removes *toxics* per route: added latency with jitter, HTTP error responses for a
ratio of connections, or connection resets. Toxics live in memory only, so a
restarted proxy is a clean one. Run it with `gameday proxy`.

Admin API (JSON):
  GET    /routes                            routes and their toxics
  PUT    /routes/{route}/toxics/{id}        add or replace a toxic
  DELETE /routes/{route}/toxics/{id}        remove it (idempotent)
  DELETE /toxics                            remove every toxic
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import random
import socket
import struct
from dataclasses import asdict, dataclass, field
from typing import Any

_HTTP_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    429: "Too Many Requests",
}


@dataclass
class Toxic:
    kind: str  # "latency" | "http-error" | "reset"
    delay: float = 0.0
    jitter: float = 0.0
    ratio: float = 1.0
    status: int = 503


@dataclass
class Route:
    name: str
    listen: int
    upstream_host: str
    upstream_port: int
    toxics: dict[str, Toxic] = field(default_factory=dict)

    def delay(self) -> float:
        total = 0.0
        for toxic in self.toxics.values():
            if toxic.kind == "latency":
                total += max(0.0, toxic.delay + random.uniform(-toxic.jitter, toxic.jitter))
        return total

    def failure(self) -> Toxic | None:
        for toxic in self.toxics.values():
            if toxic.kind in ("http-error", "reset") and random.random() < toxic.ratio:
                return toxic
        return None


class FaultProxy:
    def __init__(
        self, routes: list[Route], admin_host: str, admin_port: int, host: str = "127.0.0.1"
    ):
        self.routes = {r.name: r for r in routes}
        self.admin_host, self.admin_port, self.host = admin_host, admin_port, host

    async def serve(self) -> None:
        servers = [
            await asyncio.start_server(
                functools.partial(self._forward, route), self.host, route.listen
            )
            for route in self.routes.values()
        ]
        servers.append(await asyncio.start_server(self._admin, self.admin_host, self.admin_port))
        await asyncio.gather(*(s.serve_forever() for s in servers))

    async def _forward(
        self, route: Route, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        toxic = route.failure()
        if toxic is not None:
            await _fail(toxic, reader, writer)
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(
                route.upstream_host, route.upstream_port
            )
        except OSError:
            _reset(writer)
            return
        await asyncio.gather(
            _pipe(reader, up_writer, route), _pipe(up_reader, writer, None), return_exceptions=True
        )

    async def _admin(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            method, path, body = await _read_request(reader)
            status, payload = self._dispatch(method, path.strip("/").split("/"), body)
        except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
            status, payload = 400, {"error": str(exc)}
        data = json.dumps(payload).encode()
        writer.write(
            f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n".encode()
            + data
        )
        with contextlib.suppress(OSError):
            await writer.drain()
        writer.close()

    def _dispatch(self, method: str, parts: list[str], body: bytes) -> tuple[int, Any]:
        if method == "GET" and parts == ["routes"]:
            return 200, {name: asdict(route) for name, route in self.routes.items()}
        if method == "DELETE" and parts == ["toxics"]:
            for route in self.routes.values():
                route.toxics.clear()
            return 200, {}
        if len(parts) == 4 and parts[0] == "routes" and parts[2] == "toxics":
            found = self.routes.get(parts[1])
            if found is None:
                return 404, {"error": f"no route {parts[1]}", "routes": sorted(self.routes)}
            if method == "PUT":
                found.toxics[parts[3]] = Toxic(**json.loads(body))
                return 200, asdict(found.toxics[parts[3]])
            if method == "DELETE":
                found.toxics.pop(parts[3], None)
                return 200, {}
        return 404, {"error": f"no endpoint {method} /{'/'.join(parts)}"}


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, route: Route | None
) -> None:
    try:
        while chunk := await reader.read(65536):
            if route is not None and (delay := route.delay()) > 0:
                await asyncio.sleep(delay)
            writer.write(chunk)
            await writer.drain()
    finally:
        with contextlib.suppress(OSError, RuntimeError):
            writer.close()


async def _fail(toxic: Toxic, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    if toxic.kind == "reset":
        _reset(writer)
        return
    with contextlib.suppress(asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=2.0)
    body = f"gameday fault proxy: injected {toxic.status}\n".encode()
    reason = _HTTP_REASONS.get(toxic.status, "Error")
    writer.write(
        f"HTTP/1.1 {toxic.status} {reason}\r\nContent-Length: {len(body)}\r\n"
        f"Connection: close\r\n\r\n".encode()
        + body
    )
    with contextlib.suppress(OSError):
        await writer.drain()
    writer.close()


def _reset(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.close()


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5.0)
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return method, path, body


def parse_route(text: str) -> Route:
    """`name=LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT` (upstream host defaults to 127.0.0.1)."""
    name, _, spec = text.partition("=")
    parts = spec.split(":")
    if not name or len(parts) not in (2, 3) or not all(p.isdigit() for p in (parts[0], parts[-1])):
        raise ValueError(
            f"invalid route {text!r}: write NAME=LISTEN_PORT:UPSTREAM_HOST:UPSTREAM_PORT"
        )
    host = parts[1] if len(parts) == 3 else "127.0.0.1"
    return Route(name, int(parts[0]), host, int(parts[-1]))
