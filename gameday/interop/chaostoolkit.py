"""Chaos Toolkit experiment (JSON or YAML) -> gameday/v1 Scenario.

How the two models line up:
- the steady-state hypothesis's probes -> steady_state probes (checked before the fault,
  as Chaos Toolkit does) and `wait_for` recovery steps (Chaos Toolkit checks the
  hypothesis again after the method: gameday waits for it, within the RTO);
- the first method action gameday has a fault for -> `fault` (a `process` provider
  becomes the `command` fault; `chaosk8s` pod termination becomes `pod-delete`), its
  `pauses.after` -> the fault's duration; a `process` probe right after a command fault
  -> its `confirm` (exit 0: the fault landed);
- rollbacks with a `process` or `http` provider -> `rollback` steps;
- configuration values -> params, `${name}` -> `{{ name }}`.
Python providers (other than the ones above), other method activities, controls,
secrets, extensions and non-trivial tolerances are reported as not mapped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from gameday.errors import InputError, Location, Problem
from gameday.interop import Imported

VARIABLE = re.compile(r"\$\{(\w+)\}")
POD_TERMINATE = "chaosk8s.pod.actions.terminate_pods"


def read_experiment(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise InputError(problems=[Problem(Location(str(path)), f"not JSON/YAML: {exc}")]) from None
    if not isinstance(doc, dict) or "method" not in doc or "title" not in doc:
        raise InputError(
            problems=[
                Problem(
                    Location(str(path)),
                    "not a Chaos Toolkit experiment (needs `title` and `method`)",
                    "see https://chaostoolkit.org/reference/api/experiment/",
                )
            ]
        )
    return doc


def _vars(value: Any) -> Any:
    if isinstance(value, str):
        return VARIABLE.sub(r"{{ \1 }}", value)
    if isinstance(value, list):
        return [_vars(v) for v in value]
    if isinstance(value, dict):
        return {k: _vars(v) for k, v in value.items()}
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "imported"


def _seconds(value: Any, default: float = 1.0) -> str:
    if isinstance(value, list | tuple):  # (connect, read) timeouts: the larger bounds it
        value = max(value)
    return f"{float(value if value is not None else default):g}s"


def _argv(provider: dict[str, Any]) -> list[str]:
    arguments = provider.get("arguments", [])
    if isinstance(arguments, str):
        arguments = arguments.split()
    return [str(provider["path"]), *(str(a) for a in arguments)]


def _literal_body(tolerance: dict[str, Any]) -> bool:
    """A regex tolerance on the body that is plain text: gameday's `body_contains`."""
    return (
        tolerance.get("type") == "regex"
        and tolerance.get("target", "body") == "body"
        and re.escape(str(tolerance.get("pattern", ""))) == str(tolerance.get("pattern"))
        and bool(tolerance.get("pattern"))
    )


def _probe(activity: dict[str, Any], where: str, unmapped: list[str]) -> dict[str, Any] | None:
    name, provider = activity.get("name", "probe"), activity.get("provider", {})
    kind, tolerance = provider.get("type"), activity.get("tolerance")
    if kind == "http":
        params: dict[str, Any] = {
            "url": provider["url"],
            "method": provider.get("method", "GET"),
            "timeout": _seconds(provider.get("timeout"), 3.0),
        }
        if provider.get("headers"):
            params["headers"] = provider["headers"]
        if isinstance(tolerance, int) and not isinstance(tolerance, bool):
            params["expect_status"] = [tolerance]
        elif isinstance(tolerance, list) and all(isinstance(t, int) for t in tolerance):
            params["expect_status"] = tolerance
        elif isinstance(tolerance, dict) and _literal_body(tolerance):
            params["body_contains"] = tolerance["pattern"]
        elif tolerance is not None:
            unmapped.append(f"{where} `{name}`: tolerance {json.dumps(tolerance)} (kept: HTTP 200)")
        return {"name": _slug(name), "type": "http", "every": "500ms", "params": _vars(params)}
    if kind == "process":
        params = {"argv": _argv(provider), "timeout": _seconds(provider.get("timeout"), 5.0)}
        if isinstance(tolerance, int) and not isinstance(tolerance, bool):
            params["expect_exit"] = tolerance
        elif tolerance is not None:
            unmapped.append(f"{where} `{name}`: tolerance {json.dumps(tolerance)} (kept: exit 0)")
        return {"name": _slug(name), "type": "command", "every": "1s", "params": _vars(params)}
    func = f"{provider.get('module')}.{provider.get('func')}" if kind == "python" else kind
    unmapped.append(f"{where} `{name}`: {kind} provider {func} has no gameday probe")
    return None


def _fault(activity: dict[str, Any]) -> dict[str, Any] | None:
    provider = activity.get("provider", {})
    duration = _seconds(activity.get("pauses", {}).get("after"), 10.0)
    if provider.get("type") == "process":
        return {
            "type": "command",
            "params": {"inject": _vars(_argv(provider)), "revert": ["true"]},
            "duration": duration,
            "blast_radius": {"max_targets": 1},
        }
    func = f"{provider.get('module')}.{provider.get('func')}"
    if provider.get("type") == "python" and func == POD_TERMINATE:
        args = provider.get("arguments", {})
        params: dict[str, Any] = {
            "labels": dict(
                pair.split("=", 1)
                for pair in str(args.get("label_selector", "")).split(",")
                if "=" in pair
            )
        }
        params["count"] = int(args.get("qty", 1))
        if "grace_period" in args:
            params["grace_period"] = f"{args['grace_period']}s"
        return {
            "type": "pod-delete",
            "params": _vars(params),
            "duration": duration,
            "blast_radius": {"max_targets": params["count"]},
        }
    return None


def _step(activity: dict[str, Any], unmapped: list[str]) -> dict[str, Any] | None:
    name, provider = activity.get("name", "rollback"), activity.get("provider", {})
    if provider.get("type") == "process":
        return {"name": name, "type": "command", "params": _vars({"argv": _argv(provider)})}
    if provider.get("type") == "http":
        params = {"url": provider["url"], "method": provider.get("method", "GET")}
        if isinstance(provider.get("arguments"), dict):
            params["body"] = provider["arguments"]
        return {"name": name, "type": "http", "params": _vars(params)}
    unmapped.append(f"rollback `{name}`: {provider.get('type')} provider has no gameday step")
    return None


def _confirms(activity: dict[str, Any], fault: dict[str, Any] | None) -> bool:
    """A process probe right after a `command` fault checks that it landed: its confirm."""
    return (
        fault is not None
        and fault["type"] == "command"
        and "confirm" not in fault["params"]
        and activity.get("type") == "probe"
        and activity.get("provider", {}).get("type") == "process"
        and activity.get("tolerance", 0) == 0
    )


def _method(activities: list[dict[str, Any]], unmapped: list[str]) -> dict[str, Any]:
    """The fault: the first method action gameday has a fault for."""
    fault: dict[str, Any] | None = None
    for activity in activities:
        name = activity.get("name", "?")
        if activity.get("type") == "action" and fault is None:
            fault = _fault(activity)
            if fault:
                continue
        if _confirms(activity, fault):
            assert fault is not None
            fault["params"]["confirm"] = _vars(_argv(activity["provider"]))
            continue
        if activity.get("type") == "probe":
            why = "a probe inside the method (gameday's probes sample throughout instead)"
        elif fault:
            why = "a second action (gameday injects one fault per scenario)"
        else:
            why = "no gameday fault for this provider"
        unmapped.append(f"method {activity.get('type')} `{name}`: {why}")
    if fault is None:
        unmapped.append("no method action maps to a gameday fault: `fault` is a placeholder")
        fault = {
            "type": "command",
            "params": {"inject": ["false"], "revert": ["true"]},
            "duration": "10s",
            "blast_radius": {"max_targets": 1},
        }
    return fault


def import_experiment(doc: dict[str, Any]) -> Imported:
    unmapped: list[str] = []
    hypothesis = doc.get("steady-state-hypothesis") or {}
    probes = [
        p
        for activity in hypothesis.get("probes", [])
        if (p := _probe(activity, "steady-state probe", unmapped))
    ]
    fault = _method(doc.get("method", []), unmapped)
    rollback = [s for a in doc.get("rollbacks", []) if (s := _step(a, unmapped))]
    params: dict[str, Any] = {}
    for key, value in (doc.get("configuration") or {}).items():
        if isinstance(value, dict):
            unmapped.append(f"configuration `{key}`: {value.get('type')} value (set it with --set)")
            params[key] = f"<{key}>"
        else:
            params[key] = value
    for key in ("secrets", "controls", "extensions", "contributions", "runtime"):
        if doc.get(key):
            unmapped.append(f"`{key}`: no gameday equivalent")
    if not probes:
        unmapped.append("no steady-state probe mapped: add one before running")
    scenario: dict[str, Any] = {
        "apiVersion": "gameday/v1",
        "kind": "Scenario",
        "metadata": {
            "name": _slug(doc["title"]),
            "owner": "CHANGE-ME",
            "description": doc.get("description") or doc["title"],
            "hypothesis": hypothesis.get("title"),
            "tags": [str(t) for t in doc.get("tags", [])] + ["chaostoolkit"],
        },
        "params": params,
        "target": {"kind": "kubernetes" if fault["type"] == "pod-delete" else "local"},
        "steady_state": {"window": "2s", "probes": probes},
        "fault": fault,
        "recovery": {
            "rto": "30s",
            "steps": [
                {
                    "name": f"{p['name']} holds again",
                    "type": "wait_for",
                    "params": {"probe": p["name"], "successes": 3},
                    "timeout": "1m",
                }
                for p in probes
            ],
        },
        "rollback": rollback,
    }
    if scenario["target"]["kind"] == "kubernetes":
        scenario["target"].update({"context": "{{ context }}", "namespace": "{{ namespace }}"})
        params.setdefault("context", "CHANGE-ME")
        params.setdefault("namespace", "default")
    return Imported(scenario, unmapped)
