"""One sentence of what happened in a scenario, to put beside what the team expected."""

from __future__ import annotations

from gameday.model.scorecard import ScenarioScore


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def what_happened(s: ScenarioScore) -> str:
    parts = [f"{s.verdict} ({s.outcome})"]
    if s.outcome in ("not-run", "dry-run", "refused", "error"):
        return f"{parts[0]}: {s.reasons[0] if s.reasons else 'nothing injected'}"
    if s.time_to_recover is None:
        parts.append("did not recover within the run")
    else:
        rto = f" against an RTO of {_s(s.rto)}" if s.rto is not None else ""
        parts.append(f"recovered in {_s(s.time_to_recover)}{rto}")
    if s.slos:
        met = sum(1 for o in s.slos if o.met)
        parts.append(f"{met} of {len(s.slos)} SLOs met")
    if s.data_lost is not None:
        parts.append(f"{_s(s.data_lost)} of writes lost")
    for alert in s.alerts:
        seen = (
            f"fired after {_s(alert.time_to_detect)}"
            if alert.time_to_detect is not None
            else ("never fired" if alert.status == "missed" else alert.status)
        )
        parts.append(f"{alert.name} {seen}")
    return "; ".join(parts)
