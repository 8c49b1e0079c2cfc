"""`gameday demo --serve` is a facilitated game day: nothing is auto-approved; a scripted
facilitator on the live page gives each go, makes the call in store-data-loss's manual
step and adds a note; the demo ends by saying the expected breach happened and was
detected."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from gameday.demo.stack import free_ports
from gameday.execute.journal import read_journal
from tests.live.test_people_recover import TOKEN, answer, events


def facilitate(base: str, seen: list[str]) -> None:
    for event in events(base):
        if event["type"] == "closed":
            return
        question = event.get("question") if event["type"] == "snapshot" else event
        if not question or question.get("type", "question") != "question":
            continue
        seen.append(question["prompt"])
        if len(seen) == 1:
            note = json.dumps({"text": "first go given from the page", "author": "Ana"}).encode()
            request = urllib.request.Request(
                f"{base}note",
                data=note,
                method="POST",
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            )
            urllib.request.urlopen(request, timeout=5).close()
        answer(base, question["id"], True)


def test_demo_as_a_facilitated_game_day(tmp_path: Path) -> None:
    (port,) = free_ports(1)
    base = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "GAMEDAY_LIVE_FACILITATOR_TOKEN": TOKEN,
        "GAMEDAY_STATE": str(tmp_path / "state"),
    }
    argv = [sys.executable, "-m", "gameday", "demo", "--serve", f"127.0.0.1:{port}", "--plain"]
    argv += ["--reports", str(tmp_path / "reports")]
    demo = subprocess.Popen(
        argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}?token={TOKEN}", timeout=2).close()
            break
        except OSError:
            assert demo.poll() is None and time.monotonic() < deadline, "no live view"
            time.sleep(0.2)
    bot = threading.Thread(target=facilitate, args=(base, seen), daemon=True)
    bot.start()
    out, _ = demo.communicate(timeout=300)
    assert demo.returncode == 0, out[-3000:]
    assert "facilitated: you give the go" in out
    assert "store-outage: breached as expected; time to detect" in out and "held" in out, out[
        -2000:
    ]
    # four gos and the manual decision, all answered on the page
    assert len(seen) == 5, seen
    assert any("Restore the store from its latest backup" in p for p in seen)
    records = read_journal(next((tmp_path / "reports").rglob("journal.jsonl")))
    approvals = [r for r in records if r["type"] == "approval"]
    assert len(approvals) == 4 and all(r["go"] and "auto-approve" not in r["by"] for r in approvals)
    decided = next(r for r in records if r["type"] == "step-end" and r["name"].startswith("decide"))
    assert decided["ok"] and "operator completed" in decided["detail"]
    notes = [r for r in records if r["type"] == "note"]
    assert any(n["author"] == "Ana" and "first go" in n["text"] for n in notes)
    assert sum(n["author"] == "responder-bot" for n in notes) == 5  # who answered each
