"""The demo front end retries a request on the next replica when one dies mid-answer,
not only when it refuses the connection: a replica SIGKILLed while answering leaves a
truncated response (IncompleteRead) or none (BadStatusLine), and the front end used to
drop its client's connection then, an outage the replica-kill scenario does not cause."""

from __future__ import annotations

import http.server
import json
import socket
import threading
import urllib.request
from collections.abc import Iterator

import pytest

from gameday.demo.services import frontend_handler


def serve(handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Truncated(http.server.BaseHTTPRequestHandler):
    """Dies mid-answer: promises 100 bytes, sends 2, closes."""

    def do_GET(self) -> None:
        self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}")
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Silent(Truncated):
    """Dies before answering: the connection closes without a status line."""

    def do_GET(self) -> None:
        self.connection.shutdown(socket.SHUT_RDWR)


class Healthy(Truncated):
    def do_GET(self) -> None:
        body = json.dumps({"replica": "web-2"}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(params=[Truncated, Silent], ids=["truncated", "no-status-line"])
def frontend(request: pytest.FixtureRequest) -> Iterator[str]:
    dying, healthy = serve(request.param), serve(Healthy)
    upstreams = [f"http://127.0.0.1:{s.server_address[1]}" for s in (dying, healthy)]
    front = serve(frontend_handler(upstreams))
    yield f"http://127.0.0.1:{front.server_address[1]}/"
    for server in (front, dying, healthy):
        server.shutdown()
        server.server_close()


def test_a_replica_dying_mid_answer_is_retried_on_the_next(frontend: str) -> None:
    for _ in range(4):  # round robin: every request meets the dying replica first or second
        with urllib.request.urlopen(frontend, timeout=5) as response:
            assert response.status == 200
            assert json.load(response) == {"replica": "web-2"}
