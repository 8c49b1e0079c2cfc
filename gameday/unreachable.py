"""One clear line for a connection that failed, whatever client library raised it.

urllib3, requests, the Kubernetes client and xmlrpc wrap the real cause (refused,
timed out, TLS, DNS) in layers of exceptions whose text is a dump of pools, objects
and URLs. `reason` finds the cause and says it in a few words. Duck-typed on class
names and errno, so this module imports no client library (it is used by every
adapter and stays import-light).
"""

from __future__ import annotations

import errno
import socket

_ERRNO = {
    errno.ECONNREFUSED: "connection refused (nothing listening)",
    errno.ECONNRESET: "connection reset by the server",
    errno.EHOSTUNREACH: "host unreachable",
    errno.ENETUNREACH: "network unreachable",
    errno.ETIMEDOUT: "connection timed out",
    errno.EPIPE: "connection closed by the server",
}


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and everything it wraps, outermost first (reason, args, __cause__)."""
    found: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo and len(found) < 20:
        current = todo.pop(0)
        if any(current is seen for seen in found):
            continue
        found.append(current)
        inner = getattr(current, "reason", None)
        if isinstance(inner, BaseException):
            todo.append(inner)
        todo += [a for a in current.args if isinstance(a, BaseException)]
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return found


def reason(exc: BaseException, connect: float | None = None, read: float | None = None) -> str:
    """A few words for why a request failed; `connect`/`read` are the timeouts in force."""
    causes = _causes(exc)
    names = [type(c).__name__ for c in causes]
    if any(n in ("ConnectTimeoutError", "ConnectTimeout") for n in names):
        return (
            f"no connection within {connect:g}s (connect timeout)" if connect else "connect timeout"
        )
    if any(n in ("ReadTimeoutError", "ReadTimeout") for n in names) or any(
        isinstance(c, socket.timeout | TimeoutError) for c in causes
    ):
        return f"no answer within {read:g}s (read timeout)" if read else "no answer (timeout)"
    if any(n in ("NameResolutionError", "gaierror") for n in names) or any(
        isinstance(c, socket.gaierror) for c in causes
    ):
        return "host name does not resolve"
    if any("SSL" in n for n in names):
        ssl_error = next(c for c in causes if "SSL" in type(c).__name__)
        return f"TLS handshake failed: {_first_line(ssl_error)}"[:160]
    for cause in causes:
        number = getattr(cause, "errno", None)
        if isinstance(number, int) and number in _ERRNO:
            return _ERRNO[number]
        if isinstance(cause, ConnectionRefusedError) or "Connection refused" in str(cause):
            return _ERRNO[errno.ECONNREFUSED]
    if any(n in ("ProtocolError", "RemoteDisconnected", "IncompleteRead") for n in names):
        return "connection dropped before a complete answer"
    return _first_line(causes[-1])[:160]  # the innermost cause, not the wrapper's dump


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
