"""The tiers are read off the code (tests/tiers.py): a test that starts processes is
`slow` wherever the process is started from, and a `pure` one that does anyway is
caught while it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from tests import conftest
from tests.cli import test_cli
from tests.cli.helpers import gameday
from tests.score import test_score
from tests.tiers import SpawnReader, Spawns


def _runs_the_command() -> None:
    gameday("--version")


def _calls_a_helper_that_runs_it() -> None:
    _runs_the_command()


def _imports_the_helper_where_it_runs_it() -> None:
    from tests.cli.helpers import gameday

    gameday("--version")


def _spawns_in_a_lambda() -> object:
    return lambda: subprocess.run(["true"], check=True)


def _shells_out() -> None:
    os.system("true")


def _only_reads_paths() -> bool:
    return os.path.exists(os.path.join("a", "b")) and sys.platform == "linux"


class _Runner:
    def go(self) -> None:
        _calls_a_helper_that_runs_it()


def _uses_the_runner() -> None:
    _Runner().go()


@pytest.mark.parametrize(
    "function",
    [
        _runs_the_command,
        _calls_a_helper_that_runs_it,
        _imports_the_helper_where_it_runs_it,
        _spawns_in_a_lambda,
        _shells_out,
        _uses_the_runner,
        test_cli.test_top_level_help_lists_every_command_and_exit_codes,
    ],
)
def test_code_that_starts_processes_is_seen(function: object) -> None:
    assert SpawnReader().starts_processes(function)


@pytest.mark.parametrize("function", [_only_reads_paths, test_score.test_clean_run_scores_100])
def test_code_that_does_not_is_not(function: object) -> None:
    assert not SpawnReader().starts_processes(function)


def test_the_audit_hook_sees_a_process_started_by_a_running_test(
    request: pytest.FixtureRequest,
) -> None:
    """Raised by hand (the event subprocess.Popen raises before it forks): the hook is
    installed, and attributes the process to this test, which the guard would fail."""
    node = request.node.nodeid
    assert node not in conftest.SPAWNS.started
    sys.audit("subprocess.Popen", "/bin/true", ["/bin/true"], None, None)
    try:
        assert conftest.SPAWNS.started[node].startswith("subprocess.Popen ['/bin/true']")
    finally:
        del conftest.SPAWNS.started[node]  # not a real process: the guard must not fail us


def test_only_process_events_during_a_test_count() -> None:
    spawns = Spawns()
    spawns.audit("subprocess.Popen", ("/bin/true", ["/bin/true"], None, None))
    assert spawns.started == {}, "no test running: nothing to attribute"
    spawns.running = "t"
    spawns.audit("open", ("/etc/hosts", "r", 0))
    spawns.audit("socket.connect", (None, ("127.0.0.1", 9)))
    assert spawns.started == {}
    spawns.audit("os.system", (b"true",))
    spawns.audit("subprocess.Popen", ("/bin/false", ["/bin/false"], None, None))
    assert spawns.started == {"t": "os.system (b'true',)"}, "the first one is named"


def test_a_process_started_by_another_thread_is_not_blamed_on_the_test() -> None:
    spawns = Spawns()
    spawns.running = "t"
    thread = threading.Thread(target=spawns.audit, args=("os.system", (b"true",)))
    thread.start()
    thread.join()
    assert spawns.started == {}
    spawns.audit("os.system", (b"true",))
    assert spawns.started == {"t": "os.system (b'true',)"}
