"""Secrets never appear in journals, logs or reports: every artefact of a run that used
them is grepped."""

from __future__ import annotations

from pathlib import Path

from gameday.demo.stack import DemoStack
from tests.cli.helpers import gameday
from tests.conftest import DATA

SECRETS = ["tok-9f8e7d6c5b4a", "pw-hunter2-XYZ", "url-pass-4711"]


def test_no_artefact_of_a_run_contains_a_secret(stack: DemoStack, tmp_path: Path) -> None:
    done = gameday(
        "run",
        str(DATA / "local" / "secrets.yaml"),
        "--reports",
        str(tmp_path),
        "--set",
        f"frontend_host_port=127.0.0.1:{stack.ports['public']}",
        "--set",
        f"proxy_admin={stack.params()['proxy_admin']}",
    )
    (run_dir,) = tmp_path.glob("secrets/*")
    artefacts = {path.name: path.read_text() for path in run_dir.iterdir()}
    artefacts |= {"stdout": done.stdout, "stderr": done.stderr}
    assert set(artefacts) >= {
        "journal.jsonl",
        "report.html",
        "report.json",
        "report.md",
        "junit.xml",
    }
    for name, text in artefacts.items():
        for secret in SECRETS:
            assert secret not in text, f"{secret} leaked into {name}"
    journal = artefacts["journal.jsonl"]
    assert journal.count("***") >= 4  # the values were there, and were masked
    assert (
        '"output":"connecting with *** as gd-user' in journal
    )  # command output scrubbed, rest kept
    # the failing rollback step makes the run exit 5: the environment may not be restored
    assert done.returncode == 5
    assert "rollback step 'a failing step that leaks' failed: exit 3" in done.stdout
