"""Params a scenario does not declare are refused before anything runs (#12.5): a typo in
`--set`, `--values`, a drill's `params` or a drill entry's `params` is exit 2 with a
did-you-mean, never a silent fall-back to the default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gameday.errors import InputError
from gameday.validate import load
from tests.cli.helpers import gameday
from tests.conftest import ROOT

KILL = ROOT / "scenarios" / "local" / "web-replica-kill.yaml"
WEEKLY = ROOT / "drills" / "storefront-weekly.yaml"


def problems(path: Path, params: dict[str, object] | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load(path, params)
    return [f"{p.location}: {p.message} | {p.hint}" for p in caught.value.problems]


def test_set_typo_exits_2_before_anything_runs(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    done = gameday("run", str(KILL), "--reports", str(reports), "--set", "frontend_ulr=http://x/")
    assert done.returncode == 2
    assert "unknown parameter `frontend_ulr`: not declared by web-replica-kill.yaml" in done.stderr
    assert "did you mean `frontend_url`?" in done.stderr
    assert not reports.exists() and "Traceback" not in done.stderr


def test_values_file_entry_and_nested_set_are_checked_by_their_top_key(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text("frontend_url: http://127.0.0.1:9/\nreplicas: 3\n")
    done = gameday("validate", str(KILL))  # the file itself is fine
    assert done.returncode == 0
    done = gameday("run", str(KILL), "--values", str(values), "--set", "supervisr.url=x")
    assert done.returncode == 2
    assert "unknown parameter `replicas`" in done.stderr
    assert "unknown parameter `supervisr`" in done.stderr
    assert "did you mean `supervisor_url`?" in done.stderr
    assert "frontend_url`:" not in done.stderr


def test_a_param_only_used_in_a_template_is_declared(tmp_path: Path) -> None:
    text = KILL.read_text().replace("  supervisor_url: ", "  unused_default: ")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(text)
    assert "unknown parameter `supervisor_url`" not in "\n".join(problems(scenario))
    loaded = load(scenario, {"supervisor_url": "http://127.0.0.1:1/RPC2"})
    assert loaded.target.params.supervisor == "http://127.0.0.1:1/RPC2"  # type: ignore[union-attr]


def test_drill_entry_param_typo_is_located_in_the_drill(tmp_path: Path) -> None:
    drill = tmp_path / "drills" / "weekly.yaml"
    drill.parent.mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    drill.write_text(WEEKLY.read_text().replace("{namespace: payments-staging}", "{namespce: x}"))
    line = next(i for i, t in enumerate(drill.read_text().splitlines(), 1) if "namespce" in t)
    [found] = problems(drill)
    assert found.startswith(f"{drill}:{line}:")
    assert "unknown parameter `namespce`: not declared by ../scenarios/kubernetes/" in found
    assert "did you mean `namespace`?" in found


def test_drill_params_need_one_scenario_to_declare_them(tmp_path: Path) -> None:
    drill = tmp_path / "drills" / "weekly.yaml"
    drill.parent.mkdir()
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    # `namespace` is declared by some scenarios of the drill: fine as a shared param
    drill.write_text(
        WEEKLY.read_text().replace("  context: staging", "  context: x\n  namespace: y")
    )
    assert load(drill).name == "storefront-weekly"
    drill.write_text(WEEKLY.read_text().replace("  context: staging", "  contxt: staging"))
    [found] = problems(drill)
    assert f"{drill}:12:3: unknown parameter `contxt`: not declared by any scenario" in found
    assert "did you mean `context`?" in found
    [found] = problems(WEEKLY, {"namespac": "x"})
    assert found.startswith("--set/--values: unknown parameter `namespac`")


def test_pytest_plugin_refuses_a_set_no_collected_scenario_declares() -> None:
    def collect(*sets: str) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "pytest", "--gameday", "scenarios/local", "--collect-only"]
        argv += ["-q", "-p", "no:cacheprovider"]
        for item in sets:
            argv += ["--gameday-set", item]
        return subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=120)

    # `data_file` is declared by one scenario only: shared sets need just one
    assert collect("frontend_url=http://127.0.0.1:1/", "data_file=/tmp/x").returncode == 0
    done = collect("frontend_ulr=http://127.0.0.1:1/")
    assert done.returncode == 4  # pytest's usage error
    assert "unknown parameter `frontend_ulr`" in done.stderr + done.stdout
    assert "did you mean `frontend_url`?" in done.stderr + done.stdout
