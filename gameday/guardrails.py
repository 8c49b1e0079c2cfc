"""Guardrails against touching the wrong thing (the wrong-browser-tab problem).

Configured under `[tool.gameday.guardrails]`; checked before a destructive fault
touches anything. Pure: the kubeconfig facts and process command lines are handed in
by the adapters. Every refusal names its rule and how to change it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gameday.errors import RefusedError
from gameday.model.scenario import Scenario
from gameday.spec.units import Ratio

NODE_FAULTS = ("node-drain", "node-taint")
"""Faults whose `count` production contexts cap at `max_nodes`."""


class KubeContextRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="kubeconfig context name.")
    server: str = Field(description="API server URL this context must point at.")
    namespaces: list[str] = Field(
        [], description="Namespaces faults may touch ([] = any not protected)."
    )
    production: bool = Field(
        False, description="Needs `--confirm CONTEXT` and the blast caps below."
    )
    max_pod_percent: Ratio = Field(
        0.10, description="production: most of a workload's pods a fault may hit."
    )
    max_nodes: int = Field(1, ge=1, description="production: most nodes a fault may touch.")


class GuardrailConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kube_contexts: list[KubeContextRule] | None = Field(
        None, description="Allowed contexts; when set, destructive faults elsewhere are refused."
    )
    local_processes: list[str] | None = Field(
        None,
        description="Regexes on command lines; when set, destructive local faults touch only matches.",
    )


def _refuse(rule: str, message: str, fix: str) -> RefusedError:
    return RefusedError(f"refused by guardrail `{rule}`: {message}", hint=fix)


def check_kubernetes(
    scenario: Scenario,
    config: GuardrailConfig,
    actual_server: str | None,
    confirm: str | None,
) -> None:
    """Before anything connects: context explicit and allowed, pointing where it should."""
    fault_destructive = _destructive(scenario)
    if not fault_destructive:
        return
    params: Any = scenario.target.params
    context = getattr(params, "context", None)
    if context is None and not getattr(params, "in_cluster", False):
        raise _refuse(
            "explicit-context",
            f"destructive fault `{scenario.fault.type}` without a kube context",
            "set `target.context`; gameday never falls back to the current context for a destructive fault",
        )
    if config.kube_contexts is None or context is None:
        return
    rule = next((r for r in config.kube_contexts if r.name == context), None)
    if rule is None:
        allowed = ", ".join(r.name for r in config.kube_contexts) or "none"
        raise _refuse(
            "allowed-contexts",
            f"context `{context}` is not in the allow-list ({allowed})",
            "add it under [[tool.gameday.guardrails.kube_contexts]] in pyproject.toml",
        )
    if actual_server is None or actual_server.rstrip("/") != rule.server.rstrip("/"):
        raise _refuse(
            "context-server",
            f"context `{context}` points at {actual_server or 'no server'}, "
            f"but the allow-list says {rule.server} (a renamed or edited context?)",
            "fix the kubeconfig, or update `server` for this context if the cluster really moved",
        )
    namespace = getattr(scenario.fault.params, "namespace", None) or getattr(
        params, "namespace", None
    )
    if rule.namespaces and namespace not in rule.namespaces:
        raise _refuse(
            "allowed-namespaces",
            f"namespace `{namespace}` is not allowed in context `{context}`",
            f"allowed: {', '.join(rule.namespaces)}; change `namespaces` for this context to allow it",
        )
    if rule.production:
        _check_production(scenario, rule, confirm)


def _check_production(scenario: Scenario, rule: KubeContextRule, confirm: str | None) -> None:
    if confirm != rule.name:
        raise _refuse(
            "production-confirm",
            f"context `{rule.name}` is marked production",
            f"type the context name to go ahead: --confirm {rule.name}",
        )
    fault: Any = scenario.fault.params
    percent = getattr(fault, "percent", None)
    pod_fault = scenario.fault.type == "pod-delete"
    if pod_fault and (percent is None or percent > rule.max_pod_percent):
        raise _refuse(
            "production-blast-radius",
            f"`{scenario.fault.type}` may hit {'an uncapped share' if percent is None else f'{percent:.0%}'}"
            f" of pods; production allows at most {rule.max_pod_percent:.0%}",
            f"set `percent` to at most {rule.max_pod_percent:.0%}, or change `max_pod_percent`",
        )
    if scenario.fault.type in NODE_FAULTS and getattr(fault, "count", 1) > rule.max_nodes:
        raise _refuse(
            "production-blast-radius",
            f"{scenario.fault.type} of {fault.count} nodes; production allows {rule.max_nodes}",
            "lower `count`, or change `max_nodes` for this context",
        )


def check_local_processes(
    scenario: Scenario, config: GuardrailConfig, cmdlines: Mapping[int, str]
) -> None:
    """After selection, before injection: every process a destructive fault would touch
    must match the allow-list."""
    if config.local_processes is None or not _destructive(scenario):
        return
    patterns = [re.compile(p) for p in config.local_processes]
    for pid, cmdline in cmdlines.items():
        if not any(p.search(cmdline) for p in patterns):
            raise _refuse(
                "local-processes",
                f"pid {pid} ({cmdline[:80]!r}) matches no allowed process pattern",
                "add a pattern to `local_processes` under [tool.gameday.guardrails]",
            )


def _destructive(scenario: Scenario) -> bool:
    from gameday.plugins.registry import registry

    return bool(registry("fault").get(scenario.fault.type).destructive)


def check_undo(
    config: GuardrailConfig,
    kind: str,
    target_params: Mapping[str, Any],
    undo: Mapping[str, Any],
    server: str | None,
    cmdlines: Mapping[int, str],
) -> None:
    """Before `gameday recover` acts on an undo record. Journals are untrusted input, so
    the record's target and what it touches must pass the allow-lists a run must pass:
    the kube context and the server it really points at, every namespace named in the
    target or the undo data, and the command line of every local process it names."""
    if kind == "kubernetes" and config.kube_contexts is not None:
        context = target_params.get("context")
        rule = next((r for r in config.kube_contexts if r.name == context), None)
        if rule is None:
            raise _refuse(
                "allowed-contexts",
                f"the journal's undo record is for context `{context}`, not in the allow-list",
                "recover it by hand, or add the context under [[tool.gameday.guardrails.kube_contexts]]",
            )
        if server is None or server.rstrip("/") != rule.server.rstrip("/"):
            raise _refuse(
                "context-server",
                f"context `{context}` points at {server or 'no server'}, not {rule.server}",
                "fix the kubeconfig before recovering",
            )
        named = set(_values(undo, "namespace"))
        if target_params.get("namespace"):
            named.add(str(target_params["namespace"]))
        outside = sorted(named - set(rule.namespaces)) if rule.namespaces else []
        if outside:
            raise _refuse(
                "allowed-namespaces",
                f"the undo record touches namespace(s) {', '.join(outside)}, not allowed in `{context}`",
                f"allowed: {', '.join(rule.namespaces)}",
            )
    if config.local_processes is not None:
        patterns = [re.compile(p) for p in config.local_processes]
        for pid, cmdline in cmdlines.items():
            if not any(p.search(cmdline) for p in patterns):
                raise _refuse(
                    "local-processes",
                    f"the undo record names pid {pid} ({cmdline[:80]!r}), which matches no allowed pattern",
                    "a journal may be forged or stale (pid reused); check it, then recover by hand",
                )


def _values(node: Any, key: str) -> list[str]:
    """Every string under `key` anywhere in a JSON tree."""
    found: list[str] = []
    if isinstance(node, Mapping):
        for k, v in node.items():
            if k == key and isinstance(v, str):
                found.append(v)
            else:
                found += _values(v, key)
    elif isinstance(node, list | tuple):
        for v in node:
            found += _values(v, key)
    return found
