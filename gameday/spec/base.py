"""The strict base model every spec class derives from: unknown keys are errors.

Cross-field rules that a model checks in a validator and that JSON Schema can also
express ("exactly one of these keys") are declared once more as `schema_rules`, so
`gameday schema` rejects what `gameday validate` rejects. Rules JSON Schema cannot
express are listed in docs/reference/schema.md (see gameday/schema.py).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

JsonSchema = dict[str, Any]


class StrictModel(BaseModel):
    """A spec object: unknown keys are rejected, values are immutable once parsed."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False, defer_build=True)

    schema_rules: ClassVar[tuple[JsonSchema, ...]] = ()
    """JSON Schema fragments (built with `exactly_one` etc.) for this class's validators.
    Inherited: a subclass's schema holds its own rules and its bases'."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        rules = [
            rule for klass in reversed(cls.__mro__) for rule in vars(klass).get("schema_rules", ())
        ]
        if rules:
            handler.resolve_ref_schema(schema).setdefault("allOf", []).extend(rules)
        return schema


class PluginParams(StrictModel):
    """Base of every plugin's `Params` model (fault, probe, action, target)."""

    target_needs: ClassVar[dict[str, str]] = {}
    """Param -> the target setting it needs when given (`service` -> `supervisor`):
    `validate` refuses the scenario when the target does not set it."""


def given(key: str) -> JsonSchema:
    """The key is present and not null (pydantic's `is not None`)."""
    return {"required": [key], "properties": {key: {"not": {"type": "null"}}}}


def filled(key: str) -> JsonSchema:
    """The key is present, not null and not empty (Python truthiness of str/list/dict)."""
    empty = [
        {"type": "null"},
        {"const": ""},
        {"type": "array", "maxItems": 0},
        {"type": "object", "maxProperties": 0},
    ]
    return {"required": [key], "properties": {key: {"not": {"anyOf": empty}}}}


def exactly_one(*keys: str, test: Any = given) -> JsonSchema:
    return {"oneOf": [test(k) for k in keys]}


def at_least_one(*keys: str, test: Any = given) -> JsonSchema:
    return {"anyOf": [test(k) for k in keys]}


def at_most_one(*keys: str, test: Any = given) -> JsonSchema:
    pairs = [(a, b) for i, a in enumerate(keys) for b in keys[i + 1 :]]
    return {"not": {"anyOf": [{"allOf": [test(a), test(b)]} for a, b in pairs]}}


def when(key: str, value: Any, default: Any, then: JsonSchema) -> JsonSchema:
    """`then` applies when `key` equals `value` (or is absent and defaults to it)."""
    matches: JsonSchema = {"required": [key], "properties": {key: {"const": value}}}
    condition = {"anyOf": [matches, {"not": {"required": [key]}}]} if default == value else matches
    return {"if": condition, "then": then}
