"""`pytest --gameday scenarios/`: every scenario file becomes a test item that runs it
against its target and fails with the scenario's reasons. Registered through the
`pytest11` entry point, so it is active wherever gameday is installed (and does
nothing without `--gameday`).

    pytest --gameday scenarios/local --gameday-set frontend_url=http://... -k storefront-squad

Each item carries the scenario's owner and tags as keywords (select with `-k`) and as
markers `gameday_owner_<owner>` / `gameday_tag_<tag>` (select with `-m`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gameday.errors import GamedayError


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("gameday", "game-day scenarios as tests")
    group.addoption(
        "--gameday", action="store_true", help="Collect scenario YAML files as gameday tests."
    )
    group.addoption(
        "--gameday-set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="Override a scenario param (repeatable).",
    )
    group.addoption(
        "--gameday-values", action="append", default=[], metavar="FILE", help="YAML params file."
    )
    group.addoption(
        "--gameday-reports",
        default="reports",
        metavar="DIR",
        help="Where run directories are written (default: reports).",
    )
    group.addoption(
        "--gameday-confirm",
        default=None,
        metavar="CONTEXT",
        help="Type a production context's name to allow running against it.",
    )


def _marker(prefix: str, value: str) -> str:
    return f"gameday_{prefix}_" + re.sub(r"\W", "_", value)


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> ScenarioFile | None:
    if not parent.config.getoption("gameday") or file_path.suffix not in (".yaml", ".yml"):
        return None
    head = file_path.read_text(encoding="utf-8", errors="replace")[:4000]
    if not re.search(r"^kind:\s*Scenario\s*$", head, re.M):
        return None  # drills, values files and other YAML are not tests
    collected: ScenarioFile = ScenarioFile.from_parent(parent, path=file_path)
    return collected


def _overrides(config: pytest.Config) -> dict[str, Any]:
    from gameday.cli.params import parse_overrides

    return parse_overrides(
        config.getoption("gameday_set"), [Path(v) for v in config.getoption("gameday_values")]
    )


_DECLARED = pytest.StashKey[set[str]]()
"""Params declared by any collected scenario file (valid or not)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`--gameday-set` params are shared by every collected scenario (as a drill's are):
    each must be declared by at least one of them, or it is a typo."""
    from gameday.declared import unknown_params

    declared = config.stash.get(_DECLARED, None)
    if declared is not None:
        problems = unknown_params(_overrides(config), declared, "any collected scenario")
        if problems:
            raise pytest.UsageError("\n".join(f"{p.message} ({p.hint})" for p in problems))


class ScenarioFile(pytest.File):
    def collect(self) -> Iterator[ScenarioItem]:
        from gameday.declared import declared_params
        from gameday.load import load_file
        from gameday.model.scenario import Scenario
        from gameday.validate import load

        declared = declared_params(load_file(self.path))
        self.config.stash.setdefault(_DECLARED, set()).update(declared)
        overrides = {k: v for k, v in _overrides(self.config).items() if k in declared}
        scenario = load(self.path, overrides)
        assert isinstance(scenario, Scenario)
        item: ScenarioItem = ScenarioItem.from_parent(self, name=scenario.name, scenario=scenario)

        for value, prefix in [(scenario.owner, "owner"), *((t, "tag") for t in scenario.tags)]:
            if value:
                item.extra_keyword_matches.add(value)
                name = _marker(prefix, value)
                self.config.addinivalue_line("markers", f"{name}: gameday {prefix} {value}")
                item.add_marker(name)
        yield item


class ScenarioFailed(Exception):
    """The scenario ran and did not pass; the message is its reasons."""


class ScenarioItem(pytest.Item):
    def __init__(self, *, scenario: Any, **kwargs: Any):
        super().__init__(**kwargs)
        self.scenario = scenario

    def runtest(self) -> None:
        from rich.console import Console

        from gameday import pipeline
        from gameday.execute.view import PlainView

        log = io.StringIO()
        reports = Path(self.config.getoption("gameday_reports"))
        # the same pipeline as `gameday run`: the project's [tool.gameday] settings, found
        # from the working directory, so guardrails apply here too
        finished = pipeline.run(
            self.scenario,
            reports,
            pipeline.options(auto_approve=True, confirm=self.config.getoption("gameday_confirm")),
            PlainView(Console(file=log, width=160)),
        )
        run_dir = finished.run_dir
        self.user_properties.append(("report", str(run_dir / "report.html")))
        (result,) = finished.card.scenarios
        if result.verdict != "pass":
            reasons = "\n  ".join(result.reasons) or result.outcome
            raise ScenarioFailed(
                f"{result.name}: {result.verdict} (score {result.score}, {result.outcome})\n"
                f"  {reasons}\n  report: {run_dir / 'report.html'}"
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ScenarioFailed | GamedayError):
            return str(getattr(excinfo.value, "message", excinfo.value))
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"gameday scenario {self.name}"
