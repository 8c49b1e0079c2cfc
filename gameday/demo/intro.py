"""What `gameday demo` tells a newcomer before it starts: where its drill comes from
(shipped inside the package, so it runs from any directory) and what to expect, above
all which scenario is meant to miss its SLO and why. The demo's own test checks that
the expectation written here is what actually happens.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gameday.model.scenario import Drill, Scenario
from gameday.model.scorecard import Scorecard

EXPECTED_MISS: dict[str, str] = {}
"""Scenarios of the demo drill expected to fail, with the reason; every other one passes.
None today: store-outage's breach is its hypothesis (`expect.breach`), judged by bounds."""


def packaged_drill() -> Path:
    """The demo drill shipped in the package (a real file in a wheel or a clone)."""
    return Path(str(resources.files("gameday").joinpath("demo/files/drills/demo.yaml")))


def expectations(drill: Drill) -> list[str]:
    """One line per scenario: what it breaks, and whether it should hold its SLOs."""
    lines = []
    for entry in drill.entries:
        scenario = entry.scenario
        why = EXPECTED_MISS.get(scenario.name)
        if why:
            lines.append(f"  {scenario.name}: expected to MISS its SLO: {why}")
        elif scenario.expect is not None:
            lines.append(
                f"  {scenario.name}: expected to BREACH its SLOs while the fault is in "
                f"place, within bounds ({_bounds(scenario)}); it passes only if the "
                "breach is what the hypothesis says"
            )
        else:
            lines.append(f"  {scenario.name}: expected to hold its SLOs ({scenario.description})")
    return lines


def _bounds(scenario: Scenario) -> str:
    breach = scenario.expect.breach if scenario.expect else None
    if breach is None:
        return ""
    parts = [
        f"detected within {breach.detect_within:g}s" if breach.detect_within is not None else "",
        f"recovered within {breach.recover_within:g}s of the fault's end"
        if breach.recover_within is not None
        else "",
        f"at most {breach.max_burn:g} error budgets burned" if breach.max_burn is not None else "",
    ]
    return ", ".join(p for p in parts if p)


def outcome_lines(drill: Drill, card: Scorecard) -> list[str]:
    """After the run: for each scenario expected to breach, whether it did and whether
    the breach was detected in time (the bounds its hypothesis set)."""
    expected = {e.scenario.name for e in drill.entries if e.scenario.expect is not None}
    lines = []
    for scored in card.scenarios:
        if scored.name not in expected:
            continue
        detect = next((b for b in scored.bounds if b.name == "time to detect"), None)
        seen = (
            "no breach observed"
            if not scored.bounds
            else f"breached as expected; time to detect {detect.measured} "
            f"(bound {detect.limit}: {'held' if detect.held else 'MISSED'})"
            if detect is not None
            else "breached as expected"
        )
        lines.append(f"  {scored.name}: {seen}; verdict {scored.verdict}")
    return lines
