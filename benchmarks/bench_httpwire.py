"""The HTTP probe's exchange, hand-written on a plain socket (`targets/local/httpwire.py`),
against the well-kept library that would replace it: h11, the HTTP/1.1 state machine
under httpx, httpcore and uvicorn (also pure Python; the socket work is the same).

The same GET against the same local keep-alive server (a separate process, so only the
client's CPU is counted), a new connection per exchange (the probe's default) and one
connection reused (`reuse_connection: true`); rounds alternate between the two
implementations. Target: httpwire costs no more CPU per exchange than h11 in either
mode, or the hand-written code has no reason to exist (issue #16's note).
"""

from __future__ import annotations

import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import h11

from gameday.targets.local import httpwire

EXCHANGES, ROUNDS = 2000, 5
BODY = b"ok " * 100

SERVER = f"""
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
ANSWER = (b"HTTP/1.1 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: {len(BODY)}\\r\\n\\r\\n"
          + {BODY!r})
class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        self.wfile.write(ANSWER)  # one write: no Nagle/delayed-ACK stall between parts
    def log_message(self, *args):
        pass
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
"""

Exchange = Callable[[socket.socket, int], tuple[int, bytes]]


def with_httpwire(sock: socket.socket, port: int) -> tuple[int, bytes]:
    request = httpwire.request_bytes("GET", "127.0.0.1", port, 80, "/health", {})
    answer = httpwire.exchange(sock, request, False, time.monotonic() + 2)
    return answer.status, answer.body


def with_h11(sock: socket.socket, port: int) -> tuple[int, bytes]:
    deadline = time.monotonic() + 2
    conn = h11.Connection(h11.CLIENT)
    headers = [("Host", f"127.0.0.1:{port}"), ("Accept-Encoding", "identity")]
    sock.settimeout(deadline - time.monotonic())
    sent = conn.send(h11.Request(method="GET", target="/health", headers=headers))
    sock.sendall((sent or b"") + (conn.send(h11.EndOfMessage()) or b""))
    status, body = 0, bytearray()
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            sock.settimeout(deadline - time.monotonic())
            conn.receive_data(sock.recv(65536))
        elif isinstance(event, h11.Response):
            status = event.status_code
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage):
            return status, bytes(body)


def cpu_per_exchange(exchange: Exchange, port: int, reuse: bool) -> float:
    """Client CPU microseconds per exchange, connecting included."""
    cpu = time.process_time()
    sock: socket.socket | None = None
    for _ in range(EXCHANGES):
        if sock is None or not reuse:
            if sock is not None:
                sock.close()
            sock = socket.create_connection(("127.0.0.1", port), timeout=2)
        status, body = exchange(sock, port)
        assert status == 200 and body == BODY, (status, body[:60])
    assert sock is not None
    sock.close()
    return (time.process_time() - cpu) / EXCHANGES * 1e6


def main() -> int:
    server = subprocess.Popen([sys.executable, "-c", SERVER], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        met = True
        for reuse in (False, True):
            mine: list[float] = []
            library: list[float] = []
            for _ in range(ROUNDS):
                mine.append(cpu_per_exchange(with_httpwire, port, reuse))
                library.append(cpu_per_exchange(with_h11, port, reuse))
            ours, theirs = statistics.median(mine), statistics.median(library)
            ok = ours <= theirs
            met = met and ok
            mode = "one connection reused" if reuse else "a new connection each"
            print(
                f"httpwire: {mode}: httpwire {ours:.0f} us, h11 {theirs:.0f} us CPU per "
                f"exchange ({ours / theirs:.2f}x; median of {ROUNDS} alternating rounds of "
                f"{EXCHANGES}); target <= 1.00x: {'met' if ok else 'MISSED'}"
            )
        return 0 if met else 1
    finally:
        server.kill()
        server.wait()


if __name__ == "__main__":
    sys.exit(main())
