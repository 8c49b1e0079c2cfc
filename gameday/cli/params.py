"""`--set key=value` and `--values file.yaml` into a params mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gameday.errors import UsageError


def parse_overrides(sets: list[str], values_files: list[Path]) -> dict[str, Any]:
    from gameday.load import load_file, load_value
    from gameday.validate import merge_params

    layers: list[dict[str, Any]] = []
    for file in values_files:
        layers.append(load_file(file).data)
    for item in sets:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set {item!r} is not KEY=VALUE", hint="e.g. --set replicas=3")
        value = load_value(raw, f"--set {key.strip()}") if raw else ""
        node: dict[str, Any] = {}
        layer = node
        parts = key.strip().split(".")
        for part in parts[:-1]:
            layer = layer.setdefault(part, {})
        layer[parts[-1]] = value
        layers.append(node)
    merged = merge_params(*layers)
    from gameday.redact import find_secrets, process_redactor

    process_redactor().add(find_secrets(merged))  # CLI errors never quote them
    return merged
