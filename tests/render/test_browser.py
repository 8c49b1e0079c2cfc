"""report.html in a real headless Chromium (Debian `chromium`), driven over the DevTools
protocol: no console errors or exceptions, the key elements are present and sized, the
page fits a phone's width, and a screenshot is taken (saved beside the test's report)."""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websocket

from gameday.render import render_all
from gameday.score import score_journal
from tests.score.test_score import journal
from tests.score.test_score_prometheus import with_detection

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
]
KEY_ELEMENTS = {
    "title": "h1",
    "headline": "#headline",
    "what broke": "#what-broke",
    "score breakdown": "table.breakdown",
    "timeline chart": "section.scenario svg",
    "SLO table": "section.scenario table",
}


class Page:
    """One browser tab over the DevTools protocol, recording console errors."""

    def __init__(self, ws_url: str):
        self.ws = websocket.create_connection(ws_url, timeout=20)
        self.ids = itertools.count(1)
        self.errors: list[str] = []
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        ident = next(self.ids)
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
            self._event(message)

    def wait_for(self, event: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == event for e in self.events):
            assert time.monotonic() < deadline, f"no {event} within {timeout}s"
            self._event(json.loads(self.ws.recv()))

    def _event(self, message: dict[str, Any]) -> None:
        self.events.append(message)
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"])[:500])
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(json.dumps(params.get("args"))[:500])
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(params["entry"]["text"][:500])

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Page]:
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        pytest.fail("chromium not found: install Debian's chromium (scripts/test does, as root)")
    profile = tmp_path / "profile"
    process = subprocess.Popen(
        [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline and process.poll() is None, "chromium did not start"
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
            tab = next(t for t in json.load(response) if t["type"] == "page")
        page = Page(tab["webSocketDebuggerUrl"])
        yield page
        page.ws.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def boxes(page: Page) -> dict[str, list[dict[str, float]]]:
    found: dict[str, list[dict[str, float]]] = page.evaluate(
        "JSON.parse(JSON.stringify(Object.fromEntries(Object.entries("
        + json.dumps(KEY_ELEMENTS)
        + ").map(([k, sel]) => [k, [...document.querySelectorAll(sel)].map(e => {"
        "const r = e.getBoundingClientRect(); return {w: r.width, h: r.height, x: r.x}; })]))))"
    )
    return found


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_report_renders_without_errors_and_fits(chromium: Page, tmp_path: Path, width: int) -> None:
    records = with_detection(
        journal("." * 10 + "x" * 5 + "." * 25, name="checkout <b>&"), ("StoreDown", 2.5)
    )
    render_all(score_journal(records), tmp_path)
    page = chromium
    for domain in ("Runtime", "Log", "Page"):
        page.call(f"{domain}.enable")
    page.call(
        "Emulation.setDeviceMetricsOverride",
        width=width,
        height=900,
        deviceScaleFactor=1,
        mobile=width < 500,
    )
    page.call("Page.navigate", url=(tmp_path / "report.html").as_uri())
    page.wait_for("Page.loadEventFired")
    assert page.errors == [], page.errors
    found = boxes(page)
    for name, rects in found.items():
        assert rects, f"{name} missing"
        assert all(r["w"] > 0 and r["h"] > 0 for r in rects), f"{name} has no size: {rects}"
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width + 1, f"page is {overflow}px wide in a {width}px viewport"
    assert page.evaluate("document.title") and page.evaluate("document.scripts.length") == 0
    shot = base64.b64decode(page.call("Page.captureScreenshot", format="png")["data"])
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 5000
    (tmp_path / f"report-{width}.png").write_bytes(shot)
