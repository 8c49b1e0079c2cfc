"""The http probe's `reuse_connection`: one kept-alive connection across samples (the
server counts connections), a dead server still shows as failed samples at once, and
the probe reconnects when the server is back. Also: every sample's whole exchange stays
bounded by its timeout through the shared deadline watchdog (a server that accepts and
never answers)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from gameday.demo.stack import free_ports
from gameday.targets.local.probes import HttpParams, HttpProbe

SERVER = """
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    def do_GET(self):
        body = str(self.server.connections).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class S(http.server.ThreadingHTTPServer):
    connections = 0
    allow_reuse_address = True
    def process_request(self, request, address):
        self.connections += 1
        super().process_request(request, address)
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


def start(port: int, tmp: Path) -> subprocess.Popen[bytes]:
    script = tmp / "server.py"
    script.write_text(SERVER)
    proc = subprocess.Popen([sys.executable, str(script), str(port)])
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc
        except OSError:
            assert time.monotonic() < deadline, "test server did not start"
            time.sleep(0.05)


@pytest.fixture
def port() -> Iterator[int]:
    yield free_ports(1)[0]


def test_one_connection_is_kept_and_a_dead_server_still_fails_at_once(
    port: int, tmp_path: Path
) -> None:
    server = start(port, tmp_path)
    session = HttpProbe().open(
        HttpParams(url=f"http://127.0.0.1:{port}/", reuse_connection=True), None, 0.1
    )
    try:
        samples = [session.sample(0) for _ in range(20)]
        assert all(s.ok for s in samples)
        # the body is the server's connection count (+1: start()'s readiness check)
        assert {s.detail for s in samples} == {"HTTP 200"}
        server.kill()
        server.wait()
        dead = session.sample(1)
        assert not dead.ok and dead.latency is not None and dead.latency < 1.0
        server = start(port, tmp_path)
        back = [session.sample(2) for _ in range(5)]
        assert all(s.ok for s in back), back
    finally:
        session.close()
        server.kill()
        server.wait()


def test_reuse_opens_one_connection_and_fresh_mode_one_per_sample(
    port: int, tmp_path: Path
) -> None:
    import urllib.request

    server = start(port, tmp_path)
    try:
        for reuse, expected in ((True, 1), (False, 10)):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                before = int(r.read())
            session = HttpProbe().open(
                HttpParams(url=f"http://127.0.0.1:{port}/", reuse_connection=reuse), None, 0.1
            )
            assert all(session.sample(0).ok for _ in range(10))
            session.close()
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                after = int(r.read())
            assert after - before - 1 == expected, (reuse, before, after)
    finally:
        server.kill()
        server.wait()


def test_a_silent_server_is_cut_off_at_the_timeout_every_time(port: int) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", port))
    silent.listen(64)  # accepts (the kernel does), never answers
    try:
        session = HttpProbe().open(
            HttpParams(url=f"http://127.0.0.1:{port}/", timeout="300ms", reuse_connection=True),
            None,
            0.1,
        )
        for _ in range(3):
            start_t = time.monotonic()
            sample = session.sample(0)
            took = time.monotonic() - start_t
            assert not sample.ok and 0.25 <= took < 1.0, (sample, took)
    finally:
        silent.close()
