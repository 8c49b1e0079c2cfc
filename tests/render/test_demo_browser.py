"""The report of a real demo run, read in headless Chromium at desktop and phone widths.

The drill is the demo's, with two changes that give the first screen something to say:
store-outage without its `expect.breach` (so the outage misses the availability SLO:
fail) and web-replica-kill expecting a breach that does not come (inconclusive). Two
notes are added with `gameday note` while it runs, one with HTML in it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from gameday.execute.journal import read_journal
from gameday.score import score_journal
from tests.conftest import ROOT
from tests.render.chromium import Page, open_page, screenshot
from tests.render.test_browser import layout, top_of

pytestmark = pytest.mark.demo

BREACH = "expect:\n  breach:\n    detect_within: 1s\n    recover_within: 5s\n    max_burn: 190\n"
NOTE = "web-1 gone; <b>front end</b> retried on web-2"


def drill(where: Path) -> Path:
    scenarios = where / "scenarios"
    scenarios.mkdir(parents=True)
    for name in ("web-replica-kill", "frontend-latency", "store-outage", "store-data-loss"):
        text = (ROOT / "scenarios" / "local" / f"{name}.yaml").read_text()
        if name == "store-outage":
            text = re.sub(r"expect:\n  breach:\n(    .*\n)+", "", text)
            assert "expect:" not in text
        if name == "web-replica-kill":
            text = text.replace("\nfault:", "\n" + BREACH + "fault:", 1)
        (scenarios / f"{name}.yaml").write_text(text)
    shipped = (ROOT / "gameday" / "demo" / "files" / "drills" / "demo.yaml").read_text()
    (where / "drills").mkdir()
    path = where / "drills" / "demo.yaml"
    path.write_text(shipped.replace("../scenarios/local/", "../scenarios/"))
    return path


def add_notes(reports: Path, env: dict[str, str], done: list[str]) -> None:
    deadline = time.monotonic() + 120
    while not list(reports.rglob("journal.jsonl")):
        if time.monotonic() > deadline:
            return
        time.sleep(0.2)
    run_dir = next(reports.rglob("journal.jsonl")).parent
    for delay, author, text in (
        (6, "Ana", NOTE),
        (12, "Sam", "pages failing while the store is down"),
    ):
        time.sleep(delay)
        argv = [
            sys.executable,
            "-m",
            "gameday",
            "note",
            "--run",
            str(run_dir),
            "--author",
            author,
            text,
        ]
        noted = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=30)
        done.append(noted.stdout + noted.stderr)


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    where = tmp_path_factory.mktemp("demo-report")
    reports = where / "reports"
    env = {**os.environ, "GAMEDAY_STATE": str(where / "state")}
    notes: list[str] = []
    noter = threading.Thread(target=add_notes, args=(reports, env, notes), daemon=True)
    noter.start()
    argv = [sys.executable, "-m", "gameday", "demo", "--plain", "--drill", str(drill(where))]
    ran = subprocess.run(
        [*argv, "--reports", str(reports)],
        env=env,
        cwd=where,
        capture_output=True,
        text=True,
        timeout=300,
    )
    noter.join(timeout=60)
    assert ran.returncode == 0, (ran.stdout + ran.stderr)[-3000:]
    assert len(notes) == 2 and all("noted" in n for n in notes), notes
    yield next(reports.rglob("journal.jsonl")).parent


def test_the_demo_reports_first_screen(demo_run: Path) -> None:
    card = score_journal(read_journal(demo_run / "journal.jsonl"))
    verdicts = {s.name: s.verdict for s in card.scenarios}
    assert verdicts["store-outage"] == "fail" and verdicts["web-replica-kill"] == "inconclusive"
    html = (demo_run / "report.html").read_text()
    broke = re.sub(
        r"<[^>]+>", "", html[html.index('id="what-broke"') : html.index('id="objectives"')]
    )
    assert "store-outage" in broke and "SLO &#39;availability&#39; missed" in broke
    assert "Make store hold SLO &#39;availability&#39; through dependency-outage" in broke
    assert "web-replica-kill" in broke and "inconclusive" in broke
    assert (
        html.index('id="what-broke"') < html.index('id="objectives"') < html.index('id="details"')
    )
    # store-outage's chart: the store's outage shaded, failures in their lane, the line
    # broken there, and the journal's moments numbered (approval, fault, step, note)
    outage = next(s for s in card.scenarios if s.name == "store-outage")
    kinds = [m.kind for m in outage.marks]
    assert kinds[:2] == ["approval", "inject"] and {"revert", "step", "recovered"} <= set(kinds)
    section = html[html.index(f'id="s{card.scenarios.index(outage) + 1}"') :]
    section = section[: section.index("</section>")]
    assert 'class="outage"' in section and 'class="bad"' in section
    assert section.count('class="ok-line"') >= 2
    md = (demo_run / "report.md").read_text()
    shown = MarkdownIt("commonmark").enable("table").render(md)
    assert "&lt;b&gt;front end&lt;/b&gt;" in shown and "<b>" not in shown
    assert md.index("## What broke and what to do") < md.index("## Timeline")


@pytest.mark.parametrize("width", [1280, 390], ids=["desktop", "phone"])
def test_the_demo_report_and_index_read_right_in_a_browser(
    chromium: Page, demo_run: Path, tmp_path: Path, width: int
) -> None:
    open_page(chromium, (demo_run / "report.html").as_uri(), width)
    assert chromium.errors == [], chromium.errors
    assert 0 <= top_of(chromium, "#headline") < 300
    found = layout(chromium)
    assert found == {"broken": [], "overflow": [], "styles": []}, found
    screenshot(chromium, tmp_path / f"demo-report-{width}.png")
    screenshot(chromium, tmp_path / f"demo-report-{width}-full.png", full=True)
    index = demo_run.parent.parent / "index.html"
    open_page(chromium, index.as_uri(), width)
    assert chromium.errors == [], chromium.errors
    assert "1 run, newest first" in chromium.evaluate("document.body.innerText")
    found = layout(chromium)
    assert found == {"broken": [], "overflow": [], "styles": []}, found
    screenshot(chromium, tmp_path / f"demo-index-{width}.png")
    print(json.dumps({"artefacts": str(tmp_path)}))
