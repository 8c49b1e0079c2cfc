"""`--set key=value` and `--values file.yaml` into a params mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from gameday.errors import UsageError


def parse_overrides(sets: list[str], values_files: list[Path]) -> dict[str, Any]:
    from gameday.load import load_file
    from gameday.validate import merge_params

    layers: list[dict[str, Any]] = []
    for file in values_files:
        layers.append(load_file(file).data)
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r} is not KEY=VALUE", hint="e.g. --set replicas=3")
        try:
            value = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError:
            value = raw
        node: dict[str, Any] = {}
        layer = node
        parts = key.strip().split(".")
        for part in parts[:-1]:
            layer = layer.setdefault(part, {})
        layer[parts[-1]] = value
        layers.append(node)
    return merge_params(*layers)
