"""What `--dry-run` shows and samples instead of running a scenario.

A dry run connects, checks the guardrails, selects (read-only by the fault protocol),
then lists every setup, recovery and rollback step with its rendered params and samples only
the probes that declare themselves read-only for the steady-state window. It runs no
action, no approval, no fault, no probe that could write, and takes no target lock.
"""

from __future__ import annotations

import json

from rich.markup import escape

from gameday.execute.view import View
from gameday.model.scenario import Probe, Scenario, Step
from gameday.plugins.protocols import Injection
from gameday.plugins.registry import registry


def read_only_probes(scenario: Scenario) -> tuple[Probe, ...]:
    """The steady-state probes whose sampling changes nothing (`ProbePlugin.read_only`)."""
    return tuple(
        p
        for p in scenario.steady_state.probes
        if registry("probe").get(p.type)().read_only(p.params)
    )


def list_plan(
    scenario: Scenario, planned: Injection, sampled: tuple[Probe, ...], view: View
) -> None:
    """Everything the run would do, in order, with rendered params (secrets masked by
    the view)."""
    name = scenario.name
    fault = scenario.fault
    view.log(
        escape(
            f"{name}: would inject {fault.type} for {fault.duration:g}s into "
            f"{len(planned.targets)}: {', '.join(planned.targets) or '-'} "
            f"with {_params(fault.params)}"
        )
    )
    sections = (
        ("setup", scenario.setup),
        ("recovery", scenario.recovery.steps),
        ("rollback", scenario.rollback),
    )
    for section, steps in sections:
        for index, step in enumerate(steps, 1):
            view.log(escape(f"{name}: would run {section} step {index} {_step(step)}"))
    skipped = [p.name for p in scenario.steady_state.probes if p not in sampled]
    if skipped:
        view.log(
            escape(
                f"{name}: not sampled in a dry run (sampling could change something): "
                + ", ".join(skipped)
            )
        )


def summary(scenario: Scenario, planned: Injection, sampled: tuple[Probe, ...]) -> str:
    steps = len(scenario.setup) + len(scenario.recovery.steps) + len(scenario.rollback)
    held = (
        f"steady state held on {', '.join(p.name for p in sampled)}"
        if sampled
        else "no read-only probe to check steady state with"
    )
    return (
        f"dry run: nothing injected or run; {scenario.fault.type} would touch "
        f"{len(planned.targets)}, {steps} step(s) listed; {held}"
    )


def _step(step: Step) -> str:
    return f"'{step.name}' ({step.type}, timeout {step.timeout:g}s): {_params(step.params)}"


def _params(params: object) -> str:
    dump = getattr(params, "model_dump", None)
    data = dump(mode="json", exclude_defaults=True) if callable(dump) else params
    return json.dumps(data, sort_keys=True, default=str)
