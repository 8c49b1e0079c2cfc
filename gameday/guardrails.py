"""Guardrails against touching the wrong thing (the wrong-browser-tab problem).

Configured under `[tool.gameday.guardrails]`. Every fault declares what it touches
(`FaultPlugin.reach`: a kind from `Touches`, the params naming where, the unit of its
blast radius); guardrails check that declaration, never a fault's name, so a new
plugin cannot slip past them. `check_before_connect` runs before a target is
connected (allow-lists of hosts, paths, proxies, commands, contexts, namespaces);
`gameday.blastradius.check_selection` after the read-only selection (process command
lines, `blast_radius`, production caps). Pure: the kubeconfig's real server, the host
name and process command lines are handed in. Every refusal names its rule and fix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gameday.errors import RefusedError
from gameday.model.scenario import Scenario
from gameday.plugins.protocols import Reach, Touches
from gameday.spec.units import Ratio


class KubeContextRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(description="kubeconfig context name (`in-cluster` for --in-cluster runs).")
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
    """Allow-lists, one per kind of thing a fault touches (`plugins.protocols.Touches`).
    Unset (None) means not restricted; set, anything not listed is refused."""

    model_config = ConfigDict(extra="forbid")
    kube_contexts: list[KubeContextRule] | None = Field(
        None, description="Allowed contexts; when set, Kubernetes faults elsewhere are refused."
    )
    local_hosts: list[str] | None = Field(
        None, description="Host names local faults may run on (this machine's `uname -n`)."
    )
    local_processes: list[str] | None = Field(
        None,
        description="Regexes on command lines; when set, process faults touch only matches.",
    )
    local_paths: list[str] | None = Field(
        None,
        description="Directories file faults (disk-fill, file-delete) may touch, with "
        "everything under them; symlinks are resolved first.",
    )
    local_commands: list[str] | None = Field(
        None, description="Regexes one of which each argv of a `command` fault must match."
    )
    proxy_admins: list[str] | None = Field(
        None, description="Admin URLs of the fault proxies latency/http-error may change."
    )


KUBERNETES = (Touches.KUBE_OBJECTS, Touches.KUBE_NAMESPACES, Touches.KUBE_NODES)

IN_CLUSTER = "in-cluster"
"""The context name an `--in-cluster` run is checked as (matched by `server` too)."""


def _refuse(rule: str, message: str, fix: str) -> RefusedError:
    return RefusedError(f"refused by guardrail `{rule}`: {message}", hint=fix)


def reach_of(scenario: Scenario) -> Reach:
    """What the scenario's fault declares it touches."""
    from gameday.plugins.registry import registry

    reach: Reach = registry("fault").get(scenario.fault.type).reach
    return reach


def check_before_connect(
    scenario: Scenario,
    config: GuardrailConfig,
    *,
    server: str | None,
    confirm: str | None,
    host: str,
) -> None:
    """Every fault, before its target is connected: the allow-list of what it declares
    it touches (`reach`), checked against the values of the params it names there.
    `server` is the API server the kube context (or the pod, in-cluster) really points
    at; `host` this machine's name."""
    reach = reach_of(scenario)
    if reach.touches in KUBERNETES:
        _check_kubernetes(scenario, config, reach, server, confirm)
        return
    if config.local_hosts is not None and host not in config.local_hosts:
        raise _refuse(
            "local-hosts",
            f"`{scenario.fault.type}` would run on host `{host}`, not in the allow-list "
            f"({', '.join(config.local_hosts) or 'none'})",
            "add this host to `local_hosts` under [tool.gameday.guardrails]",
        )
    values = _declared(scenario, reach)
    if reach.touches is Touches.FILES and config.local_paths is not None:
        for value in values:
            _check_path(value, config.local_paths)
    if reach.touches is Touches.PROXY and config.proxy_admins is not None:
        allowed = {a.rstrip("/") for a in config.proxy_admins}
        for value in values:
            if value.rstrip("/") not in allowed:
                raise _refuse(
                    "proxy-admins",
                    f"fault proxy {value} is not in the allow-list",
                    "add its admin URL to `proxy_admins` under [tool.gameday.guardrails]",
                )
    if reach.touches is Touches.COMMANDS and config.local_commands is not None:
        patterns = [re.compile(p) for p in config.local_commands]
        for value in values:
            if not any(p.search(value) for p in patterns):
                raise _refuse(
                    "local-commands",
                    f"command `{value[:120]}` matches no allowed pattern",
                    "add a pattern to `local_commands` under [tool.gameday.guardrails]",
                )


def _declared(scenario: Scenario, reach: Reach) -> list[str]:
    """The values of the params fields a fault's reach names, as strings (an argv list
    joined with spaces); unset fields are skipped."""
    dumped = scenario.fault.params.model_dump(mode="json")
    values = []
    for name in reach.fields:
        value = dumped.get(name)
        if isinstance(value, list):
            values.append(" ".join(map(str, value)))
        elif value is not None:
            values.append(str(value))
    return values


def _check_path(value: str, allowed: list[str]) -> None:
    real = os.path.realpath(value)
    for root in allowed:
        top = os.path.realpath(root)
        if real == top or real.startswith(top.rstrip("/") + "/"):
            return
    raise _refuse(
        "local-paths",
        f"path {value}"
        + (f" (really {real})" if real != value else "")
        + f" is outside the allowed directories ({', '.join(allowed) or 'none'})",
        "add its directory to `local_paths` under [tool.gameday.guardrails]",
    )


def _check_kubernetes(
    scenario: Scenario,
    config: GuardrailConfig,
    reach: Reach,
    server: str | None,
    confirm: str | None,
) -> None:
    params: Any = scenario.target.params
    in_cluster = bool(params.in_cluster)
    context = IN_CLUSTER if in_cluster else params.context
    if context is None:
        raise _refuse(
            "explicit-context",
            f"fault `{scenario.fault.type}` without a kube context",
            "set `target.context`; gameday never falls back to the current context",
        )
    if config.kube_contexts is None:
        return
    rule = next(
        (
            r
            for r in config.kube_contexts
            if r.name == context
            or (in_cluster and server is not None and _same_url(r.server, server))
        ),
        None,
    )
    if rule is None:
        allowed = ", ".join(r.name for r in config.kube_contexts) or "none"
        where = (
            f"the in-cluster API server {server or '(none: not in a pod)'}"
            if in_cluster
            else f"context `{context}`"
        )
        raise _refuse(
            "allowed-contexts",
            f"{where} is not in the allow-list ({allowed})",
            "add it under [[tool.gameday.guardrails.kube_contexts]] in pyproject.toml",
        )
    if server is None or not _same_url(server, rule.server):
        raise _refuse(
            "context-server",
            f"context `{context}` points at {server or 'no server'}, "
            f"but the allow-list says {rule.server} (a renamed or edited context?)",
            "fix the kubeconfig, or update `server` for this context if the cluster really moved",
        )
    if rule.namespaces:
        if reach.touches is Touches.KUBE_NODES:
            raise _refuse(
                "allowed-namespaces",
                f"`{scenario.fault.type}` acts on nodes, and so on pods of every namespace; "
                f"context `{context}` allows only {', '.join(rule.namespaces)}",
                "run node faults in a context without a namespace list",
            )
        for namespace in _declared(scenario, reach) or [params.namespace]:
            if namespace not in rule.namespaces:
                raise _refuse(
                    "allowed-namespaces",
                    f"namespace `{namespace}` is not allowed in context `{context}`",
                    f"allowed: {', '.join(rule.namespaces)}; change `namespaces` for this "
                    "context to allow it",
                )
    if rule.production and confirm != rule.name:
        raise _refuse(
            "production-confirm",
            f"context `{rule.name}` is marked production",
            f"type the context name to go ahead: --confirm {rule.name}",
        )
    if rule.production and reach.share is not None:
        share = _declared_share(scenario, reach.share)
        if share is None or share > rule.max_pod_percent:
            raise _refuse(
                "production-blast-radius",
                f"`{scenario.fault.type}` may hit "
                f"{'an uncapped share' if share is None else f'{share:.0%}'} of "
                f"{reach.unit}s; production allows at most {rule.max_pod_percent:.0%}",
                f"set `{reach.share}` to at most {rule.max_pod_percent:.0%}, "
                "or change `max_pod_percent`",
            )


def _declared_share(scenario: Scenario, field: str) -> float | None:
    value = scenario.fault.params.model_dump().get(field)
    return float(value) if isinstance(value, int | float) else None


def kube_rule(
    scenario: Scenario, config: GuardrailConfig, server: str | None
) -> KubeContextRule | None:
    """The allow-list entry a Kubernetes scenario was admitted under, if any."""
    if config.kube_contexts is None or scenario.target.kind != "kubernetes":
        return None
    params: Any = scenario.target.params
    context = IN_CLUSTER if params.in_cluster else params.context
    return next(
        (
            r
            for r in config.kube_contexts
            if r.name == context or (params.in_cluster and server and _same_url(r.server, server))
        ),
        None,
    )


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


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
    if config.local_paths is not None:  # files a file fault's undo would write or delete
        for value in _values(undo, "path") + _values(undo, "file"):
            _check_path(value, config.local_paths)
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
