"""`gameday schema` agrees with `gameday validate`, checked by a standard validator.

check-jsonschema (a real JSON Schema validator, run as its own process) checks every
shipped scenario and drill, every `gameday new` template, the broken and schema
fixtures and the test scenarios; each file must get the same accept/reject from the
schema as from `validate`. The only allowed disagreements are the rules named in
`gameday.schema.UNCHECKED`, each shown by a fixture in tests/data/schema/unchecked/.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gameday.schema import UNCHECKED, json_schema
from gameday.templates import render_template, template_names
from gameday.validate import check_paths
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"

KNOWN: dict[Path, str] = {}
"""Files outside tests/data/schema/unchecked/ on which the two may disagree, and why
(besides templated values, see `only_templates_fail`)."""


def corpus(tmp: Path) -> list[Path]:
    files = sorted((ROOT / "scenarios").rglob("*.yaml")) + sorted((ROOT / "drills").glob("*.yaml"))
    files += sorted(DATA.rglob("*.yaml"))
    for name in template_names():
        out = tmp / f"new-{name}.yaml"
        out.write_text(render_template(name, name_value=f"new-{name}"))
        files.append(out)
    return files


def validate_accepts(path: Path) -> bool:
    return check_paths([path])[1] == []


def only_templates_fail(path: Path) -> bool:
    """Every problem validate finds is on a line holding a `{{ template }}`: the rule
    `templates` of UNCHECKED (crash-matrix scenarios template the whole fault)."""
    lines = path.read_text().splitlines()
    problems = check_paths([path])[1]
    return bool(problems) and all(
        p.location.line is not None and "{{" in lines[p.location.line - 1] for p in problems
    )


def schema_rejects(schema: dict[str, Any], files: list[Path], tmp: Path) -> set[Path]:
    """The files check-jsonschema rejects (schema errors or files it cannot parse)."""
    schema_file = tmp / "schema.json"
    schema_file.write_text(json.dumps(schema))
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--schemafile", str(schema_file), "-o", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    rejected = {Path(e["filename"]) for e in report["errors"] + report["parse_errors"]}
    assert (done.returncode == 0) == (not rejected), done.stderr
    return rejected


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, tuple[bool, bool]]:
    """Per file: (validate accepts, schema --kind all accepts)."""
    tmp = tmp_path_factory.mktemp("schema")
    files = corpus(tmp)
    rejected = schema_rejects(json_schema("all"), files, tmp)
    return {f: (validate_accepts(f), f not in rejected) for f in files}


def test_corpus_is_large_and_mixed(verdicts: dict[Path, tuple[bool, bool]]) -> None:
    accepted = sum(v for v, _ in verdicts.values())
    assert len(verdicts) >= 60 and accepted >= 30 and len(verdicts) - accepted >= 25


def test_schema_and_validate_agree_on_every_file(
    verdicts: dict[Path, tuple[bool, bool]],
) -> None:
    unchecked = DATA / "schema" / "unchecked"
    disagree = {
        f: ("validate" if v else "schema") + " accepts"
        for f, (v, s) in verdicts.items()
        if v != s and f.parent != unchecked and f not in KNOWN
    }
    templated = {
        f for f, why in disagree.items() if why == "schema accepts" and only_templates_fail(f)
    }
    assert "templates" in UNCHECKED and len(templated) >= 1
    assert {f: why for f, why in disagree.items() if f not in templated} == {}


def test_every_known_disagreement_is_still_one(verdicts: dict[Path, tuple[bool, bool]]) -> None:
    for path, rule in KNOWN.items():
        assert rule in UNCHECKED
        assert verdicts[path] == (False, True), path


@pytest.mark.parametrize("rule", sorted(UNCHECKED))
def test_each_unchecked_rule_is_shown_by_a_fixture(
    rule: str, verdicts: dict[Path, tuple[bool, bool]]
) -> None:
    """validate rejects it and the schema accepts it: the gap is real and documented."""
    assert verdicts[DATA / "schema" / "unchecked" / f"{rule}.yaml"] == (False, True)


def test_no_unchecked_fixture_without_a_rule() -> None:
    names = {p.stem for p in (DATA / "schema" / "unchecked").glob("*.yaml")}
    assert names == set(UNCHECKED)


@pytest.mark.parametrize("kind", ["scenario", "drill"])
def test_each_kind_agrees_on_its_own_files(kind: str, tmp_path: Path) -> None:
    files = sorted((DATA / "schema").rglob("*.yaml"))
    files = [f for f in files if f"kind: {kind.capitalize()}" in f.read_text()]
    files += sorted((ROOT / ("drills" if kind == "drill" else "scenarios")).rglob("*.yaml"))
    rejected = schema_rejects(json_schema(kind), files, tmp_path)
    for f in files:
        expected = validate_accepts(f) or f.parent.name == "unchecked"
        assert (f not in rejected) == expected, f


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for v in node.values() for r in refs(v)]
    if isinstance(node, list):
        return [r for v in node for r in refs(v)]
    return []


@pytest.mark.parametrize("kind", ["scenario", "drill", "all"])
def test_every_ref_resolves_and_the_schema_is_valid(kind: str, tmp_path: Path) -> None:
    schema = json_schema(kind)
    found = refs(schema)
    assert found, "no $ref at all: the test would prove nothing"
    for ref in found:
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(schema))
    done = subprocess.run(
        [str(CHECK_JSONSCHEMA), "--check-metaschema", str(schema_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_durations_and_ratios_are_described_as_strings_with_patterns() -> None:
    defs = json_schema("scenario")["$defs"]
    window = defs["SteadyStateSpec"]["properties"]["window"]
    assert window["default"] == "2s"
    duration = window["anyOf"][0]
    assert duration["type"] == "string" and "(ms|s|m|h)" in duration["pattern"]
    ratio = defs["SteadyStateSpec"]["properties"]["success_ratio"]["anyOf"][0]
    assert {"type": "string", "pattern": ratio["anyOf"][0]["pattern"]} == ratio["anyOf"][0]
    assert ratio["anyOf"][1] == {"type": "number", "minimum": 0, "maximum": 1}
