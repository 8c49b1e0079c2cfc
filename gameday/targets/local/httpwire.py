"""One HTTP/1.1 exchange on a plain socket, bounded as a whole by a deadline: what the
`http` probe does for every sample.

`http.client` costs about twice the CPU per sample (headers parsed through
`email.feedparser`, a response object per answer, and the shared watchdog thread that
bounds the whole exchange), which at 10 Hz on a few probes is most of a drill's CPU;
h11, the well-kept parser that would replace this, costs 1.4-2.2x it per exchange
(`benchmarks/bench_httpwire.py` keeps measuring both).
Here every socket operation waits at most until the one deadline, so a server that is
silent or trickles a byte at a time fails the sample at its timeout without a watchdog.

Sends what `http.client` sends (`Host`, `Accept-Encoding: identity`, the caller's
headers, `Content-Length: 0` for a body-less POST/PUT/PATCH); reads a `Content-Length`,
chunked or read-to-close body; skips `1xx` interim answers; no body for HEAD, 204, 304.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

MAX_HEAD = 64 * 1024
"""Bytes of status line and headers accepted before the answer counts as malformed."""


class BadAnswer(Exception):
    """The server's answer is not a complete, well-formed HTTP/1.x response."""


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    will_close: bool
    """The server ends the connection after this answer (no keep-alive)."""


def request_bytes(
    method: str, host: str, port: int, default_port: int, path: str, headers: dict[str, str]
) -> bytes:
    """The request as sent; a header or path with a line break or space is refused
    (ValueError) rather than sent as something else."""
    named = {k.lower() for k in headers}
    lines = [f"{method} {path} HTTP/1.1"]
    if "host" not in named:
        shown = f"[{host}]" if ":" in host else host.encode("idna").decode("ascii")
        lines.append(f"Host: {shown}" if port == default_port else f"Host: {shown}:{port}")
    if "accept-encoding" not in named:
        lines.append("Accept-Encoding: identity")
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if method.upper() in ("POST", "PUT", "PATCH") and "content-length" not in named:
        lines.append("Content-Length: 0")
    for line in lines:
        if any(c in line for c in "\r\n\0") or " " in path or not method.isalpha():
            raise ValueError(f"invalid HTTP request line or header: {line[:60]!r}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def connect(host: str, port: int, tls: ssl.SSLContext | None, deadline: float) -> socket.socket:
    sock = socket.create_connection((host, port), timeout=_left(deadline))
    if tls is None:
        return sock
    try:
        sock.settimeout(_left(deadline))
        return tls.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise


def tls_context() -> ssl.SSLContext:
    """What `http.client.HTTPSConnection` uses by default: verified, ALPN http/1.1."""
    import ssl

    context = ssl.create_default_context()
    context.set_alpn_protocols(["http/1.1"])
    return context


def exchange(sock: socket.socket, request: bytes, head_only: bool, deadline: float) -> Answer:
    """Sends `request` and reads one complete answer before `deadline` (monotonic)."""
    sock.settimeout(_left(deadline))
    sock.sendall(request)
    reader = _Reader(sock, deadline)
    version, status, headers = _head(reader)
    while 100 <= status < 200 and status != 101:  # interim answers (100 Continue)
        version, status, headers = _head(reader)
    connection = headers.get("connection", "").lower()
    will_close = "close" in connection or (version == "HTTP/1.0" and "keep-alive" not in connection)
    if head_only or status in (204, 304) or 100 <= status < 200:
        return Answer(status, b"", will_close)
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Answer(status, _chunked(reader), will_close)
    length = headers.get("content-length")
    if length is None:  # the body runs until the server closes
        return Answer(status, reader.rest(), True)
    try:
        size = int(length)
    except ValueError:
        raise BadAnswer(f"bad Content-Length: {length[:40]!r}") from None
    return Answer(status, reader.exactly(size), will_close)


def _head(reader: _Reader) -> tuple[str, int, dict[str, str]]:
    raw = reader.until(b"\r\n\r\n", MAX_HEAD)
    status_line, *lines = raw.decode("latin-1").split("\r\n")
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise BadAnswer(f"bad status line: {status_line[:60]!r}")
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            key = name.strip().lower()
            value = value.strip()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return parts[0], int(parts[1]), headers


def _chunked(reader: _Reader) -> bytes:
    body = bytearray()
    while True:
        line = reader.until(b"\r\n", MAX_HEAD)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            raise BadAnswer(f"bad chunk size: {line[:40]!r}") from None
        if size == 0:
            while reader.until(b"\r\n", MAX_HEAD) != b"":  # trailers, then the blank line
                pass
            return bytes(body)
        body += reader.exactly(size)
        if reader.exactly(2) != b"\r\n":
            raise BadAnswer("chunk not followed by CRLF")


class _Reader:
    """Buffered reads from `sock`, each waiting at most until the deadline (a bytearray:
    a large body is appended to, never copied whole per read)."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline
        self.buf = bytearray()

    def _more(self) -> bytes:
        self.sock.settimeout(_left(self.deadline))
        return self.sock.recv(65536)

    def _take(self, size: int, skip: int = 0) -> bytes:
        found = bytes(self.buf[:size])
        del self.buf[: size + skip]
        return found

    def until(self, mark: bytes, limit: int) -> bytes:
        """The bytes before `mark` (consumed with it)."""
        while True:
            end = self.buf.find(mark)
            if end >= 0:
                return self._take(end, len(mark))
            if len(self.buf) > limit:
                raise BadAnswer(f"no end of headers within {limit} bytes")
            data = self._more()
            if not data:
                raise BadAnswer("the server closed the connection before a complete answer")
            self.buf += data

    def exactly(self, size: int) -> bytes:
        while len(self.buf) < size:
            data = self._more()
            if not data:
                raise BadAnswer(f"incomplete body: {len(self.buf)} of {size} bytes")
            self.buf += data
        return self._take(size)

    def rest(self) -> bytes:
        while data := self._more():
            self.buf += data
        return self._take(len(self.buf))


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left
