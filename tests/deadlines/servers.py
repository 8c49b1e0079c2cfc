"""Real misbehaving servers for deadline tests: one that accepts connections and never
answers, one that answers a byte at a time, and a port where nothing listens."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator


class SilentServer:
    """Accepts every connection, reads what is sent, never writes a byte."""

    def __init__(self, trickle: bytes | None = None, every: float = 0.5):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port: int = self.sock.getsockname()[1]
        self.trickle, self.every = trickle, every
        self.accepted = 0
        self.connections: list[socket.socket] = []
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.connections.append(conn)
            if self.trickle is not None:
                threading.Thread(target=self._dribble, args=(conn,), daemon=True).start()

    def _dribble(self, conn: socket.socket) -> None:
        """Sends `trickle` one byte per `every` seconds, forever."""
        with contextlib.suppress(OSError):
            conn.recv(65536)
            data = self.trickle or b""
            for i in range(10**6):
                if self.stopped.is_set():
                    return
                conn.sendall(data[i % len(data) : i % len(data) + 1])
                time.sleep(self.every)

    def close(self) -> None:
        self.stopped.set()
        self.sock.close()
        for conn in self.connections:
            with contextlib.suppress(OSError):
                conn.close()


@contextlib.contextmanager
def silent_server(trickle: bytes | None = None) -> Iterator[SilentServer]:
    server = SilentServer(trickle)
    try:
        yield server
    finally:
        server.close()


def closed_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port
