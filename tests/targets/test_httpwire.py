"""The http probe's own HTTP/1.1 exchange (gameday/targets/local/httpwire.py) against a
server that sends canned answers byte for byte: every body framing (length, chunked,
until close), interim 1xx answers, HEAD, malformed answers, and the request it sends."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest

from gameday.targets.local.probes import HttpParams, HttpSession

Make = Callable[[bytes], "Canned"]


class Canned:
    """Answers each connection with `answer` (then closes), recording each request."""

    def __init__(self, answer: bytes):
        self.answer = answer
        self.requests: list[bytes] = []
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port: int = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.requests.append(data)
                conn.sendall(self.answer)


@pytest.fixture
def canned() -> Iterator[Make]:
    made: list[Canned] = []

    def make(answer: bytes) -> Canned:
        server = Canned(answer)
        made.append(server)
        return server

    yield make
    for server in made:
        server.sock.close()


def probe(server: Canned, **params: object) -> HttpSession:
    return HttpSession(HttpParams(url=f"http://127.0.0.1:{server.port}/x?y=1", **params))


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\r\nhello\r\n6\r\n world\r\n"
        b"0\r\nTrailer: t\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\nhello world",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world",
    ],
    ids=["length", "chunked", "until-close", "interim-100"],
)
def test_every_body_framing_is_read_whole(canned: Make, answer: bytes) -> None:
    server = canned(answer)
    sample = probe(server, body_contains="hello world").sample(1.0)
    assert sample.ok and sample.value == 200.0 and sample.detail == "HTTP 200", sample
    missing = probe(server, body_contains="goodbye").sample(2.0)
    assert not missing.ok and missing.detail == "HTTP 200"  # the body is really checked


def test_status_outside_expect_status_fails(canned: Make) -> None:
    server = canned(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\n\r\n")
    assert not probe(server).sample(0).ok
    assert probe(server, expect_status=[503]).sample(0).ok


@pytest.mark.parametrize(
    "answer",
    [
        b"garbage\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5",
        b"",
    ],
    ids=["status-line", "short-body", "chunk-size", "no-end-of-head", "nothing"],
)
def test_a_malformed_or_cut_answer_fails_the_sample(canned: Make, answer: bytes) -> None:
    sample = probe(canned(answer)).sample(0)
    assert not sample.ok and sample.detail and sample.detail.startswith("BadAnswer"), sample


def test_head_reads_no_body(canned: Make) -> None:
    # a HEAD answer announces a length but carries no body: waiting for it would time out
    server = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 999\r\n\r\n")
    sample = probe(server, method="HEAD", timeout="2s").sample(0)
    assert sample.ok and sample.latency is not None and sample.latency < 1.0, sample


def test_the_request_sent(canned: Make) -> None:
    server = canned(b"HTTP/1.1 204 No Content\r\n\r\n")
    session = HttpSession(
        HttpParams(
            url=f"http://user:p%40ss@127.0.0.1:{server.port}/x?y=1",
            method="POST",
            headers={"X-Team": "sre"},
        )
    )
    assert session.sample(0).detail == "HTTP 204"
    lines = server.requests[0].decode().split("\r\n")
    assert lines[0] == "POST /x?y=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert "Accept-Encoding: identity" in lines and "X-Team: sre" in lines
    assert "Authorization: Basic dXNlcjpwQHNz" in lines  # user:p@ss
    assert "Content-Length: 0" in lines


def test_a_header_with_a_line_break_is_a_failed_sample_not_a_sent_request(
    canned: Make,
) -> None:
    server = canned(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
    sample = probe(server, headers={"X-A": "b\r\nX-Injected: 1"}).sample(0)
    assert not sample.ok and sample.detail and "invalid" in sample.detail
    assert server.requests == []


def test_a_large_body_read_until_close_is_read_whole_in_time(canned: Make) -> None:
    body = b"x" * (8 * 1024 * 1024) + b"END"
    server = canned(b"HTTP/1.0 200 OK\r\n\r\n" + body)
    sample = probe(server, body_contains="END", timeout="5s").sample(0)
    assert sample.ok, sample
