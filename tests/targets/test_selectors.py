"""Process selection on the local target, against the real demo stack's processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from gameday.demo.stack import DemoStack
from gameday.targets.local.selector import ProcessSelector, select_processes
from gameday.targets.local.target import LocalParams, LocalSession


def frontend_pid(stack: DemoStack) -> int:
    return int(
        next(
            i["pid"] for i in stack.rpc().supervisor.getAllProcessInfo() if i["name"] == "frontend"
        )
    )


def test_each_selector_finds_the_front_end(stack: DemoStack, tmp_path: Path) -> None:
    session = LocalSession(LocalParams(supervisor=stack.supervisor_url))
    pid = frontend_pid(stack)
    pid_file = tmp_path / "frontend.pid"
    pid_file.write_text(f"{pid}\n")
    selectors = {
        "service": ProcessSelector(service="frontend"),
        "port": ProcessSelector(port=stack.ports["frontend"]),
        "pid_file": ProcessSelector(pid_file=str(pid_file)),
        "pattern": ProcessSelector(
            pattern=rf"gameday\.demo\.services frontend --port {stack.ports['frontend']}\b"
        ),
    }
    for key, selector in selectors.items():
        assert [p.pid for p in select_processes(selector, session)] == [pid], key


def test_the_runner_never_selects_itself() -> None:
    session = LocalSession(LocalParams())
    found = select_processes(ProcessSelector(pattern="pytest|python"), session)
    assert os.getpid() not in {p.pid for p in found}


def test_selector_takes_exactly_one_key() -> None:
    with pytest.raises(ValidationError, match="exactly one of"):
        ProcessSelector(name="a", port=80)
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        ProcessSelector(pattern="(unclosed")
