"""gameday/v1 scenario -> Chaos Toolkit experiment (JSON), the way back of
`chaostoolkit.py`: what a team can hand to `chaos run`, and what `chaos validate` accepts.

Maps the scenario's `http` and `command` probes (steady-state hypothesis), a `command`
fault (a process action, its `confirm` as a process probe, its `revert` as the first
rollback) or a label-selected `pod-delete` (chaosk8s `terminate_pods`), the fault's
duration (`pauses.after`), `command`/`http` rollback steps, and params (configuration,
`{{ name }}` -> `${name}`). Everything else is listed as not exported: SLOs, abort
conditions, recovery steps, detection and scoring have no Chaos Toolkit counterpart.
"""

from __future__ import annotations

import re
from typing import Any

from gameday.errors import UsageError
from gameday.interop import Imported

TEMPLATE = re.compile(r"\{\{\s*(\w+)\s*\}\}")
NOT_EXPORTED = ("slo", "abort_when", "setup", "detection", "expect", "prometheus")


def _vars(value: Any) -> Any:
    if isinstance(value, str):
        return TEMPLATE.sub(r"${\1}", value)
    if isinstance(value, list):
        return [_vars(v) for v in value]
    if isinstance(value, dict):
        return {k: _vars(v) for k, v in value.items()}
    return value


def _seconds(value: Any) -> float:
    text = str(value).strip()
    units = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
    for unit in ("ms", "s", "m", "h"):
        if text.endswith(unit) and text[: -len(unit)].replace(".", "", 1).isdigit():
            return float(text[: -len(unit)]) * units[unit]
    return float(text)


def _process(name: str, kind: str, argv: list[str], **extra: Any) -> dict[str, Any]:
    provider = {"type": "process", "path": argv[0], "arguments": argv[1:]}
    return {"type": kind, "name": name, **extra, "provider": _vars(provider)}


def _probe(probe: dict[str, Any], unmapped: list[str]) -> dict[str, Any] | None:
    name, params = probe["name"], probe.get("params", {})
    if probe["type"] == "http":
        status = params.get("expect_status", [200])
        provider = {"type": "http", "url": params["url"], "method": params.get("method", "GET")}
        if "timeout" in params:
            provider["timeout"] = _seconds(params["timeout"])
        tolerance: Any = status[0] if len(status) == 1 else status
        body = params.get("body_contains")
        if body and status == [200]:  # Chaos Toolkit checks one or the other: the body
            tolerance = {"type": "regex", "pattern": re.escape(body), "target": "body"}
        elif body:
            unmapped.append(f"probe `{name}`: body_contains (the tolerance checks the status)")
        return {"type": "probe", "name": name, "tolerance": tolerance, "provider": _vars(provider)}
    if probe["type"] == "command":
        return _process(name, "probe", params["argv"], tolerance=params.get("expect_exit", 0))
    unmapped.append(f"probe `{name}`: type {probe['type']} has no Chaos Toolkit provider")
    return None


def _method(scenario: dict[str, Any], unmapped: list[str]) -> tuple[list[Any], list[Any]]:
    """The method activities and the rollbacks the fault itself needs (its revert)."""
    fault, params = scenario["fault"], scenario["fault"].get("params", {})
    pauses = {"after": _seconds(fault["duration"])} if "duration" in fault else {}
    if fault["type"] == "command":
        method = [_process("inject", "action", params["inject"], pauses=pauses)]
        if params.get("confirm"):
            method.append(_process("confirm", "probe", params["confirm"], tolerance=0))
        no_op = params["revert"] == ["true"]  # what importing a Chaos Toolkit action writes
        return method, [] if no_op else [_process("revert", "action", params["revert"])]
    if fault["type"] == "pod-delete" and params.get("labels"):
        args: dict[str, Any] = {
            "label_selector": ",".join(f"{k}={v}" for k, v in params["labels"].items()),
            "ns": scenario["target"].get("namespace", "default"),
            "qty": params.get("count", 1),
            "rand": True,
        }
        if "grace_period" in params:
            args["grace_period"] = int(_seconds(params["grace_period"]))
        provider = {"type": "python", "module": "chaosk8s.pod.actions", "func": "terminate_pods"}
        action = {
            "type": "action",
            "name": "pod-delete",
            "provider": {**provider, "arguments": args},
        }
        return [_vars(action | ({"pauses": pauses} if pauses else {}))], []
    raise UsageError(
        f"fault `{fault['type']}` has no Chaos Toolkit counterpart to export",
        hint="export scenarios whose fault is `command`, or `pod-delete` selecting by labels",
    )


def _rollback(step: dict[str, Any], unmapped: list[str]) -> dict[str, Any] | None:
    params = step.get("params", {})
    if step["type"] == "command" and params.get("argv"):
        return _process(step.get("name", "rollback"), "action", params["argv"])
    if step["type"] == "http":
        provider = {"type": "http", "url": params["url"], "method": params.get("method", "POST")}
        if isinstance(params.get("body"), dict):
            provider["arguments"] = params["body"]
        return {"type": "action", "name": step.get("name", "rollback"), "provider": _vars(provider)}
    unmapped.append(f"rollback step `{step.get('name')}` ({step['type']}) not exported")
    return None


def export_experiment(scenario: dict[str, Any]) -> Imported:
    unmapped: list[str] = []
    meta = scenario["metadata"]
    probes = [p for probe in scenario["steady_state"]["probes"] if (p := _probe(probe, unmapped))]
    method, reverts = _method(scenario, unmapped)
    rollbacks = reverts + [r for s in scenario.get("rollback", []) if (r := _rollback(s, unmapped))]
    for key in NOT_EXPORTED:
        if scenario.get(key):
            unmapped.append(f"`{key}`: no Chaos Toolkit counterpart")
    if scenario.get("recovery", {}).get("steps"):
        unmapped.append("`recovery.steps`: Chaos Toolkit checks the hypothesis again instead")
    experiment: dict[str, Any] = {
        "version": "1.0.0",
        "title": meta["name"],
        "description": meta.get("description") or meta["name"],
        "tags": [t for t in meta.get("tags", []) if t != "chaostoolkit"] + ["gameday"],
        "configuration": scenario.get("params", {}),
        "steady-state-hypothesis": {
            "title": meta.get("hypothesis") or "steady state",
            "probes": probes,
        },
        "method": method,
        "rollbacks": rollbacks,
    }
    if not experiment["configuration"]:
        del experiment["configuration"]
    return Imported(experiment, unmapped)
