"""Each validation error path: message, location and hint, all reported in one pass."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from gameday.errors import InputError, Problem
from gameday.model.scenario import Drill, Scenario
from gameday.targets.local.probes import HttpParams
from gameday.validate import load

VALID = dedent("""\
    apiVersion: gameday/v1
    kind: Scenario
    metadata:
      name: ok
      owner: squad
    params:
      url: http://127.0.0.1:1/
    target:
      kind: local
    steady_state:
      probes:
        - name: web
          type: http
          params: {url: "{{ url }}"}
    slo:
      - name: availability
        probe: web
        availability: 99%
    fault:
      type: process-kill
      params: {pattern: nothing-matches-this, count: 1}
      duration: 3s
    recovery:
      rto: 10s
      steps:
        - type: wait_for
          params: {probe: web}
    """)


def problems_for(tmp_path: Path, text: str) -> list[Problem]:
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        load(path)
    return caught.value.problems


def test_valid_base_loads(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(VALID)
    scenario = load(path)
    assert scenario.name == "ok" and scenario.fault.duration == 3.0  # type: ignore[union-attr]


# (replace this, with this) -> (line, message fragment, hint fragment or None)
CASES = [
    (("  owner: squad", "  ownr: squad"), (5, "unknown key `ownr`", "did you mean `owner`?")),
    (
        ("  duration: 3s", "  durtion: 3s"),
        (22, "unknown key `durtion`", "did you mean `duration`?"),
    ),
    (("  duration: 3s", "  duration: 3 seconds"), (22, "invalid duration '3 seconds'", None)),
    (("availability: 99%", "availability: 199%"), (18, "invalid ratio '199%'", None)),
    (
        ("  type: process-kill", "  type: proces-kill"),
        (20, "unknown fault type `proces-kill`", "did you mean `process-kill`?"),
    ),
    (("count: 1}", "cout: 1}"), (21, "unknown key `cout`", "did you mean `count`?")),
    (
        ("  kind: local", "  kind: kubernetes"),
        (20, "runs on `local` targets, but the target is `kubernetes`", "target.kind: local"),
    ),
    (("    probe: web", "    probe: wbe"), (17, "no probe named `wbe`", "did you mean `web`?")),
    (("{{ url }}", "{{ urll }}"), (14, "undefined parameter: 'urll' is undefined", "--set")),
    (
        ("      type: http", "      type: htp"),
        (13, "unknown probe type `htp`", "did you mean `http`?"),
    ),
    (
        ("    - type: wait_for", "    - type: wait-for"),
        (26, "unknown action type `wait-for`", "did you mean `wait_for`?"),
    ),
    (("  name: ok\n", "  name: Not_OK\n"), (4, "'Not_OK' is not a valid name", "lower-case")),
]


@pytest.mark.parametrize(("edit", "expected"), CASES, ids=[c[1][1][:30] for c in CASES])
def test_error_is_located_with_hint(
    tmp_path: Path, edit: tuple[str, str], expected: tuple[int, str, str | None]
) -> None:
    old, new = edit
    assert old in VALID
    problems = problems_for(tmp_path, VALID.replace(old, new, 1))
    line, message, hint = expected
    matching = [p for p in problems if message in p.message]
    assert matching, [p.render() for p in problems]
    assert matching[0].location.line == line
    if hint is not None:
        assert matching[0].hint is not None and hint in matching[0].hint


def test_missing_section_is_reported_at_its_parent(tmp_path: Path) -> None:
    problems = problems_for(tmp_path, VALID.replace("  duration: 3s\n", ""))
    assert [p.render() for p in problems] == [
        f"{tmp_path / 's.yaml'}:19:1: error: missing required key `duration` in `fault`"
    ]


def test_all_problems_in_one_pass(tmp_path: Path) -> None:
    text = (
        VALID.replace("  owner: squad", "  ownr: squad")
        .replace("3s", "3x")
        .replace("probe: web\n", "probe: nope\n", 1)
    )
    problems = problems_for(tmp_path, text)
    lines = sorted(p.location.line for p in problems)  # type: ignore[type-var]
    assert lines == [5, 17, 22], [p.render() for p in problems]


def test_duplicate_probe_names(tmp_path: Path) -> None:
    text = VALID.replace(
        '      params: {url: "{{ url }}"}\n',
        '      params: {url: "{{ url }}"}\n    - name: web\n      type: tcp\n      params: {port: 80}\n',
    )
    problems = problems_for(tmp_path, text)
    assert any(
        "duplicate probe name `web`" in p.message and p.location.line == 15 for p in problems
    )


def test_drill_errors_are_located_in_the_right_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").write_text(VALID.replace("  owner: squad", "  ownr: squad"))
    drill = tmp_path / "drill.yaml"
    drill.write_text(
        dedent("""\
        apiVersion: gameday/v1
        kind: Drill
        metadata: {name: d}
        scenarios:
          - ref: broken.yaml
          - ref: missing.yaml
          - ref: broken.yaml
            weight: -1
        """)
    )
    with pytest.raises(InputError) as caught:
        load(drill)
    rendered = [p.render() for p in caught.value.problems]
    assert (
        f"{tmp_path / 'broken.yaml'}:5:3: error: unknown key `ownr`\n    hint: did you mean `owner`?"
        in rendered
    )
    assert any(
        r.startswith(f"{drill}:6:5: error: scenario file not found: missing.yaml") for r in rendered
    )
    assert any(r.startswith(f"{drill}:8:5: error: `scenarios[2].weight`") for r in rendered)


def test_param_precedence_scenario_drill_entry_cli(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        VALID.replace("  url: http://127.0.0.1:1/", "  url: http://127.0.0.1:1/\n  port: 1")
    )
    (tmp_path / "drill.yaml").write_text(
        dedent("""\
        apiVersion: gameday/v1
        kind: Drill
        metadata: {name: d}
        params: {url: "http://127.0.0.1:2/"}
        scenarios:
          - ref: s.yaml
            params: {url: "http://127.0.0.1:3/"}
          - ref: s.yaml
        """)
    )
    drill = load(tmp_path / "drill.yaml")
    urls = probe_urls(drill)
    assert urls == ["http://127.0.0.1:3/", "http://127.0.0.1:2/"]
    overridden = load(tmp_path / "drill.yaml", {"url": "http://127.0.0.1:4/"})
    assert set(probe_urls(overridden)) == {"http://127.0.0.1:4/"}


def probe_urls(subject: Scenario | Drill) -> list[str]:
    """The URL of each drill entry's first (HTTP) probe."""
    assert isinstance(subject, Drill)
    urls = []
    for entry in subject.entries:
        params = entry.scenario.steady_state.probes[0].params
        assert isinstance(params, HttpParams)
        urls.append(params.url)
    return urls
