"""The live view during a real run (demo system, real processes), in headless Chromium:
the page updates while the run goes on, the facilitator gives the go and adds a note
from the page, the note lands in the final report with its author, and requests
without the right token are refused."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from gameday.demo.stack import DemoStack, free_ports
from tests.conftest import ROOT
from tests.render.test_browser import Page
from tests.render.test_browser import chromium as chromium  # the fixture

OBSERVER, FACILITATOR = "obs-token-123", "fac-token-456"


def status_of(
    url: str, method: str = "GET", token: str | None = None, body: bytes | None = None
) -> int:
    request = urllib.request.Request(url, method=method, data=body)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:  # not listening (yet, or any more)
        return 0


def wait(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_live_view_during_a_real_run(stack: DemoStack, chromium: Page, tmp_path: Path) -> None:
    (port,) = free_ports(1)
    base = f"http://127.0.0.1:{port}/"
    params = stack.params()
    env = {
        **os.environ,
        "GAMEDAY_LIVE_TOKEN": OBSERVER,
        "GAMEDAY_LIVE_FACILITATOR_TOKEN": FACILITATOR,
        "GAMEDAY_STATE": str(tmp_path / "state"),
    }
    argv = [
        sys.executable,
        "-m",
        "gameday",
        "run",
        "scenarios/local/web-replica-kill.yaml",
        "--set",
        f"frontend_url={params['frontend_url']}",
        "--set",
        f"supervisor_url={params['supervisor_url']}",
        "--serve",
        f"127.0.0.1:{port}",
        "--plain",
        "--reports",
        str(tmp_path / "reports"),
        "--operator",
        "lead",
    ]
    runner = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        wait(lambda: status_of(base, token=OBSERVER) == 200, 30, "the live view")
        # refusals: no token, a wrong one, an observer acting
        assert status_of(base) == 401
        assert status_of(base + "events?token=nope") == 401
        note = json.dumps({"text": "x", "author": "y"}).encode()
        assert status_of(base + "note", "POST", OBSERVER, note) == 403
        # hostile or stale input from a facilitator: refused, nothing answered
        assert status_of(base + "note", "POST", FACILITATOR, b"\xff not json") == 400
        stale = json.dumps({"id": 999, "go": True, "author": "z"}).encode()
        assert status_of(base + "answer", "POST", FACILITATOR, stale) == 409
        assert status_of(base + "note", "POST", FACILITATOR, b"x" * 100_000) == 413

        page = chromium
        for domain in ("Runtime", "Log", "Page"):
            page.call(f"{domain}.enable")
        page.call("Page.navigate", url=f"{base}?token={FACILITATOR}")
        page.wait_for("Page.loadEventFired")

        def shown(selector: str) -> bool:
            return bool(
                page.evaluate(f"!document.querySelector('{selector}').classList.contains('hidden')")
            )

        wait(lambda: shown("#question"), 30, "the go question on the page")
        assert "web-replica-kill" in page.evaluate("document.getElementById('prompt').textContent")
        page.evaluate("document.getElementById('author').value = 'Ana (facilitator)'")
        page.evaluate("document.getElementById('yes').click()")
        wait(lambda: not shown("#question"), 10, "the question to close")

        def samples() -> int:
            return int(page.evaluate("document.body.dataset.samples || '0'"))

        wait(lambda: samples() > 10, 20, "samples on the page")
        first = samples()
        time.sleep(1.5)
        assert samples() > first, "the page did not update during the run"
        assert page.evaluate("document.getElementById('conn').textContent") == "live"

        page.evaluate("document.getElementById('note').value = 'replica <b>2</b> took all traffic'")
        page.evaluate("document.getElementById('send').click()")
        notes = "document.getElementById('notes').textContent"
        wait(lambda: "took all traffic" in page.evaluate(notes), 10, "the note on the page")
        # HTML in a note stays text on the page
        assert page.evaluate("document.querySelectorAll('#notes b').length") == 0

        for width in (1280, 390):
            page.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=900,
                deviceScaleFactor=1,
                mobile=width < 500,
            )
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            shot = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
            (tmp_path / f"live-{width}.png").write_bytes(shot)
        assert page.errors == [], page.errors

        out, _ = runner.communicate(timeout=120)
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    assert runner.returncode in (0, 1, 7), out[-3000:]
    report = next((tmp_path / "reports").rglob("report.md")).read_text()
    assert "took all traffic" in report, report[-2000:]
    assert "Ana (facilitator)" in report
    journal = next((tmp_path / "reports").rglob("journal.jsonl")).read_text()
    assert '"author":"Ana (facilitator)"' in journal.replace(": ", ":")
    # the server is gone with the run
    assert status_of(base, token=OBSERVER) != 200
