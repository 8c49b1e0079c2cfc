"""Checks that span sections of one scenario, made at validate time so that a mistake
that would only show at run time (or never) is a located error before anything runs:

- a param that needs a target setting the target lacks (`service:` selects supervisord
  programs, so the target needs `supervisor`), as plugins declare in `target_needs`;
- `recovery.rpo` without a probe that audits data (a data writer), which is the only
  thing that measures lost writes;
- a fault that selects more objects (`count`) than `blast_radius.max_targets` allows,
  which the guardrail would refuse at run time.

(An alert source is checked by the spec itself and by `_check_prometheus_source`.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gameday.errors import Problem
from gameday.load import Document, YamlPath
from gameday.plugins.registry import registry
from gameday.spec.base import PluginParams
from gameday.spec.scenario import ScenarioSpec


def static_problems(
    doc: Document, spec: ScenarioSpec, parsed: dict[YamlPath, Any]
) -> list[Problem]:
    """Problems of a scenario whose spec and plugin params all parsed."""
    problems: list[Problem] = []
    target = parsed.get(("target",))
    for path, params in _plugin_params(parsed) if target is not None else ():
        for param, setting in type(params).target_needs.items():
            if getattr(params, param, None) is not None and not getattr(target, setting, None):
                problems.append(
                    Problem(
                        doc.locate((*path, param)),
                        f"`{param}` needs the target's `{setting}`, and the "
                        f"`{spec.target.kind}` target sets none",
                        f"add `{setting}:` under `target:`"
                        + (" (supervisord's XML-RPC URL)" if setting == "supervisor" else ""),
                    )
                )
    problems += _rpo_without_writer(doc, spec)
    problems += _count_over_blast_radius(doc, spec, parsed.get(("fault",)))
    return problems


def _plugin_params(parsed: dict[YamlPath, Any]) -> Iterator[tuple[YamlPath, PluginParams]]:
    for path, params in parsed.items():
        if isinstance(params, PluginParams) and path != ("target",):
            yield (*path, "params"), params


def _rpo_without_writer(doc: Document, spec: ScenarioSpec) -> list[Problem]:
    if spec.recovery.rpo is None:
        return []
    probes = registry("probe").plugins
    writers = [
        p.name
        for p in spec.steady_state.probes
        if p.type in probes and getattr(probes[p.type], "audits_data", False)
    ]
    if writers:
        return []
    return [
        Problem(
            doc.locate(("recovery", "rpo")),
            "`rpo` is set, but no probe measures lost writes",
            "add a probe that audits writes to `steady_state.probes` (e.g. `type: "
            "data-writer`), or remove `rpo`",
        )
    ]


def _count_over_blast_radius(doc: Document, spec: ScenarioSpec, params: Any) -> list[Problem]:
    cap = spec.fault.blast_radius.max_targets
    count = getattr(params, "count", None)
    if cap is None or not isinstance(count, int) or count <= cap:
        return []
    return [
        Problem(
            doc.locate(("fault", "params", "count")),
            f"`count: {count}` can select more than `blast_radius.max_targets: {cap}` "
            "allows, and the guardrail would then refuse the run",
            f"lower `count` to {cap} or less, or raise `max_targets`",
        )
    ]
