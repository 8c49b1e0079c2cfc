"""A Chaos Toolkit probe that samples one URL at a fixed rate for a fixed time.

Chaos Toolkit has no continuous probes of its own; the usual way to watch a service
during the method is a background activity. This one does what a gameday `http` probe
does per sample (one GET on a fresh connection, status checked) on the same fixed
schedule, so both tools do the same observing work in the benchmark.
"""

from __future__ import annotations

import http.client
import time
import urllib.parse


def sample(url: str, rate: float = 10.0, duration: float = 20.0) -> dict[str, int]:
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname
    if host is None:
        raise ValueError(f"no host in the URL to sample: {url!r}")
    every = 1.0 / rate
    start = time.monotonic()
    ok = failed = 0
    n = 0
    while True:
        due = start + n * every
        if due - start >= duration:
            break
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        conn = http.client.HTTPConnection(host, parts.port, timeout=1.0)
        try:
            conn.request("GET", parts.path or "/")
            response = conn.getresponse()
            response.read()
            ok += response.status == 200
            failed += response.status != 200
        except (OSError, http.client.HTTPException):
            failed += 1
        finally:
            conn.close()
        n += 1
    return {"ok": ok, "failed": failed, "samples": n}
