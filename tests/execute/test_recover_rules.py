"""`gameday recover` never fights a live run and treats journals as untrusted (#11.5).

Real runners, real processes: a run paused mid-observe is refused by `recover` (and
reverted by `recover --force`, which says what it does); two state directories still
share one host-wide target lock; a journal another user could have written, or whose
undo record the guardrails refuse, is not acted on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import textwrap
from pathlib import Path

import psutil
import pytest

from gameday.demo.stack import DemoStack
from gameday.execute.journal import CRASH_AFTER, JOURNAL, Clock, JournalWriter
from gameday.execute.lock import process_start
from gameday.execute.recover import live_runner
from gameday.execute.waiting import wait_until
from gameday.model import journal as j
from tests.cli.helpers import GAMEDAY, gameday
from tests.conftest import DATA, ROOT


def _frontend(stack: DemoStack) -> psutil.Process:
    info = {i["name"]: i for i in stack.rpc().supervisor.getAllProcessInfo()}
    return psutil.Process(info["frontend"]["pid"])


def _paused(stack: DemoStack) -> bool:
    return _frontend(stack).status() == psutil.STATUS_STOPPED


def _start_pause(
    stack: DemoStack, reports: Path, pause: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    p = stack.params()
    return subprocess.Popen(
        [
            GAMEDAY,
            "run",
            str(DATA / "local" / "pause-frontend.yaml"),
            "--reports",
            str(reports),
            "--set",
            f"frontend_url={p['frontend_url']}",
            "--set",
            f"supervisor_url={p['supervisor_url']}",
            "--set",
            f"pause={pause}",
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_dir(reports: Path) -> Path:
    (run_dir,) = reports.glob("pause-frontend/*")
    return run_dir


def _injected(reports: Path) -> bool:
    found = list(reports.glob("pause-frontend/*/journal.jsonl"))
    return bool(found) and '"type":"injection-applied"' in found[0].read_text()


def test_recover_refuses_a_live_run_and_force_says_what_it_does(
    stack: DemoStack, tmp_path: Path
) -> None:
    runner = _start_pause(stack, tmp_path, "30s")
    try:
        assert wait_until(lambda: _injected(tmp_path), 30, 0.05)
        run_dir = _run_dir(tmp_path)
        refused = gameday("recover", str(run_dir))
        assert refused.returncode == 3, refused.stdout + refused.stderr
        assert f"runner pid {runner.pid}" in refused.stdout and "still running" in refused.stdout
        assert _paused(stack), "recover acted on a live run"
        assert '"by":"recover"' not in (run_dir / JOURNAL).read_text()

        forced = gameday("recover", "--force", str(run_dir))
        assert forced.returncode == 0, forced.stdout + forced.stderr
        assert "--force" in forced.stderr and f"runner pid {runner.pid}" in forced.stderr
        assert "reverted" in forced.stdout
        assert not _paused(stack)
    finally:
        runner.send_signal(signal.SIGINT)
        runner.communicate(timeout=60)
    assert not _paused(stack)


def test_the_target_lock_is_host_wide_and_names_its_holder(
    stack: DemoStack, tmp_path: Path, lock_dir: Path
) -> None:
    """Two users (two state directories) against one host: the second is refused."""
    first = _start_pause(stack, tmp_path / "a", "30s", {"GAMEDAY_STATE": str(tmp_path / "sa")})
    try:
        assert wait_until(lambda: _injected(tmp_path / "a"), 30, 0.05)
        (lock,) = [p for p in lock_dir.glob("local-*.lock") if p.read_text()]
        held = json.loads(lock.read_text())
        assert held["pid"] == first.pid and held["pid_start"] == process_start(first.pid)
        second = _start_pause(stack, tmp_path / "b", "1s", {"GAMEDAY_STATE": str(tmp_path / "sb")})
        out, _ = second.communicate(timeout=60)
        assert second.returncode == 3, out
        assert f"locked by gameday pid {first.pid}" in out
    finally:
        first.send_signal(signal.SIGINT)
        first.communicate(timeout=60)
    assert not _paused(stack)


def _crashed_pause(stack: DemoStack, reports: Path) -> Path:
    runner = _start_pause(stack, reports, "5s", {CRASH_AFTER: "injection-applied"})
    runner.communicate(timeout=60)
    assert runner.returncode == -signal.SIGKILL
    assert _paused(stack)
    return _run_dir(reports)


def test_a_journal_others_could_write_is_not_trusted(stack: DemoStack, tmp_path: Path) -> None:
    run_dir = _crashed_pause(stack, tmp_path)
    try:
        os.chmod(run_dir / JOURNAL, 0o666)
        done = gameday("recover", str(run_dir))
        assert done.returncode == 3 and "writable by other users" in done.stdout, done.stdout
        assert _paused(stack)
        os.chmod(run_dir / JOURNAL, 0o600)
        os.chown(run_dir / JOURNAL, 65534, -1)  # nobody
        done = gameday("recover", str(run_dir))
        assert done.returncode == 3 and "belongs to uid 65534" in done.stdout, done.stdout
        assert _paused(stack)
        os.chown(run_dir / JOURNAL, os.geteuid(), -1)
        assert gameday("recover", str(run_dir)).returncode == 0
        assert not _paused(stack)
    finally:
        if _paused(stack):
            _frontend(stack).send_signal(signal.SIGCONT)


def _project(tmp_path: Path, guardrails: str) -> Path:
    folder = tmp_path / "project"
    folder.mkdir(exist_ok=True)
    (folder / "pyproject.toml").write_text(
        "[tool.gameday.guardrails]\n" + textwrap.dedent(guardrails)
    )
    return folder


def test_recover_all_checks_every_undo_record_against_the_process_allow_list(
    stack: DemoStack, tmp_path: Path
) -> None:
    run_dir = _crashed_pause(stack, tmp_path / "reports")
    try:
        strict = _project(tmp_path, 'local_processes = ["^no-such-program"]\n')
        done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"), cwd=strict)
        assert done.returncode == 3, done.stdout + done.stderr
        assert "REFUSED" in done.stdout and "local-processes" in done.stdout
        assert _paused(stack), "a refused undo record was acted on"
        assert '"by":"recover"' not in (run_dir / JOURNAL).read_text()
        allowed = _project(tmp_path, 'local_processes = ["frontend"]\n')
        done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"), cwd=allowed)
        assert done.returncode == 0, done.stdout + done.stderr
        assert not _paused(stack)
    finally:
        if _paused(stack):
            _frontend(stack).send_signal(signal.SIGCONT)


def _kube_journal(reports: Path, context: str, namespace: str, kubeconfig: Path) -> Path:
    run_dir = reports / "forged" / "run"
    writer = JournalWriter(run_dir / JOURNAL, Clock())
    target = {
        "kind": "kubernetes",
        "params": {"context": context, "kubeconfig": str(kubeconfig), "namespace": "default"},
    }
    writer.write(j.RunStart(run_id="run", name="forged", host="elsewhere-not-checked"))
    writer.write(j.RunEnd())
    writer.write(j.ScenarioStart(scenario="forged", spec={"name": "forged", "target": target}))
    injection = j.InjectionData(
        "namespace-delete", (f"namespace:{namespace}",), {"namespace": namespace}
    )
    writer.write(j.InjectionApplied(scenario="forged", key="forged/x", injection=injection))
    writer.close()
    os.chmod(run_dir / JOURNAL, 0o600)
    return run_dir


@pytest.mark.parametrize(
    ("context", "namespace", "rule"),
    [
        ("prod", "default", "allowed-contexts"),
        ("test", "kube-system", "allowed-namespaces"),
        ("moved", "default", "context-server"),
    ],
)
def test_a_forged_kubernetes_undo_record_is_refused_before_any_request(
    tmp_path: Path, context: str, namespace: str, rule: str
) -> None:
    """Nothing listens on the servers named here: a refusal must come before connecting."""
    kubeconfig = tmp_path / "kubeconfig"
    clusters = {
        "test": "https://127.0.0.1:9",
        "moved": "https://127.0.0.1:10",
        "prod": "https://127.0.0.1:11",
    }
    kubeconfig.write_text(
        json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": n, "cluster": {"server": s}} for n, s in clusters.items()],
                "contexts": [{"name": n, "context": {"cluster": n, "user": "u"}} for n in clusters],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "current-context": "test",
            }
        )
    )
    run_dir = _kube_journal(tmp_path / "reports", context, namespace, kubeconfig)
    project = _project(
        tmp_path,
        """
        [[tool.gameday.guardrails.kube_contexts]]
        name = "test"
        server = "https://127.0.0.1:9"
        namespaces = ["default"]
        [[tool.gameday.guardrails.kube_contexts]]
        name = "moved"
        server = "https://127.0.0.1:12"
        """,
    )
    done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"), cwd=project)
    assert done.returncode == 3, done.stdout + done.stderr
    assert f"refused by guardrail `{rule}`" in done.stdout, done.stdout
    assert '"by":"recover"' not in (run_dir / JOURNAL).read_text()


def test_live_runner_is_pid_and_start_time(tmp_path: Path) -> None:
    me = os.getpid()
    cases: dict[str, tuple[list[j.Record], bool]] = {
        "alive": ([j.RunStart(pid=me, pid_start=process_start(me))], True),
        "pid reused": ([j.RunStart(pid=me, pid_start=(process_start(me) or 0) - 50)], False),
        "finished": ([j.RunStart(pid=me, pid_start=process_start(me)), j.RunEnd()], False),
        "resumed": (
            [
                j.RunStart(pid=1, pid_start=1.0),
                j.RunEnd(),
                j.RunResumed(pid=me, pid_start=process_start(me)),
            ],
            True,
        ),
    }
    for name, (records, alive) in cases.items():
        path = tmp_path / name / JOURNAL
        writer = JournalWriter(path, Clock())
        for record in records:
            writer.write(record)
        writer.close()
        assert (live_runner(path.parent) is not None) == alive, name


def test_a_forged_file_undo_record_outside_the_path_allow_list_is_refused(
    tmp_path: Path,
) -> None:
    """disk-fill's revert deletes the file its undo names: a forged journal must not
    make `recover` delete a file outside `local_paths`."""
    precious = tmp_path / "elsewhere" / "precious.db"
    precious.parent.mkdir()
    precious.write_text("keep me\n")
    allowed = tmp_path / "fill-here"
    allowed.mkdir()
    run_dir = tmp_path / "reports" / "forged" / "run"
    writer = JournalWriter(run_dir / JOURNAL, Clock())
    writer.write(j.RunStart(run_id="run", name="forged"))
    writer.write(j.RunEnd())
    spec = {"name": "forged", "target": {"kind": "local", "params": {}}}
    writer.write(j.ScenarioStart(scenario="forged", spec=spec))
    injection = j.InjectionData("disk-fill", (f"file:{precious}",), {"file": str(precious)})
    writer.write(j.InjectionApplied(scenario="forged", key="forged/disk-fill", injection=injection))
    writer.close()
    project = _project(tmp_path, f'local_paths = ["{allowed}"]\n')
    done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"), cwd=project)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "refused by guardrail `local-paths`" in done.stdout, done.stdout
    assert precious.read_text() == "keep me\n"
    # the negative control: allowed there, the same record is acted on (and deletes it)
    lax = _project(tmp_path, f'local_paths = ["{allowed}", "{precious.parent}"]\n')
    done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"), cwd=lax)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not precious.exists()


def test_a_malformed_journal_is_refused_with_a_reason_not_a_traceback(tmp_path: Path) -> None:
    run_dir = tmp_path / "reports" / "forged" / "run"
    run_dir.mkdir(parents=True)
    lines = [
        {"seq": 1, "type": "run-start", "t": 0, "wall": 1.0, "name": "forged"},
        {"seq": 2, "type": "scenario-end", "outcome": "exploded"},  # refused by its type
        {"seq": 3, "type": "injection-applied", "t": 1, "key": "x/y", "injection": {}},
    ]
    (run_dir / JOURNAL).write_text("".join(json.dumps(x) + "\n" for x in lines))
    os.chmod(run_dir / JOURNAL, 0o600)
    done = gameday("recover", "--all", "--reports", str(tmp_path / "reports"))
    assert done.returncode == 3, done.stdout + done.stderr
    assert "journal malformed: injection 'x/y' (seq 3)" in done.stdout
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
