"""Undo data is data: masking a secret never changes what `recover` reads (#11.1).

A secret may equal anything: a record key (`type`), a fault or program name, a pid, a
path, the scenario's name. Masking used to run over each serialised journal line, so
such a secret rewrote keys, undo data and numbers: `recover` then said nothing was left
injected, or crashed with a KeyError, while the fault stayed live. Here the runner is
SIGKILLed right after the injection with each colliding secret, and `gameday recover`
must really revert the fault."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
from pathlib import Path

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import CRASH_AFTER, read_records
from gameday.model import journal as j
from gameday.model.journal_json import to_json
from gameday.plugins.protocols import Sample
from gameday.redact import MASK, Redactor
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT
from tests.execute.test_journal_model import EXAMPLES


def _strings(node: object) -> set[str]:
    if isinstance(node, str):
        return {node, *node.split("/"), *node.split(":"), *node.split()}
    if isinstance(node, dict):
        return {str(k) for k in node} | {s for v in node.values() for s in _strings(v)}
    if isinstance(node, list | tuple):
        return {s for v in node for s in _strings(v)}
    if isinstance(node, int | float) and not isinstance(node, bool):
        return {str(node)}
    return set()


def _undo_view(record: j.Record) -> dict[str, object]:
    """Everything but the presentation fields (and injection evidence)."""
    data = to_json(record)
    for name in record.PRESENTATION:
        if "." in name:
            outer, inner = name.split(".")
            data[outer] = {**data[outer], inner: None}
        elif name == record.FLAT:
            for key in getattr(record, name):
                data.pop(key, None)
        else:
            data.pop(name, None)
    return data


def _shape(node: object) -> object:
    if isinstance(node, dict):
        return {k: _shape(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_shape(v) for v in node]
    return type(node).__name__


COLLIDING = sorted(s for r in EXAMPLES for s in _strings(to_json(r)) if len(s) >= 4 and s != MASK)


@pytest.mark.parametrize("secret", COLLIDING)
def test_a_secret_equal_to_any_journal_string_changes_no_undo_data(secret: str) -> None:
    redactor = Redactor()
    redactor.add([secret])
    for record in EXAMPLES:
        masked = redactor.record(record)
        assert _undo_view(masked) == _undo_view(record), (secret, type(record).__name__)
        assert _shape(to_json(masked)) == _shape(to_json(record)), "masking changed structure"


def test_presentation_text_is_still_masked() -> None:
    redactor = Redactor()
    redactor.add(["hunter2-pw"])
    step = j.StepEnd(detail="login hunter2-pw failed", output="pw=hunter2-pw")
    masked = redactor.record(step)
    assert (masked.detail, masked.output) == (f"login {MASK} failed", f"pw={MASK}")
    spec = {"name": "hunter2-pw", "description": "uses hunter2-pw", "params": {"password": "x1234"}}
    masked_start = redactor.record(j.ScenarioStart(spec=spec))
    assert masked_start.spec == {
        "name": "hunter2-pw",  # a name other records refer to: kept
        "description": f"uses {MASK}",
        "params": {"password": MASK},  # under a credential key: always masked
    }


def _frontend_pid(stack: DemoStack) -> int:
    info = {i["name"]: i for i in stack.rpc().supervisor.getAllProcessInfo()}
    return int(info["frontend"]["pid"])


def _colliding_secrets(stack: DemoStack) -> dict[str, str]:
    pid = str(_frontend_pid(stack))
    return {
        "record key": "type",
        "injection key": "injection",
        "undo key": "undo",
        "program name": "frontend",
        "pid": pid,
        "target id": f"pid:{pid} frontend",
        "fault name": "process-pause",
        "scenario name": "collide",
        "record key (scenario)": "scenario",
        "supervisor path": "/RPC2",
        "host": "127.0.0.1",
        "record type": "injection-applied",
    }


def test_sigkill_after_injection_then_recover_reverts_with_any_colliding_secret(
    stack: DemoStack, tmp_path: Path
) -> None:
    p = stack.params()
    rows, failures = [], []
    for label, secret in _colliding_secrets(stack).items():
        reports = tmp_path / label.replace(" ", "-").replace("(", "").replace(")", "")
        proc = subprocess.run(
            [
                GAMEDAY,
                "run",
                str(DATA / "local" / "collide.yaml"),
                "--reports",
                str(reports),
                "--set",
                f"frontend_port={stack.ports['public']}",
                "--set",
                f"supervisor_url={p['supervisor_url']}",
                "--set",
                'fault_params={"service": "frontend"}',
                "--set",
                f"api_token={secret}",
            ],
            cwd=ROOT,
            env={**os.environ, CRASH_AFTER: "injection-applied"},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == -signal.SIGKILL, (label, proc.stdout, proc.stderr)
        paused = psutil.Process(_frontend_pid(stack)).status() == psutil.STATUS_STOPPED
        assert paused, f"{label}: the fault was not live after the crash"
        (run_dir,) = reports.glob("collide/*")
        records = read_records(run_dir / "journal.jsonl")
        applied = next(r for r in records if isinstance(r, j.InjectionApplied))
        done = gameday("recover", str(run_dir))
        status = psutil.Process(_frontend_pid(stack)).status()
        ok = done.returncode == 0 and "reverted" in done.stdout and status != "stopped"
        rows.append(f"{label:24} {secret!r:36} {'reverted' if ok else 'LEFT INJECTED'}")
        undo = (
            applied.key,
            applied.injection.fault,
            applied.injection.targets,
            applied.injection.undo,
        )
        if not ok or applied.key != "collide/process-pause" or MASK in str(undo):
            failures.append(f"{rows[-1]}\n{applied}\n{done.stdout}{done.stderr}")
        if status == psutil.STATUS_STOPPED:  # never leave the shared stack paused
            os.kill(_frontend_pid(stack), signal.SIGCONT)
    print("\nsecret collisions (runner SIGKILLed after injection, then `gameday recover`):")
    print("\n".join(rows))
    print(f"cases tried: {len(rows)}, not reverted: {len(failures)}")
    assert failures == [], "\n".join(failures)


def test_recovered_records_say_what_happened_in_order(tmp_path: Path) -> None:
    """(Also #11.10.) A record appended by `recover` comes after the injection in
    both `seq` and `t`, even when the last line on disk is a sample batch (no `t`)."""
    from gameday.execute.journal import Clock, JournalWriter, continuing

    path = tmp_path / "journal.jsonl"
    writer = JournalWriter(path, Clock(offset=100.0))
    writer.write(j.InjectionApplied(key="k"), sync=True)
    writer.sample("s", "web", Sample(100.5, True))
    writer.close()
    later = continuing(path)
    later.write(j.InjectionReverted(key="k", by="recover"), sync=True)
    later.close()
    records = read_records(path)
    applied, batch, reverted = records
    assert isinstance(batch, j.Samples)
    assert reverted.seq == 3 and reverted.t >= applied.t >= 100.0
    assert dataclasses.replace(reverted, seq=0, t=0, wall=0) == j.InjectionReverted(
        key="k", by="recover"
    )
    json.dumps(to_json(reverted))
