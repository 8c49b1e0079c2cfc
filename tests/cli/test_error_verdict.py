"""A run that could not do its job is `error`, exit 6, with a one-line cause and a hint,
and it is no data point: real processes, a supervisord address where nothing listens."""

from __future__ import annotations

import json
import socket
from pathlib import Path

from gameday.cli.exit_codes import ExitCode
from tests.cli.helpers import gameday


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_supervisor_is_an_error_not_a_fail(tmp_path: Path) -> None:
    port = closed_port()
    done = gameday(
        "run", "scenarios/local/store-outage.yaml", "--plain", "--reports", str(tmp_path),
        "--set", f"supervisor_url=http://127.0.0.1:{port}/RPC2",
        "--set", f"frontend_url=http://127.0.0.1:{closed_port()}/",
    )  # fmt: skip
    assert done.returncode == ExitCode.ERROR.value == 6, done.stdout[-2000:] + done.stderr[-2000:]
    (report,) = tmp_path.glob("store-outage/*/report.json")
    data = json.loads(report.read_text())
    (s,) = data["scenarios"]
    assert (data["verdict"], s["verdict"], s["score"], data["score"]) == (
        "error",
        "error",
        None,
        None,
    )
    (reason,) = s["reasons"]
    assert reason.startswith("error: ") and f"127.0.0.1:{port}" in reason and "hint:" in reason
    assert "Traceback" not in done.stdout + done.stderr and len(reason.splitlines()) == 1
