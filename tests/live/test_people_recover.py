"""Humans recover (`recovery.by: people`), with a scripted responder on the live view:
the fault stays in place until the responder carries out the runbook (restarts the store
through supervisord) and answers the manual step on the page; and a responder who never
finishes is cut off by `hard_max`, when gameday reverts the fault itself."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from gameday.demo.stack import DemoStack, free_ports
from gameday.execute.journal import read_journal
from tests.conftest import ROOT

SCENARIO = ROOT / "examples" / "people" / "store-outage-people.yaml"
TOKEN = "facilitator-token-for-tests"


def events(base: str) -> Iterator[dict[str, Any]]:
    """The live page's event stream, read as a browser's EventSource would."""
    request = urllib.request.Request(f"{base}events", headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=200) as stream:
        for raw in stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                yield json.loads(line[6:])


def answer(base: str, ident: int, go: bool) -> None:
    body = json.dumps({"id": ident, "go": go, "author": "responder-bot"}).encode()
    request = urllib.request.Request(
        f"{base}answer",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    urllib.request.urlopen(request, timeout=5).close()


def responder(base: str, stack: DemoStack, log: list[str], restart: bool, after: float) -> None:
    """Gives the go; for the runbook step, waits `after` s, restarts the store if told
    to, then answers (yes when it did restart it)."""
    for event in events(base):
        question = event.get("question") if event["type"] == "snapshot" else event
        if not question or question.get("type", "question") != "question":
            continue
        if "restart it" in question["prompt"]:
            log.append(f"store state at the runbook step: {store_state(stack)}")
            time.sleep(after)
            if restart:
                stack.rpc().supervisor.startProcess("store")
                log.append("restarted the store")
            answer(base, question["id"], restart)
            return
        answer(base, question["id"], True)


def store_state(stack: DemoStack) -> str:
    return str(stack.rpc().supervisor.getProcessInfo("store")["statename"])


def run_with_responder(
    stack: DemoStack, tmp_path: Path, restart: bool, after: float, scenario: Path = SCENARIO
) -> tuple[subprocess.CompletedProcess[str], list[str], list[dict[str, Any]]]:
    (port,) = free_ports(1)
    base = f"http://127.0.0.1:{port}/"
    params = stack.params()
    env = {
        **os.environ,
        "GAMEDAY_LIVE_FACILITATOR_TOKEN": TOKEN,
        "GAMEDAY_STATE": str(tmp_path / "state"),
    }
    argv = [
        sys.executable,
        "-m",
        "gameday",
        "run",
        str(scenario),
        "--set",
        f"frontend_url={params['frontend_url']}",
        "--set",
        f"supervisor_url={params['supervisor_url']}",
        "--serve",
        f"127.0.0.1:{port}",
        "--plain",
        "--reports",
        str(tmp_path / "reports"),
    ]
    runner = subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    log: list[str] = []
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}?token={TOKEN}", timeout=2).close()
            break
        except OSError:
            assert runner.poll() is None and time.monotonic() < deadline, "no live view"
            time.sleep(0.2)
    bot = threading.Thread(target=responder, args=(base, stack, log, restart, after), daemon=True)
    bot.start()
    out, _ = runner.communicate(timeout=300)
    bot.join(timeout=10)
    records = read_journal(next((tmp_path / "reports").rglob("journal.jsonl")))
    return subprocess.CompletedProcess(argv, runner.returncode, out, ""), log, records


def first(records: list[dict[str, Any]], type_: str, **match: Any) -> dict[str, Any]:
    return next(
        r for r in records if r["type"] == type_ and all(r.get(k) == v for k, v in match.items())
    )


def test_people_recover_with_the_fault_still_in_place(stack: DemoStack, tmp_path: Path) -> None:
    done, log, records = run_with_responder(stack, tmp_path, restart=True, after=2.0)
    assert log[0] == "store state at the runbook step: STOPPED", (log, done.stdout[-3000:])
    assert "restarted the store" in log
    manual_end = first(records, "step-end", name="restart the store")
    reverted = first(records, "injection-reverted")
    # gameday reverted only after the people's step ended: the fault stayed in place
    assert reverted["seq"] > manual_end["seq"] and manual_end["ok"] is True
    end = first(records, "scenario-end")
    assert end["outcome"] == "completed", done.stdout[-3000:]
    assert store_state(stack) == "RUNNING"


def test_hard_max_reverts_when_people_do_not_finish(stack: DemoStack, tmp_path: Path) -> None:
    scenario = tmp_path / "short.yaml"
    scenario.write_text(SCENARIO.read_text().replace("hard_max: 150s", "hard_max: 6s"))
    start = time.monotonic()
    done, log, records = run_with_responder(stack, tmp_path, False, 8.0, scenario)
    assert log == ["store state at the runbook step: STOPPED"], done.stdout[-3000:]
    applied, reverted = first(records, "injection-applied"), first(records, "injection-reverted")
    # reverted by the watchdog at hard_max (6 s after injection), while the manual step
    # was still waiting for its answer (answered at ~8 s)
    assert 5.5 <= reverted["t"] - applied["t"] <= 7.5, (applied["t"], reverted["t"])
    assert reverted["seq"] < first(records, "step-end", name="restart the store")["seq"]
    end = first(records, "scenario-end")
    assert end["outcome"] == "recovery-failed" and "hard_max" in end["reason"]
    assert store_state(stack) == "RUNNING"  # the revert restarted it
    assert time.monotonic() - start < 60
