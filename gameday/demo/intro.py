"""What `gameday demo` tells a newcomer before it starts: where its drill comes from
(shipped inside the package, so it runs from any directory) and what to expect, above
all which scenario is meant to miss its SLO and why. The demo's own test checks that
the expectation written here is what actually happens.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from gameday.model.scenario import Drill

EXPECTED_MISS = {
    "store-outage": (
        "the web tier has no cache or fallback for the store, so every page fails while the "
        "store is down: its availability SLO (99.5%) is missed, and the report shows how much "
        "error budget the outage burned"
    ),
}
"""Scenarios of the demo drill expected to fail, with the reason; every other one passes."""


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
        else:
            lines.append(f"  {scenario.name}: expected to hold its SLOs ({scenario.description})")
    return lines
