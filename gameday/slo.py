"""SLO evaluation over the fault window (pure): availability, latency and thresholds.

Availability burns error budget: burned = (1 - good/total) / (1 - objective), and a
missed availability SLO scores 100 x (2 - burned), reaching 0 at twice the budget.
"""

from __future__ import annotations

from typing import Any

from gameday.measure import percentile, window
from gameday.model.scorecard import SloResult
from gameday.plugins.protocols import Sample


def evaluate(
    slo: dict[str, Any],
    samples_by_probe: dict[str, list[Sample]],
    inject_t: float | None,
    verify_t: float,
) -> SloResult:
    """One SLO over the window [injection, end of recovery], from the journaled samples."""
    kind, name = slo["kind"], slo["name"]
    objective = objective_text(slo)
    if slo.get("promql"):
        return SloResult(
            name,
            kind,
            objective,
            None,
            None,
            detail="PromQL SLIs need a Prometheus source; not evaluated",
        )
    if inject_t is None:
        return SloResult(
            name, kind, objective, None, None, detail="no fault window (nothing injected)"
        )
    samples = window(samples_by_probe.get(slo["probe"], []), inject_t, verify_t)
    if not samples:
        return SloResult(
            name, kind, objective, None, False, detail="no samples in the fault window", score=0.0
        )
    if kind == "availability":
        ratio = sum(s.ok for s in samples) / len(samples)
        allowed = 1.0 - slo["objective"]
        consumed = (
            (1.0 - ratio) / allowed if allowed > 0 else (0.0 if ratio == 1.0 else float("inf"))
        )
        met = ratio >= slo["objective"]
        score = 100.0 if met else max(0.0, 100.0 * (2.0 - consumed)) if allowed > 0 else 0.0
        return SloResult(
            name,
            kind,
            objective,
            round(ratio, 6),
            met,
            round(consumed, 4) if consumed != float("inf") else None,
            f"{sum(s.ok for s in samples)}/{len(samples)} good",
            round(min(score, 100.0), 1),
        )
    if kind == "latency":
        measured = percentile(
            [s.latency for s in samples if s.latency is not None], slo["percentile"]
        )
        met = measured is not None and measured <= slo["below"]
        return SloResult(
            name,
            kind,
            objective,
            measured,
            met,
            None,
            f"{len(samples)} samples",
            100.0 if met else 0.0,
        )
    values = [s.value for s in samples if s.value is not None]
    low, high = min(values, default=None), max(values, default=None)
    met = (
        bool(values)
        and (slo.get("below") is None or high < slo["below"])
        and (slo.get("above") is None or low > slo["above"])
    )
    measured = high if slo.get("below") is not None else low
    return SloResult(
        name, kind, objective, measured, met, None, f"range {low}..{high}", 100.0 if met else 0.0
    )


def objective_text(slo: dict[str, Any]) -> str:
    if slo["kind"] == "availability":
        return f">= {slo['objective'] * 100:g}% good"
    if slo["kind"] == "latency":
        return f"p{slo['percentile']:g} < {slo['below'] * 1000:g}ms"
    parts = [
        f"< {slo['below']:g}" if slo.get("below") is not None else "",
        f"> {slo['above']:g}" if slo.get("above") is not None else "",
    ]
    return " and ".join(p for p in parts if p)


def measured_text(slo: SloResult) -> str:
    if slo.measured is None:
        return "nothing"
    if slo.kind == "availability":
        return f"{slo.measured * 100:.2f}%"
    if slo.kind == "latency":
        return f"{slo.measured * 1000:.0f}ms"
    return f"{slo.measured:g}"
