"""The pieces DR drills are built from, on real files and processes: the `command`
fault (including a crash mid-drill and `gameday recover`), real pid files, deleting a
directory tree, and the audit arithmetic."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gameday.errors import RefusedError, StateError, TargetError
from gameday.execute.journal import CRASH_AFTER
from gameday.targets.local.command import CommandFault, CommandFaultParams
from gameday.targets.local.datawriter import audit_records
from gameday.targets.local.disk import FileDelete, FileDeleteParams
from gameday.targets.local.selector import ProcessSelector, select_processes
from gameday.targets.local.target import LocalParams, LocalSession
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT


def test_command_fault_selects_injects_and_reverts_idempotently(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    params = CommandFaultParams(
        select=["echo", "one\n\ntwo"],
        inject=["sh", "-c", 'echo hi > "$0" && echo done', str(marker)],
        revert=["rm", "-f", str(marker)],
    )
    fault = CommandFault()
    planned = fault.select(params, None)
    assert planned.targets == ("one", "two") and not marker.exists()
    applied = fault.inject(planned, params, None)
    assert marker.read_text() == "hi\n" and applied.evidence["inject_output"] == "done\n"
    fault.revert(applied, None)
    fault.revert(applied, None)  # twice is harmless
    assert not marker.exists()


def test_command_fault_env_is_kept_out_of_the_undo_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Env values may be secrets and undo data is journaled unmasked: they go to a
    private state file (0600) the revert reads back, and that file goes with the revert."""
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    marker, secret = tmp_path / "marker", "s3cr3t-Pa55"
    check = 'test "$DB_PASSWORD" = "$(cat "$1")" && '  # the expected value from a file
    expected = tmp_path / "expected"
    expected.write_text(secret)
    params = CommandFaultParams(
        inject=["sh", "-c", check + 'touch "$0"', str(marker), str(expected)],
        revert=["sh", "-c", check + 'rm -f "$0"', str(marker), str(expected)],
        env={"DB_PASSWORD": secret},
    )
    fault = CommandFault()
    planned = fault.select(params, None)
    assert secret not in json.dumps(planned.undo), planned.undo
    saved = Path(planned.undo["env_saved"])
    assert not saved.exists(), "planning writes nothing (dry runs plan too)"
    applied = fault.inject(planned, params, None)
    assert marker.exists() and saved.stat().st_mode & 0o077 == 0
    fault.revert(applied, None)  # fails unless the revert got the password back
    assert not marker.exists() and not saved.exists()
    fault.revert(applied, None)  # twice is harmless


def test_a_crash_before_the_env_was_saved_reverts_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    params = CommandFaultParams(inject=["true"], revert=["sh", "-c", "exit 9"], env={"TOKEN": "t"})
    fault = CommandFault()
    fault.revert(fault.select(params, None), None)  # inject never ran: no revert command


def test_command_fault_failures_are_errors_with_the_output(tmp_path: Path) -> None:
    fault = CommandFault()
    failing = CommandFaultParams(
        inject=["sh", "-c", "echo no space left >&2; exit 3"], revert=["true"]
    )
    with pytest.raises(TargetError, match=r"exited 3.*no space left"):
        fault.inject(fault.select(failing, None), failing, None)
    hanging = CommandFaultParams(inject=["sleep", "30"], revert=["true"], timeout="300ms")
    with pytest.raises(TargetError, match=r"timed out after 0\.3s"):
        fault.inject(fault.select(hanging, None), hanging, None)
    bad_select = CommandFaultParams(select=["false"], inject=["true"], revert=["true"])
    with pytest.raises(TargetError, match="`select` command false exited 1"):
        fault.select(bad_select, None)
    empty = CommandFaultParams(select=["true"], inject=["true"], revert=["true"])
    assert fault.select(empty, None).targets == ()  # an empty selection: the runner refuses it


def crash(scenario: Path, reports: Path, marker: Path, point: str) -> None:
    """Runs a command-fault scenario that the runner SIGKILLs itself at `point`."""
    argv = [GAMEDAY, "run", str(scenario), "--reports", str(reports), "--auto-approve"]
    proc = subprocess.run(
        [*argv, "--set", f"marker={marker}", "--set", "duration=30s"],
        cwd=ROOT,
        env={**os.environ, CRASH_AFTER: point},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stdout[-2000:] + proc.stderr[-2000:]


@pytest.mark.parametrize("point", ["injection-planned", "injection-applied", "phase:observe"])
def test_a_crash_mid_drill_is_reverted_by_recover(tmp_path: Path, point: str) -> None:
    marker = tmp_path / "marker"
    crash(DATA / "dr" / "command-fault.yaml", tmp_path / "r", marker, point)
    if point != "injection-planned":
        assert marker.exists(), "the crash happened before the fault landed"
    (run_dir,) = (tmp_path / "r").glob("command-fault/*")
    first = gameday("recover", str(run_dir))
    assert first.returncode == 0, first.stdout + first.stderr
    assert not marker.exists(), "recover did not run the revert command"
    again = gameday("recover", str(run_dir))
    assert again.returncode == 0 and "reverted" not in again.stdout.replace("nothing left", "")


def test_the_drill_passes_end_to_end(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    done = gameday(
        "run",
        str(DATA / "dr" / "command-fault.yaml"),
        "--reports",
        str(tmp_path / "r"),
        "--auto-approve",
        "--set",
        f"marker={marker}",
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert not marker.exists()


def test_a_real_pid_file_with_more_lines_selects_its_first_line(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        pid_file = tmp_path / "postmaster.pid"
        # PostgreSQL's layout: PID, data directory, start time, port, socket dir, ...
        pid_file.write_text(f"{sleeper.pid}\n{tmp_path}\n1795890000\n5432\n/tmp\n127.0.0.1\n")
        session = LocalSession(LocalParams())
        found = select_processes(ProcessSelector(pid_file=str(pid_file)), session)
        assert [p.pid for p in found] == [sleeper.pid]
        pid_file.write_text("not-a-pid\n42\n")
        with pytest.raises(TargetError, match="does not start with a PID"):
            select_processes(ProcessSelector(pid_file=str(pid_file)), session)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_file_delete_removes_a_tree_and_puts_it_back(tmp_path: Path) -> None:
    tree = tmp_path / "data"
    (tree / "base" / "1").mkdir(parents=True)
    (tree / "base" / "1" / "16384").write_bytes(b"\x00" * 8192)
    (tree / "PG_VERSION").write_text("15\n")
    os.chmod(tree, 0o700)
    fault = FileDelete()
    with pytest.raises(TargetError, match="is a directory"):
        fault.select(FileDeleteParams(path=str(tree)), None)
    params = FileDeleteParams(path=str(tree), recursive=True)
    applied = fault.inject(fault.select(params, None), params, None)
    assert applied.targets == (f"dir:{tree}",) and not tree.exists()
    fault.revert(applied, None)
    assert (tree / "base" / "1" / "16384").stat().st_size == 8192
    assert (tree / "PG_VERSION").read_text() == "15\n" and tree.stat().st_mode & 0o777 == 0o700
    # Restored by the runbook: the safety copy goes, the restored tree stays.
    applied = fault.inject(fault.select(params, None), params, None)
    tree.mkdir()
    (tree / "restored").write_text("yes")
    fault.revert(applied, None)
    assert [p.name for p in tree.iterdir()] == ["restored"]
    assert not Path(applied.undo["safety"]).exists()


@pytest.mark.parametrize("path", ["/", "/tmp", "/usr", str(Path.home()), str(Path.cwd())])
def test_file_delete_refuses_trees_that_must_never_go(path: str) -> None:
    with pytest.raises(RefusedError):
        FileDelete().select(FileDeleteParams(path=path, recursive=True), None)


def test_audit_arithmetic() -> None:
    # 20 Hz writer: writes 1-10 acknowledged at t = 0.00 .. 0.45; 7 failed (never acked).
    acked = {seq: (seq - 1) * 0.05 for seq in range(1, 11) if seq != 7}
    # The store holds 1-4 and 8-10 (a restore, then new writes), 6 lost, and 7, which
    # the writer never saw acknowledged (an ambiguous commit), and 3 replayed late.
    stored = [1, 2, 4, 7, 8, 9, 10, 3]
    a = audit_records(acked, stored, every=0.05, writer="w", store="test", attempted=10)
    assert (a.acknowledged, a.missing) == (9, 2)  # 5 and 6
    assert (a.first_missing_seq, a.last_missing_seq) == (5, 6)
    assert a.lost_span == pytest.approx(0.25 - 0.20 + 0.05)  # t(6) - t(5) + one interval
    assert a.restore_point_seq == 4 and a.restore_point_t == pytest.approx(0.15)
    assert a.lost_ranges == 1 and a.out_of_order == 1 and a.unacknowledged_kept == 1
    holes = audit_records(acked, [1, 3, 5, 8], every=0.05, writer="w", store="t", attempted=10)
    assert holes.lost_ranges == 4 and holes.restore_point_seq == 1  # 2 | 4 | 6 | 9-10


def test_a_state_dir_that_cannot_take_the_env_stops_the_inject_before_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not a directory, read-only or full: a clear error naming the place, and neither
    the inject command nor (later, in rollback) the revert command runs."""
    state = tmp_path / "state"
    monkeypatch.setenv("GAMEDAY_STATE", str(state))
    state.mkdir()
    (state / "undo").write_text("")  # where the env file goes is not a directory
    marker, reverted = tmp_path / "marker", tmp_path / "reverted"
    params = CommandFaultParams(
        inject=["touch", str(marker)], revert=["touch", str(reverted)], env={"TOKEN": "t"}
    )
    fault = CommandFault()
    planned = fault.select(params, None)
    with pytest.raises(StateError, match=r"inject command did not run.*undo: ") as raised:
        fault.inject(planned, params, None)
    assert "GAMEDAY_STATE" in (raised.value.hint or "")
    fault.revert(planned, None)
    assert not marker.exists() and not reverted.exists()


def test_a_full_disk_leaves_no_half_written_env_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    marker, reverted = tmp_path / "marker", tmp_path / "reverted"
    params = CommandFaultParams(
        inject=["touch", str(marker)], revert=["touch", str(reverted)], env={"TOKEN": "t"}
    )
    fault = CommandFault()
    planned = fault.select(params, None)

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StateError, match="No space left on device"):
        fault.inject(planned, params, None)
    monkeypatch.undo()
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    assert list((tmp_path / "state" / "undo").iterdir()) == [], "nothing half written"
    fault.revert(planned, None)  # a partial file would have run the revert (or crashed it)
    assert not marker.exists() and not reverted.exists()


def env_scenario(tmp_path: Path, extra: str = "") -> Path:
    """The command-fault drill with a secret in env that its revert needs back."""
    text = (DATA / "dr" / "command-fault.yaml").read_text()
    old = '    revert: [rm, -f, "{{ marker }}"]\n'
    assert old in text
    revert = '    revert: [sh, -c, \'test "$TOKEN" = t0k3n && rm -f "$0"\', "{{ marker }}"]\n'
    text = text.replace(old, revert + "    env: {TOKEN: t0k3n}\n" + extra)
    if extra:  # the fault stays during recovery: it cannot wait for the marker to go
        step = "{name: marker gone, type: wait_for, params: {probe: marker-absent, successes: 2}"
        assert step in text
        text = text.replace(
            step, "{name: look, type: command, params: {argv: [test, -f, '{{ marker }}']}"
        )
    scenario = tmp_path / "command-fault.yaml"
    scenario.write_text(text)
    return scenario


def undo_files(state: Path) -> list[Path]:
    return sorted((state / "undo").glob("command-env-*")) if (state / "undo").is_dir() else []


@pytest.mark.parametrize("extra", ["", "    revert_after_recovery: true\n"])
def test_the_env_file_goes_with_the_revert_and_a_dry_run_writes_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("GAMEDAY_STATE", str(state))
    marker, scenario = tmp_path / "marker", env_scenario(tmp_path, extra)
    run = ["run", str(scenario), "--reports", str(tmp_path / "r"), "--auto-approve"]
    dry = gameday(*run, "--set", f"marker={marker}", "--dry-run")
    assert dry.returncode == 0, dry.stdout[-3000:]
    assert undo_files(state) == [] and not marker.exists()
    done = gameday(*run, "--set", f"marker={marker}")
    # the revert saw TOKEN (else exit 5); a fault kept through recovery fails verify (1)
    assert done.returncode == (1 if extra else 0), done.stdout[-3000:]
    assert not marker.exists() and undo_files(state) == []


def test_recover_after_a_crash_reads_the_env_file_and_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    monkeypatch.setenv("GAMEDAY_STATE", str(state))
    marker = tmp_path / "marker"
    crash(env_scenario(tmp_path), tmp_path / "r", marker, "injection-applied")
    assert marker.exists() and len(undo_files(state)) == 1
    (run_dir,) = (tmp_path / "r").glob("command-fault/*")
    assert "t0k3n" not in (run_dir / "journal.jsonl").read_text().replace("= t0k3n &&", "")
    first = gameday("recover", str(run_dir))
    assert first.returncode == 0, first.stdout + first.stderr
    assert not marker.exists(), "recover did not run the revert command with its env"
    assert undo_files(state) == []


@pytest.mark.parametrize("damage", ["corrupt", "a directory"])
def test_an_env_file_that_cannot_be_read_is_a_revert_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    """Edited by hand, or not readable by whoever runs recover: the revert fails as a
    revert does (RollbackError territory: a GamedayError naming the file), never with a
    traceback that leaves no record of what is still injected."""
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    params = CommandFaultParams(inject=["true"], revert=["true"], env={"TOKEN": "t"})
    fault = CommandFault()
    applied = fault.inject(fault.select(params, None), params, None)
    saved = Path(applied.undo["env_saved"])
    saved.unlink()
    if damage == "corrupt":
        saved.write_text('{"TOKEN": ')
    else:
        saved.mkdir()
    with pytest.raises(StateError, match=f"cannot read {saved}") as raised:
        fault.revert(applied, None)
    assert "GAMEDAY_STATE" in (raised.value.hint or "")
