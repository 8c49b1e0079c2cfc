"""XML-RPC transports to supervisord with a connect and a read timeout (the stdlib's have
none). Its own module so that `http.client` and `xmlrpc.client` are imported when a
supervisor is first called, not when a scenario naming the local target is validated.
"""

from __future__ import annotations

import http.client
import socket
import xmlrpc.client
from typing import Any, TypeVar

from gameday import deadlines


def transport(url: str) -> xmlrpc.client.Transport:
    """HTTP or HTTPS with a connect and a read timeout (the stdlib's have none)."""
    return _HttpsTransport() if url.startswith("https:") else _HttpTransport()


class _HttpTransport(xmlrpc.client.Transport):
    def make_connection(self, host: Any) -> http.client.HTTPConnection:
        return _bounded(super().make_connection(host))


class _HttpsTransport(xmlrpc.client.SafeTransport):
    def make_connection(self, host: Any) -> http.client.HTTPSConnection:
        return _bounded(super().make_connection(host))


_Conn = TypeVar("_Conn", bound=http.client.HTTPConnection)


def _bounded(conn: _Conn) -> _Conn:
    """Connect within `deadlines.connect()`, then wait `deadlines.read()` per answer.
    (The transport keeps its connection alive and hands the same one out again.)"""
    if getattr(conn, "gameday_bounded", False):
        return conn
    conn.gameday_bounded = True  # type: ignore[attr-defined]
    conn.timeout = deadlines.connect()
    connect = conn.connect

    def connect_then_read() -> None:
        connect()
        sock: socket.socket | None = conn.sock
        if sock is not None:
            sock.settimeout(deadlines.read())

    conn.connect = connect_then_read  # type: ignore[method-assign]
    return conn
