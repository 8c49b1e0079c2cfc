"""JSON Schema of the file format (`gameday schema`), built from the spec models and
every plugin's `Params` model, so that a standard validator agrees with `validate`.

- One `$defs` table at the root for every `--kind`: each plugin's params are hoisted
  there as `fault.NAME`, `probe.NAME`, `action.NAME`, `target.NAME` (with their own
  nested definitions prefixed the same way), so every `$ref` resolves.
- In scenarios, any value that `validate` renders (everything but the top-level
  `params`, `apiVersion` and `kind`) may be a `{{ template }}` string instead. Drills
  are not rendered, so their values may not.
- Durations, ratios and sizes are strings with the exact patterns the parser uses.
- Cross-field rules JSON Schema can express are in the schema; `UNCHECKED` lists
  the ones it does not check (`gameday validate` does).
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from gameday.plugins.registry import GROUPS, registry
from gameday.spec.base import JsonSchema, filled, given
from gameday.spec.drill import DrillSpec
from gameday.spec.scenario import ScenarioSpec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TEMPLATE = "Templated"
_TEMPLATE_REF = {"$ref": f"#/$defs/{TEMPLATE}"}
_PLUGIN_DEFS = {"FaultSpec": "fault", "ProbeSpec": "probe", "StepSpec": "action"}
_ANNOTATIONS = ("title", "description", "default", "examples", "$comment")

UNCHECKED: dict[str, str] = {
    "templates": "a `{{ template }}` value is accepted whatever it renders to, and "
    "undefined parameter names are not found: `validate` renders with the params first",
    "probe-references": "an SLO, abort condition or `wait_for` step names a probe that "
    "`steady_state.probes` defines (a value must equal another value)",
    "unique-probe-names": "probe names are unique",
    "promql-syntax": "PromQL expressions have balanced brackets and quotes",
    "burn-window-order": "a burn-rate window's `short` is shorter than its `long`",
    "duration-range": "a duration is at most 30 days (`721h` is refused as a likely typo; "
    "a pattern cannot compare numbers)",
    "cron": "a drill's `schedule` is a valid cron expression",
    "drill-scenarios": "a drill's `ref` files exist and are valid scenarios, and an "
    "entry's `params` are declared by its scenario",
    "regex-syntax": "a process selector's `pattern` is a valid regular expression",
    "static-checks": "a fault's `count` above `blast_radius.max_targets` (a comparison "
    "of two values)",
}
"""Rules `gameday validate` applies that the JSON Schema does not, by name. For each,
tests/data/schema/unchecked/NAME.yaml is rejected by validate and accepted by the schema
(tests/validate/test_schema.py), so this list cannot silently grow or go stale."""


def json_schema(kind: str) -> dict[str, Any]:
    """The schema for `scenario`, `drill` or `all` (either, chosen by `kind:`)."""
    defs: dict[str, JsonSchema] = {}
    if kind in ("scenario", "all"):
        _merge(defs, _scenario_defs())
    if kind in ("drill", "all"):
        _merge(defs, _model_defs(DrillSpec, "Drill"))
    if kind == "scenario":
        root = defs.pop("Scenario")
    elif kind == "drill":
        root = defs.pop("Drill")
    else:
        root = {
            "title": "gameday scenario or drill",
            "if": {"required": ["kind"], "properties": {"kind": {"const": "Drill"}}},
            "then": {"$ref": "#/$defs/Drill"},
            "else": {"$ref": "#/$defs/Scenario"},
        }
    return {"$schema": DIALECT, **root, "$defs": dict(sorted(defs.items()))}


class _Generator(GenerateJsonSchema):
    """Shows defaults as they are written in YAML (`2s`, not 2.0)."""

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        json_schema = super().default_schema(schema)
        serializer = schema["schema"].get("serialization")
        default = json_schema.get("default")
        if serializer and serializer.get("type") == "function-plain" and default is not None:
            json_schema["default"] = serializer["function"](default)
        return json_schema


def model_schema(model: type[BaseModel]) -> JsonSchema:
    """One model's JSON Schema as `gameday schema` shows it (defaults as written in YAML)."""
    return model.model_json_schema(by_alias=True, schema_generator=_Generator)


def _model_defs(model: type[BaseModel], name: str, prefix: str = "") -> dict[str, JsonSchema]:
    """`model`'s schema as definitions: its root as `name`, nested ones as `prefix + X`."""
    schema = model.model_json_schema(
        by_alias=True, schema_generator=_Generator, ref_template=f"#/$defs/{prefix}{{model}}"
    )
    nested = schema.pop("$defs", {})
    return {name: schema, **{prefix + key: value for key, value in nested.items()}}


def _merge(into: dict[str, JsonSchema], new: dict[str, JsonSchema]) -> None:
    for key, value in new.items():
        if key in into and into[key] != value:
            raise ValueError(f"two JSON Schema definitions are both named {key!r}")
        into[key] = value


def _scenario_defs() -> dict[str, JsonSchema]:
    defs = _model_defs(ScenarioSpec, "Scenario")
    for kind in GROUPS:
        for name, plugin in sorted(registry(kind).plugins.items()):
            _merge(defs, _model_defs(plugin.Params, f"{kind}.{name}", f"{kind}.{name}."))
    for def_name, kind in _PLUGIN_DEFS.items():
        _attach_plugins(defs[def_name], kind, defs)
    _attach_targets(defs)
    defs["Scenario"].setdefault("allOf", []).extend(_scenario_rules())
    for name, schema in defs.items():
        skip = ("params", "apiVersion", "kind") if name == "Scenario" else ()
        _templatable(schema, skip)
    defs[TEMPLATE] = {
        "type": "string",
        "pattern": r"\{\{|\{%",
        "description": "A `{{ param }}` template; `validate` renders it with the params "
        "before checking the value.",
    }
    return defs


def _attach_plugins(spec: JsonSchema, kind: str, defs: dict[str, JsonSchema]) -> None:
    """`type` names a plugin of `kind`; `params` must then match that plugin's model."""
    names = registry(kind).names()
    spec["properties"]["type"]["enum"] = names
    rules = spec.setdefault("allOf", [])
    for name in names:
        params = {"anyOf": [{"$ref": f"#/$defs/{kind}.{name}"}, _TEMPLATE_REF]}
        then: JsonSchema = {"properties": {"params": params}}
        if defs[f"{kind}.{name}"].get("required"):
            then["required"] = ["params"]  # validate checks a missing `params` as {}
        rules.append(
            {"if": {"required": ["type"], "properties": {"type": {"const": name}}}, "then": then}
        )


def _attach_targets(defs: dict[str, JsonSchema]) -> None:
    """A target's settings sit beside its `kind`, so each plugin schema gains `kind`."""
    spec = defs["TargetSpec"]
    names = registry("target").names()
    spec["properties"]["kind"]["enum"] = names
    rules = spec.setdefault("allOf", [])
    for name in names:
        plugin = defs[f"target.{name}"]
        plugin["properties"] = {"kind": {"const": name}, **plugin.get("properties", {})}
        rules.append(
            {
                "if": {"required": ["kind"], "properties": {"kind": {"const": name}}},
                "then": {"$ref": f"#/$defs/target.{name}"},
            }
        )


def _scenario_rules() -> list[JsonSchema]:
    """Rules of validate.py that span sections: fault vs target kind, Prometheus source."""
    rules: list[JsonSchema] = []
    faults = registry("fault").plugins
    for target in registry("target").names():
        own = sorted(n for n, p in faults.items() if p.target_kind == target)
        rules.append(
            {
                "if": {
                    "required": ["target"],
                    "properties": {
                        "target": {
                            "type": "object",
                            "required": ["kind"],
                            "properties": {"kind": {"const": target}},
                        }
                    },
                },
                "then": {
                    "properties": {
                        "fault": {"properties": {"type": {"anyOf": [{"enum": own}, _TEMPLATE_REF]}}}
                    }
                },
            }
        )
    reads_prometheus = {
        "anyOf": [
            _contains("slo", {"anyOf": [given("sli"), given("promql")]}),
            _contains("abort_when", given("promql")),
            {
                "required": ["detection"],
                "properties": {
                    "detection": {
                        "type": "object",
                        "anyOf": [
                            {"not": {"required": ["source"]}},
                            {"properties": {"source": {"const": "prometheus"}}},
                        ],
                        "not": filled("url"),
                    }
                },
            },
        ]
    }
    rules += [*_target_needs_rules(), _rpo_rule()]
    rules.append(
        {
            "if": reads_prometheus,
            "then": {
                "required": ["prometheus"],
                "properties": {"prometheus": {"anyOf": [{"type": "object"}, _TEMPLATE_REF]}},
            },
        }
    )
    return rules


def _target_needs_rules() -> list[JsonSchema]:
    """A plugin param that needs a target setting (`PluginParams.target_needs`)."""
    rules: list[JsonSchema] = []
    sections: list[tuple[str, tuple[str, ...]]] = [
        ("fault", ("fault",)),
        ("probe", ("steady_state", "probes")),
        ("action", ("recovery", "steps")),
        ("action", ("rollback",)),
    ]
    for kind, section in sections:
        for name, plugin in sorted(registry(kind).plugins.items()):
            for param, setting in getattr(plugin.Params, "target_needs", {}).items():
                entry: JsonSchema = {
                    "type": "object",
                    "required": ["type", "params"],
                    "properties": {
                        "type": {"const": name},
                        "params": {"type": "object", **given(param)},
                    },
                }
                if section == ("fault",):
                    used = {"required": ["fault"], "properties": {"fault": entry}}
                elif section == ("rollback",):
                    used = _contains("rollback", entry)
                else:
                    used = _nested_contains(section, entry)
                target = {
                    "required": ["target"],
                    "properties": {"target": _target_setting(setting)},
                }
                rules.append({"if": used, "then": target})
    return rules


def _target_setting(setting: str) -> JsonSchema:
    return {"anyOf": [{"type": "object", **filled(setting)}, _TEMPLATE_REF]}


def _rpo_rule() -> JsonSchema:
    """`recovery.rpo` needs a probe that audits data (`audits_data`)."""
    probes = registry("probe").plugins
    writers = sorted(n for n, p in probes.items() if getattr(p, "audits_data", False))
    writer = {"type": "object", "required": ["type"], "properties": {"type": {"enum": writers}}}
    return {
        "if": {
            "required": ["recovery"],
            "properties": {"recovery": {"type": "object", **given("rpo")}},
        },
        "then": _nested_contains(("steady_state", "probes"), writer),
    }


def _nested_contains(section: tuple[str, ...], item: JsonSchema) -> JsonSchema:
    outer, inner = section
    return {
        "required": [outer],
        "properties": {outer: {"type": "object", **_contains(inner, item)}},
    }


def _contains(section: str, item: JsonSchema) -> JsonSchema:
    return {
        "required": [section],
        "properties": {section: {"type": "array", "contains": {"type": "object", **item}}},
    }


def _templatable(schema: JsonSchema, skip: tuple[str, ...] = ()) -> None:
    """Let every value below `schema` be a `{{ template }}` string instead."""
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            _templatable(sub)
    properties = schema.get("properties", {})
    for name, sub in properties.items():
        _templatable(sub)
        if name not in skip:
            properties[name] = _or_template(sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _templatable(schema[key])
            schema[key] = _or_template(schema[key])


def _or_template(schema: JsonSchema) -> JsonSchema:
    rest = {k: v for k, v in schema.items() if k not in _ANNOTATIONS}
    plain_string = rest == {"type": "string"}
    if not rest or plain_string or rest == _TEMPLATE_REF:
        return schema
    notes = {k: v for k, v in schema.items() if k in _ANNOTATIONS}
    return {**notes, "anyOf": [copy.deepcopy(rest), _TEMPLATE_REF]}
