"""When each fault was in place, from a scorecard alone: the windows a dashboard overlays
on its graphs. Published as Prometheus gauges (through the Pushgateway, with the rest of
a run's results: gameday/pushmetrics.py) and as Grafana annotations (interop/grafana.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from gameday.model.scorecard import Scorecard


@dataclass(frozen=True)
class FaultWindow:
    drill: str
    run_id: str
    scenario: str
    fault: str
    verdict: str
    start: float
    """Unix time, seconds: the injection."""
    end: float
    """Unix time, seconds: the revert (or the abort, or the scenario's end)."""
    service: str | None = None
    owner: str | None = None


def fault_windows(card: Scorecard) -> list[FaultWindow]:
    """One window per scenario whose fault was injected; none for those never injected."""
    windows = []
    for s in card.scenarios:
        if "inject" not in s.markers:
            continue
        end = next((s.markers[k] for k in ("revert", "abort", "end") if k in s.markers), None)
        start = card.started_wall + s.markers["inject"]
        windows.append(
            FaultWindow(
                drill=card.name,
                run_id=card.run_id,
                scenario=s.name,
                fault=s.fault,
                verdict=s.verdict,
                start=start,
                end=card.started_wall + end if end is not None else start,
                service=s.service,
                owner=s.owner,
            )
        )
    return windows
