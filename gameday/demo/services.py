"""The demo's services, each a real process: `store`, `web` and `frontend`.

  client -> [proxy route frontend] -> frontend -> web-1 | web-2 -> [proxy route store] -> store

The store appends records to a JSON Lines file and copies it to a backup every few
seconds; `POST /admin/restore` merges the backup with what was written since, the
way a restore-and-replay runbook would. The front end retries on the other replica.

Every service exports Prometheus metrics at `/metrics` (prometheus_client): requests by
status code and a latency histogram, the two shapes gameday's ready-made SLIs read.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

REGISTRY = CollectorRegistry()
REQUESTS = Counter(
    "gameday_demo_requests", "Requests answered, by status code.", ["code"], registry=REGISTRY
)
LATENCY = Histogram(
    "gameday_demo_request_duration_seconds",
    "Time to answer a request.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
    registry=REGISTRY,
)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def setup(self) -> None:
        self.started = time.monotonic()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self.path != "/metrics":
            return True
        body = generate_latest(REGISTRY)
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE_LATEST)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        return False  # answered: the do_* method is not called

    def reply(self, status: int, payload: Any) -> None:
        REQUESTS.labels(code=str(status)).inc()
        LATENCY.observe(time.monotonic() - self.started)
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))


class Store:
    def __init__(self, data_dir: Path, backup_every: float):
        self.data, self.backup = data_dir / "data.jsonl", data_dir / "backup.jsonl"
        self.lock = threading.Lock()
        data_dir.mkdir(parents=True, exist_ok=True)
        self.data.touch()
        threading.Thread(target=self._backups, args=(backup_every,), daemon=True).start()

    def append(self, record: dict[str, Any]) -> None:
        with self.lock, open(self.data, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def records(self, path: Path | None = None) -> list[dict[str, Any]]:
        try:
            with open(path or self.data, encoding="utf-8") as handle:
                return [json.loads(line) for line in handle if line.strip()]
        except FileNotFoundError:
            return []

    def take_backup(self) -> None:
        with self.lock:
            if self.data.exists():
                shutil.copyfile(self.data, self.backup.with_suffix(".tmp"))
                os.replace(self.backup.with_suffix(".tmp"), self.backup)

    def restore(self) -> int:
        with self.lock:
            merged = {(r.get("writer"), r.get("seq")): r for r in self.records(self.backup)}
            merged.update({(r.get("writer"), r.get("seq")): r for r in self.records()})
            tmp = self.data.with_suffix(".tmp")
            with open(tmp, "w", encoding="utf-8") as handle:
                for record in merged.values():
                    handle.write(json.dumps(record) + "\n")
            os.replace(tmp, self.data)
            return len(merged)

    def _backups(self, every: float) -> None:
        while True:
            time.sleep(every)
            self.take_backup()


def store_handler(store: Store) -> type[_Handler]:
    class Handler(_Handler):
        def do_GET(self) -> None:
            if self.path == "/health":
                self.reply(200, {"ok": True, "data_file": store.data.exists()})
            elif self.path == "/records":
                self.reply(200, store.records())
            else:
                self.reply(404, {"error": "not found"})

        def do_POST(self) -> None:
            if self.path == "/records":
                store.append(json.loads(self.body() or b"{}"))
                self.reply(201, {"ok": True})
            elif self.path == "/admin/backup":
                store.take_backup()
                self.reply(200, {"ok": True})
            elif self.path == "/admin/restore":
                self.reply(200, {"restored": store.restore()})
            else:
                self.reply(404, {"error": "not found"})

    return Handler


def forward(
    base: str, method: str, path: str, body: bytes | None, timeout: float
) -> tuple[int, bytes]:
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def web_handler(name: str, store_url: str) -> type[_Handler]:
    class Handler(_Handler):
        def do_GET(self) -> None:
            if self.path == "/":
                try:
                    status, _ = forward(store_url, "GET", "/health", None, 0.5)
                except (OSError, http.client.HTTPException) as exc:
                    self.reply(503, {"replica": name, "error": f"store unavailable: {exc}"})
                    return
                self.reply(200 if status == 200 else 503, {"replica": name, "store": status})
            else:
                self._proxy("GET", None)

        def do_POST(self) -> None:
            self._proxy("POST", self.body())

        def _proxy(self, method: str, body: bytes | None) -> None:
            try:
                status, payload = forward(store_url, method, self.path, body, 2.0)
                self.reply(status, json.loads(payload or b"null"))
            except (OSError, ValueError, http.client.HTTPException) as exc:
                self.reply(503, {"replica": name, "error": str(exc)})

    return Handler


def frontend_handler(upstreams: list[str]) -> type[_Handler]:
    ring = itertools.cycle(range(len(upstreams)))
    lock = threading.Lock()

    class Handler(_Handler):
        def do_GET(self) -> None:
            self._route("GET", None)

        def do_POST(self) -> None:
            self._route("POST", self.body())

        def _route(self, method: str, body: bytes | None) -> None:
            with lock:
                first = next(ring)
            status, payload = 502, b'{"error": "no upstream answered"}'
            for offset in range(len(upstreams)):
                upstream = upstreams[(first + offset) % len(upstreams)]
                try:
                    status, payload = forward(upstream, method, self.path, body, 2.0)
                except (OSError, http.client.HTTPException):
                    # a replica killed mid-answer (IncompleteRead, BadStatusLine) is
                    # retried on the next one, like a refused connection
                    continue
                if status < 500:
                    break
            self.reply(status, json.loads(payload or b"null"))

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="gameday-demo-service")
    parser.add_argument("service", choices=["store", "web", "frontend"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--backup-every", type=float, default=3.0)
    parser.add_argument("--name", default="web")
    parser.add_argument("--store")
    parser.add_argument("--upstream", action="append", default=[])
    args = parser.parse_args(argv)
    handler: type[_Handler]
    if args.service == "store":
        handler = store_handler(Store(args.data, args.backup_every))
    elif args.service == "web":
        handler = web_handler(args.name, args.store)
    else:
        handler = frontend_handler(args.upstream)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
