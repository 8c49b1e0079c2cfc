"""Project settings from `[tool.gameday]` in the nearest pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gameday.errors import InputError, Location, Problem
from gameday.guardrails import GuardrailConfig

Severity = Literal["error", "warning", "off"]
RULES = ("missing-abort-when", "missing-rto", "blast-radius", "implicit-context", "missing-owner")


class LintConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    max_blast_radius: int = Field(3, ge=1, description="Largest allowed blast_radius.max_targets.")
    rules: dict[str, Severity] = {}

    def severity(self, rule: str) -> Severity:
        return self.rules.get(rule, DEFAULT_SEVERITY[rule])


DEFAULT_SEVERITY: dict[str, Severity] = {
    "missing-abort-when": "error",
    "missing-rto": "error",
    "blast-radius": "error",
    "implicit-context": "error",
    "missing-owner": "warning",
}


class ScheduleConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image: str | None = Field(
        None,
        description="Image `gameday schedule` runs (built from the Dockerfile and pushed to "
        "your registry); `--image` overrides it. No default: nobody publishes one for you.",
    )


class ProjectConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lint: LintConfig = LintConfig()
    guardrails: GuardrailConfig = GuardrailConfig()
    schedule: ScheduleConfig = ScheduleConfig()


def find_pyproject(start: Path) -> Path | None:
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path | None = None) -> ProjectConfig:
    path = path or find_pyproject(Path.cwd())
    if path is None:
        return ProjectConfig()
    try:
        data: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            problems=[Problem(Location(str(path)), f"cannot read config: {exc}")]
        ) from None
    try:
        config = ProjectConfig.model_validate(data.get("tool", {}).get("gameday", {}))
    except ValidationError as exc:
        raise InputError(
            problems=[
                Problem(
                    Location(str(path)),
                    f"[tool.gameday.{'.'.join(map(str, e['loc']))}]: {e['msg']}",
                    "see docs/cli.md for the settings",
                )
                for e in exc.errors(include_url=False)
            ]
        ) from None
    unknown = set(config.lint.rules) - set(RULES)
    if unknown:
        raise InputError(
            problems=[
                Problem(
                    Location(str(path)),
                    f"unknown lint rule `{r}`",
                    "known rules: " + ", ".join(RULES),
                )
                for r in sorted(unknown)
            ]
        )
    return config
