"""JSON Schema of the file format, with each plugin's params schema attached by `type`."""

from __future__ import annotations

from typing import Any

from gameday.plugins.registry import registry
from gameday.spec.drill import DrillSpec
from gameday.spec.scenario import ScenarioSpec

_PLUGIN_DEFS = {"FaultSpec": "fault", "ProbeSpec": "probe", "StepSpec": "action"}


def json_schema(kind: str) -> dict[str, Any]:
    if kind == "drill":
        return DrillSpec.model_json_schema(by_alias=True)
    scenario = _scenario_schema()
    if kind == "scenario":
        return scenario
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "oneOf": [scenario, DrillSpec.model_json_schema(by_alias=True)],
    }


def _scenario_schema() -> dict[str, Any]:
    schema = ScenarioSpec.model_json_schema(by_alias=True)
    defs = schema.get("$defs", {})
    for def_name, kind in _PLUGIN_DEFS.items():
        if def_name in defs:
            defs[def_name]["allOf"] = [
                {
                    "if": {"properties": {"type": {"const": name}}},
                    "then": {"properties": {"params": plugin.Params.model_json_schema()}},
                }
                for name, plugin in sorted(registry(kind).plugins.items())
            ]
            defs[def_name]["properties"]["type"]["enum"] = registry(kind).names()
    return schema
