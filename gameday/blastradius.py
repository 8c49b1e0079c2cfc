"""Guardrails after selection, before injection: what the read-only `select` found is
checked against the process allow-list, the scenario's `blast_radius` and a production
context's caps. Counts come from the `Injection` (`blast`, `matched`) and units from the
fault's declared `reach`, never from its name."""

from __future__ import annotations

import re
from collections.abc import Mapping

from gameday.errors import RefusedError
from gameday.guardrails import GuardrailConfig, KubeContextRule, reach_of
from gameday.model.scenario import Scenario
from gameday.plugins.protocols import Injection, Touches


def _refuse(rule: str, message: str, fix: str) -> RefusedError:
    return RefusedError(f"refused by guardrail `{rule}`: {message}", hint=fix)


def check_selection(
    scenario: Scenario,
    config: GuardrailConfig,
    planned: Injection,
    cmdlines: Mapping[int, str],
    production: KubeContextRule | None = None,
) -> None:
    """`cmdlines`: the command lines of the processes behind the planned targets (for
    process faults); `production`: the allow-list entry of a production context."""
    reach = reach_of(scenario)
    if reach.touches is Touches.PROCESSES and config.local_processes is not None:
        patterns = [re.compile(p) for p in config.local_processes]
        for pid, cmdline in cmdlines.items():
            if not any(p.search(cmdline) for p in patterns):
                raise _refuse(
                    "local-processes",
                    f"pid {pid} ({cmdline[:80]!r}) matches no allowed process pattern",
                    "add a pattern to `local_processes` under [tool.gameday.guardrails]",
                )
    blast, unit = planned.blast, reach.unit
    limit = scenario.fault.max_targets
    if limit is not None and blast > limit:
        raise _refuse(
            "blast-radius",
            f"fault would touch {blast} {unit}(s), over blast_radius.max_targets={limit}",
            "narrow the selector, or raise `blast_radius.max_targets` if that is intended",
        )
    share = scenario.fault.max_percent
    if share is not None:
        _check_share(planned, unit, share, "blast-radius", "blast_radius.max_percent")
    if production is not None and production.production:
        if unit == "pod":
            _check_share(
                planned,
                unit,
                production.max_pod_percent,
                "production-blast-radius",
                "max_pod_percent",
            )
        if reach.touches is Touches.KUBE_NODES and blast > production.max_nodes:
            raise _refuse(
                "production-blast-radius",
                f"{scenario.fault.type} of {blast} nodes; production allows {production.max_nodes}",
                "lower `count`, or change `max_nodes` for this context",
            )


def _check_share(planned: Injection, unit: str, cap: float, rule: str, setting: str) -> None:
    if planned.matched is None:
        raise _refuse(
            rule,
            f"`{planned.fault}` does not pick from a pool, so {setting} cannot be enforced",
            f"remove {setting} (use blast_radius.max_targets), or use a fault that selects",
        )
    if planned.matched and planned.blast / planned.matched > cap + 1e-9:
        raise _refuse(
            rule,
            f"fault would touch {planned.blast} of {planned.matched} {unit}(s) "
            f"({planned.blast / planned.matched:.0%}), over {setting}={cap:.0%}",
            f"lower `count`/`percent`, or raise {setting} if that is intended",
        )
