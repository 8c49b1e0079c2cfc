"""Policy checks on top of validation (`gameday lint`); severities from [tool.gameday.lint]."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from gameday.config import LintConfig
from gameday.errors import InputError, Problem
from gameday.load import Document, YamlPath, load_file
from gameday.model.scenario import Scenario
from gameday.plugins.registry import registry
from gameday.validate import iter_yaml_files, load_with_document


def lint_paths(paths: Iterable[Path], config: LintConfig) -> tuple[int, list[Problem]]:
    """Validation problems plus policy findings, for every scenario under `paths` and
    every scenario a drill under `paths` includes (with the drill's params); a finding
    in a scenario reached twice is reported once."""
    problems: list[Problem] = []
    count = 0
    for file in iter_yaml_files(paths, problems):
        count += 1
        try:
            doc, loaded = load_with_document(file)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        if isinstance(loaded, Scenario):
            problems.extend(lint_scenario(doc, loaded, config))
        else:
            for entry in loaded.entries:
                scenario_doc = load_file(Path(entry.scenario.source))
                problems.extend(lint_scenario(scenario_doc, entry.scenario, config))
    return count, list(dict.fromkeys(problems))


def lint_scenario(doc: Document, s: Scenario, config: LintConfig) -> list[Problem]:
    found: list[Problem] = []

    def flag(rule: str, path: YamlPath, message: str, hint: str) -> None:
        severity = config.severity(rule)
        if severity != "off":
            found.append(Problem(doc.locate(path), message, hint, severity, rule))

    fault = registry("fault").get(s.fault.type)
    if fault.destructive and not s.abort_when:
        flag(
            "missing-abort-when",
            ("fault", "type"),
            f"destructive fault `{s.fault.type}` has no `abort_when`",
            "add a stop condition, e.g. `abort_when: [{probe: NAME, error_ratio: 50%, for: 10s}]`",
        )
    if s.recovery.rto is None:
        flag(
            "missing-rto",
            ("recovery",),
            "no `recovery.rto`: recovery cannot be scored",
            "set `recovery.rto`, e.g. `rto: 5m`",
        )
    cap = config.max_blast_radius
    if s.fault.max_targets is None and s.fault.max_percent is None:
        flag(
            "blast-radius",
            ("fault",),
            "no `fault.blast_radius.max_targets` or `max_percent`",
            f"cap what the fault may touch, e.g. `blast_radius: {{max_targets: {cap}}}` "
            "(or `max_percent: 50%` of what its selector matches)",
        )
    elif s.fault.max_targets is not None and s.fault.max_targets > cap:
        flag(
            "blast-radius",
            ("fault", "blast_radius", "max_targets"),
            f"blast radius {s.fault.max_targets} is above the project cap of {cap}",
            "lower it, or raise `max_blast_radius` under [tool.gameday.lint]",
        )
    params = s.target.params
    if (
        s.target.kind == "kubernetes"
        and not getattr(params, "context", None)
        and not getattr(params, "in_cluster", False)
    ):
        flag(
            "implicit-context",
            ("target",),
            "kubernetes target without an explicit `context`",
            "name the kube context (never rely on the current one for a destructive fault)",
        )
    if not s.owner:
        flag(
            "missing-owner",
            ("metadata",),
            "scenario has no `metadata.owner`",
            "name the squad or team that owns the service",
        )
    return found
