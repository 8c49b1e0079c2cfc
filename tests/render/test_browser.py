"""report.html and index.html in a real headless Chromium (Debian `chromium`), driven
over the DevTools protocol, at a desktop width and a phone's 390 px: no console errors,
the first screen is the verdict and what broke, and the layout holds (no horizontal
overflow, no word cut mid-word, no style that would allow it; see layout.js).
Screenshots are kept as test artefacts under the test's tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gameday.render import render_all
from gameday.render.index import write_index
from gameday.score import score_journal
from tests.render.chromium import Page, chromium, open_page, screenshot
from tests.score.test_score import journal
from tests.score.test_score_prometheus import with_detection

__all__ = ["Page", "chromium"]  # the live view's browser test uses them from here

LAYOUT = (Path(__file__).parent / "layout.js").read_text()
WIDTHS = pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
KEY_ELEMENTS = {
    "title": "h1",
    "headline": "#headline",
    "what broke": "#what-broke",
    "score breakdown": "table.breakdown",
    "timeline chart": "section.scenario svg.timeline",
    "chart legend": "section.scenario .legend",
    "SLO table": "section.scenario table",
}


def layout(page: Page) -> dict[str, list[str]]:
    found: dict[str, list[str]] = json.loads(page.evaluate(LAYOUT))
    return found


def top_of(page: Page, selector: str) -> float:
    top: float = page.evaluate(
        f"document.querySelector({json.dumps(selector)}).getBoundingClientRect().top"
    )
    return top


def boxes(page: Page) -> dict[str, list[dict[str, float]]]:
    found: dict[str, list[dict[str, float]]] = page.evaluate(
        "JSON.parse(JSON.stringify(Object.fromEntries(Object.entries("
        + json.dumps(KEY_ELEMENTS)
        + ").map(([k, sel]) => [k, [...document.querySelectorAll(sel)].map(e => {"
        "const r = e.getBoundingClientRect(); return {w: r.width, h: r.height, x: r.x}; })]))))"
    )
    return found


def hostile_report(tmp_path: Path) -> Path:
    """A failing scenario with long user text, a note, an alert and an unbreakable token."""
    records: list[dict[str, Any]] = with_detection(
        journal("." * 10 + "x" * 5 + "." * 25, name="checkout-payment-gateway <b>&"),
        ("StoreDown", 2.5),
    )
    spec = records[1]["spec"]
    spec["hypothesis"] = "The checkout keeps serving from its replica; " * 4
    records.insert(
        -2,
        {
            "type": "note",
            "t": 1.3,
            "scenario": spec["name"],
            "author": "Ana",
            "text": "queue grew to 3k <b>fast</b>; paging went to the wrong team",
        },
    )
    render_all(score_journal(records), tmp_path)
    return tmp_path / "report.html"


@WIDTHS
def test_report_first_screen_and_layout(chromium: Page, tmp_path: Path, width: int) -> None:
    report = hostile_report(tmp_path)
    page = chromium
    open_page(page, report.as_uri(), width)
    assert page.errors == [], page.errors
    for name, rects in boxes(page).items():
        assert rects, f"{name} missing"
        assert all(r["w"] > 0 and r["h"] > 0 for r in rects), f"{name} has no size: {rects}"
    assert page.evaluate("document.title") and page.evaluate("document.scripts.length") == 0
    # the first screen: the verdict, and (on a desktop) what broke, without scrolling
    assert 0 <= top_of(page, "#headline") < 300
    if width > 1000:
        assert top_of(page, "#what-broke") < 900
    assert page.evaluate("document.querySelector('#headline .verdict').textContent") == "FAIL"
    found = layout(page)
    assert found == {"broken": [], "overflow": [], "styles": []}, found
    shot = screenshot(page, tmp_path / f"report-{width}.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 5000
    screenshot(page, tmp_path / f"report-{width}-full.png", full=True)


def test_layout_check_finds_mid_word_breaks(chromium: Page, tmp_path: Path) -> None:
    """The check itself can fail: a page that cuts words, and one that overflows."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><meta name="viewport" content="width=device-width">'
        '<table style="width:100%"><tr><td style="overflow-wrap:anywhere">'
        + "web-replica-kill-" * 3
        + "x" * 60
        + "</td><td>short</td></tr></table><div style='width:600px'>wide</div>"
    )
    open_page(chromium, page.as_uri(), 390)
    found = layout(chromium)
    assert found["broken"] and found["styles"] and found["overflow"], found


@WIDTHS
def test_index_layout(chromium: Page, tmp_path: Path, width: int) -> None:
    for i, pattern in enumerate(("." * 40, "." * 10 + "x" * 5 + "." * 25)):
        records = journal(pattern, name="weekly-checkout-drill", rto=0.2)
        records[0].update(run_id=f"20261128T1{i}0000Z-a1b2c3", wall=1_700_000_000 + i * 86400)
        run_dir = tmp_path / "reports" / "weekly-checkout-drill" / f"r{i}"
        run_dir.mkdir(parents=True)
        render_all(score_journal(records), run_dir)
    index = write_index(tmp_path / "reports")
    open_page(chromium, index.as_uri(), width)
    assert chromium.errors == [], chromium.errors
    found = layout(chromium)
    assert found == {"broken": [], "overflow": [], "styles": []}, found
    screenshot(chromium, tmp_path / f"index-{width}.png")
