"""The command line: exit codes, messages, help, and each command's output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from gameday.templates import template_names
from tests.cli.helpers import gameday
from tests.conftest import DATA, ROOT

COMMANDS = [
    "run",
    "demo",
    "report",
    "recover",
    "resume",
    "proxy",
    "validate",
    "lint",
    "schema",
    "list",
    "new",
]


def test_library_validates() -> None:
    done = gameday("validate", "scenarios", "drills")
    assert done.returncode == 0, done.stderr
    assert "file(s) valid" in done.stderr


def test_broken_copy_exits_2_with_located_messages(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    victim = tmp_path / "scenarios" / "local" / "store-outage.yaml"
    victim.write_text(
        victim.read_text().replace("  duration: 3s", "  durtion: 3s").replace("rto: 8s", "rto: 8")
    )
    lines = victim.read_text().splitlines()
    durtion = lines.index("  durtion: 3s") + 1
    rto = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("rto: 8 "))
    done = gameday("validate", str(tmp_path / "scenarios"))
    assert done.returncode == 2
    assert f"{victim}:{durtion}:3: error: unknown key `durtion`" in done.stderr
    assert "hint: did you mean `duration`?" in done.stderr
    assert f"{victim}:{rto}:3: error: `recovery.rto`: invalid duration 8" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_every_broken_file_exits_2_without_traceback() -> None:
    done = gameday("validate", str(DATA / "broken"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr + done.stdout
    for broken in sorted((DATA / "broken").glob("*.yaml")):
        assert f"{broken}:" in done.stderr, broken.name


def test_top_level_help_lists_every_command_and_exit_codes() -> None:
    done = gameday("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert f"\n  {command} " in done.stdout
    assert "2 bad input" in done.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_subcommand_help_is_consistent(command: str) -> None:
    done = gameday(command, "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Usage: gameday {command} [OPTIONS]")
    summary = done.stdout.split("\n\n")[1].strip()
    assert summary[0].isupper() and len(summary) > 20  # a sentence saying what it does
    options = done.stdout.split("Options:")[1]
    for line in options.splitlines():
        if line.strip().startswith("--") and "--help" not in line:
            assert len(line.split("  ")) > 1 or line.strip().endswith("]"), (
                f"undocumented option: {line}"
            )


def test_unknown_option_is_a_usage_error() -> None:
    done = gameday("validate", "--frobnicate", "scenarios")
    assert done.returncode == 2 and "No such option" in done.stderr


def test_schema_is_json_with_plugin_params() -> None:
    done = gameday("schema", "--kind", "scenario")
    schema = json.loads(done.stdout)
    fault = schema["$defs"]["FaultSpec"]
    assert "process-kill" in fault["properties"]["type"]["anyOf"][0]["enum"]
    kill = next(
        rule
        for rule in fault["allOf"]
        if rule["if"]["properties"]["type"]["const"] == "process-kill"
    )
    params = kill["then"]["properties"]["params"]["anyOf"][0]["$ref"]
    assert params == "#/$defs/fault.process-kill"
    assert "signal" in schema["$defs"]["fault.process-kill"]["properties"]
    assert gameday("schema", "--kind", "nope").returncode == 2


def test_list_json_and_owner_filter() -> None:
    rows = json.loads(gameday("list", "scenarios", "--output", "json").stdout)
    assert {r["name"] for r in rows} >= {"web-replica-kill", "checkout-pod-delete"}
    mine = json.loads(
        gameday("list", "scenarios", "--owner", "checkout-squad", "--output", "json").stdout
    )
    assert [r["name"] for r in mine] == [
        "checkout-bad-config",
        "checkout-pod-delete",
        "checkout-pod-latency",
    ]
    assert all(r["owner"] == "checkout-squad" for r in mine)


@pytest.mark.parametrize("template", template_names())
def test_new_scenario_from_each_template_validates(tmp_path: Path, template: str) -> None:
    target = tmp_path / "new.yaml"
    done = gameday(
        "new",
        "scenario",
        "--template",
        template,
        "--name",
        "fresh-one",
        "--owner",
        "sq",
        "-o",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    assert "name: fresh-one" in target.read_text()
    assert gameday("validate", str(target)).returncode == 0
    again = gameday("new", "scenario", "--template", template, "-o", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_new_with_unknown_template_suggests() -> None:
    done = gameday("new", "scenario", "--template", "pod-kil")
    assert done.returncode == 2 and "did you mean `pod-kill`?" in done.stderr


def test_lint_severities_come_from_pyproject(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    source = (ROOT / "scenarios/local/frontend-latency.yaml").read_text()
    scenario.write_text(
        source.replace("  owner: storefront-squad\n", "").replace("  rto: 2s\n", "")
    )
    (tmp_path / "pyproject.toml").write_text("[tool.gameday.lint]\nmax_blast_radius = 1\n")
    done = gameday("lint", str(scenario), cwd=tmp_path)
    assert done.returncode == 2
    assert "error[missing-rto]" in done.stderr and "warning[missing-owner]" in done.stderr
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gameday.lint.rules]\nmissing-rto = "warning"\nmissing-owner = "off"\n'
    )
    relaxed = gameday("lint", str(scenario), cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "warning[missing-rto]" in relaxed.stderr and "missing-owner" not in relaxed.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.gameday.lint.rules]\nmissing-rot = "off"\n')
    typo = gameday("lint", str(scenario), cwd=tmp_path)
    assert typo.returncode == 2 and "unknown lint rule `missing-rot`" in typo.stderr


def test_lint_flags_blast_radius_context_and_abort(tmp_path: Path) -> None:
    source = (ROOT / "scenarios/kubernetes/checkout-pod-delete.yaml").read_text()
    broken = source.replace('  context: "{{ context }}"\n', "").replace(
        "max_targets: 3", "max_targets: 9"
    )
    broken = broken.split("abort_when:")[0] + "recovery:" + broken.split("recovery:")[1]
    (tmp_path / "s.yaml").write_text(broken)
    done = gameday("lint", str(tmp_path / "s.yaml"), cwd=tmp_path)
    for rule in ("implicit-context", "blast-radius", "missing-abort-when"):
        assert f"error[{rule}]" in done.stderr, done.stderr
    assert done.returncode == 2


def test_run_with_bad_input_touches_nothing(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    done = gameday("run", str(DATA / "broken" / "wrong-types.yaml"), "--reports", str(reports))
    assert done.returncode == 2 and not reports.exists()
    bad_set = gameday(
        "run", "scenarios/local/store-outage.yaml", "--set", "novalue", "--reports", str(reports)
    )
    assert bad_set.returncode == 2 and "is not KEY=VALUE" in bad_set.stderr and not reports.exists()


def test_report_on_a_directory_without_journal(tmp_path: Path) -> None:
    done = gameday("report", str(tmp_path))
    assert done.returncode == 2 and "no journal here" in done.stderr


def test_values_files_and_set_layer_in_order(tmp_path: Path) -> None:
    from gameday.cli.params import parse_overrides

    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("replicas: 1\nnested: {a: 1, b: 1}\n")
    second.write_text("nested: {b: 2}\n")
    merged = parse_overrides(["nested.c=3", "replicas=4", "name=web"], [first, second])
    assert merged == {"replicas": 4, "nested": {"a": 1, "b": 2, "c": 3}, "name": "web"}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("0s", "--approval-timeout: must be longer than 0s"),
        ("0", "--approval-timeout: invalid duration '0'"),
        ("-5s", "--approval-timeout: invalid duration '-5s'"),
        ("soon", "--approval-timeout: invalid duration 'soon'"),
        ("999h", "--approval-timeout: duration '999h' is longer than 30 days"),
    ],
)
def test_a_bad_approval_timeout_is_refused_before_anything_runs(
    tmp_path: Path, value: str, says: str
) -> None:
    done = gameday(
        "run",
        str(DATA / "dr" / "command-fault.yaml"),
        "--reports",
        str(tmp_path),
        "--approval-timeout",
        value,
    )
    assert done.returncode == 2 and says in done.stderr, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and not list(tmp_path.iterdir())
