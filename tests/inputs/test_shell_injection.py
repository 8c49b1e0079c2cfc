"""Values substituted into `shell:` command lines stay literal: no payload from `--set`,
`--values` or a drill's params ever runs, checked by running the real CLI and looking
for the files the payloads would have created."""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from gameday.errors import InputError
from gameday.execute.actions import Command, CommandParams
from gameday.model.scenario import Drill, Scenario
from gameday.template import TemplateFailure, quoted_template, render_string
from gameday.validate import load
from tests.cli.helpers import gameday

PAYLOADS = [
    "x; touch PWNED",
    "$(touch PWNED)",
    "`touch PWNED`",
    "x && touch PWNED",
    "x | touch PWNED",
    "x\ntouch PWNED",
    "'; touch PWNED; echo '",
    '"; touch PWNED; echo "',
    "x > PWNED",
    "${IFS}touch${IFS}PWNED",
]

SCENARIO = dedent("""\
    apiVersion: gameday/v1
    kind: Scenario
    metadata: {name: shell-literal, owner: test}
    params: {msg: hello, out: out.txt}
    target: {kind: local}
    steady_state:
      window: 100ms
      probes:
        - {name: ok, type: command, every: 50ms, params: {argv: ["true"]}}
    fault:
      type: disk-fill
      params: {path: ".", size: 4KiB}
      duration: 100ms
      blast_radius: {max_targets: 1}
    recovery:
      rto: 5s
      steps:
        - type: command
          params: {shell: "printf '%s' {{ msg }} > {{ out }}"}
    rollback:
      - type: command
        params: {shell: "printf '%s' {{ msg }}{{ msg }} > rollback-{{ out }}"}
    """)


@pytest.mark.parametrize("payload", ["x; touch PWNED", "$(touch PWNED)", "`touch PWNED`"])
def test_set_payloads_stay_literal_in_a_real_run(
    tmp_path: Path, payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    monkeypatch.setenv("GAMEDAY_STATE", str(tmp_path / "state"))
    done = gameday(
        "run",
        str(scenario),
        "--reports",
        str(tmp_path / "reports"),
        "--set",
        f"msg={payload}",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "PWNED").exists(), "a payload ran in the shell"
    assert (tmp_path / "out.txt").read_text() == payload
    assert (tmp_path / "rollback-out.txt").read_text() == payload * 2


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_runs_as_one_literal_word_in_a_real_shell(
    tmp_path: Path, payload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    subject = load(scenario, {"msg": payload})
    assert isinstance(subject, Scenario)
    monkeypatch.chdir(tmp_path)
    for step in (*subject.recovery.steps, *subject.rollback):
        outcome = Command().run(step.params, None, 5)  # type: ignore[arg-type]
        assert outcome.ok, outcome
    assert not (tmp_path / "PWNED").exists(), "a payload ran in the shell"
    assert (tmp_path / "out.txt").read_text() == payload
    assert (tmp_path / "rollback-out.txt").read_text() == payload * 2


def recovery_params(subject: Scenario | Drill) -> list[CommandParams]:
    """The params of a scenario's recovery steps, every one a `command`."""
    assert isinstance(subject, Scenario)
    params = []
    for step in subject.recovery.steps:
        assert isinstance(step.params, CommandParams)
        params.append(step.params)
    return params


def test_payload_in_the_file_name_param_is_one_word(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(SCENARIO)
    (params,) = recovery_params(load(scenario, {"out": "o.txt; touch PWNED"}))
    assert params.shell == "printf '%s' hello > 'o.txt; touch PWNED'"


@pytest.mark.parametrize(
    "command",
    [
        "echo '{{ msg }}'",
        'echo "{{ msg }}"',
        'echo "prefix-{{ msg }}-suffix"',
        "echo \\{{ msg }}",
        "{% if msg %}echo '{{ msg }}'{% endif %}",
    ],
)
def test_template_values_the_author_quoted_are_refused_with_a_fix(
    tmp_path: Path, command: str
) -> None:
    scenario = tmp_path / "scenario.yaml"
    written = SCENARIO.replace("\"printf '%s' {{ msg }} > {{ out }}\"", json.dumps(command))
    assert written != SCENARIO
    scenario.write_text(written)
    with pytest.raises(InputError) as caught:
        load(scenario)
    (problem,) = caught.value.problems
    assert "inside quotes in a shell command" in problem.message
    assert problem.location.line == 19
    assert problem.hint is not None and "remove the quotes" in problem.hint


def test_a_templated_step_type_still_quotes(tmp_path: Path) -> None:
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(
        SCENARIO.replace(
            '- type: command\n      params: {shell: "printf',
            '- type: "{{ kind }}"\n      params: {shell: "printf',
        )
    )
    params = recovery_params(load(scenario, {"kind": "command", "msg": "$(id)"}))
    assert params[0].shell == "printf '%s' '$(id)' > out.txt"


def test_quoting_keeps_plain_words_plain_and_argv_untouched() -> None:
    assert render_string("ls {{ d }}", {"d": "/tmp"}, shell=True) == "ls /tmp"
    assert render_string("{{ n }}", {"n": 3}, shell=True) == "3"
    assert render_string("{{ cmd }}", {"cmd": "rm -rf /"}, shell=True) == "'rm -rf /'"
    assert render_string("{{ cmd }}", {"cmd": "rm -rf /"}) == "rm -rf /"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("echo {{ a }} '{{ b }}'", "{{ b }}"),
        ("echo 'it''s' {{ a }}", None),
        ('echo "a\\"b" {{ a }}', None),
        ("echo {# '{{ a }}' #} {{ a }}", None),
        ("echo '$x' \"y\" {{ a }}", None),
    ],
)
def test_quote_scanner(text: str, found: str | None) -> None:
    assert quoted_template(text) == found


def test_failure_is_a_template_failure_not_a_crash() -> None:
    with pytest.raises(TemplateFailure):
        render_string("echo '{{ a }}'", {"a": 1}, shell=True)
