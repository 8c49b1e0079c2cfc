"""SLO evaluation over the fault window (pure): availability, latency, thresholds and
burn rate, from probe samples or from the PromQL numbers the runner journaled.

Availability burns error budget: burned = (1 - good/total) / (1 - objective), and a
missed availability SLO scores 100 x (2 - burned), reaching 0 at twice the budget.
A burn-rate SLO is missed when both windows of a pair burn faster than its factor at
the same moment; it scores 100 x (2 - worst / factor) the same way. Latency and
threshold misses fall linearly from 100 at the bound to 0 at 3x it.
A PromQL SLI that could not be measured (no series, query refused) is missed, score 0.
A window with no traffic (0/0) is neither met nor missed (`met` None: the scenario is
at best inconclusive); NaN never satisfies an objective.
"""

from __future__ import annotations

import math
from typing import Any

from gameday.measure import WindowStats, linear_score
from gameday.model.scorecard import SloResult


def evaluate(
    slo: dict[str, Any],
    samples: WindowStats | None,
    inject_t: float | None,
    prometheus: dict[str, Any] | None = None,
) -> SloResult:
    """One SLO over the window [injection, end of recovery], from the journaled samples
    of its probe sent in that window (probe SLIs; `WindowStats`, gathered as the journal
    streams by) or the journaled `sli-measured` record (Prometheus SLIs)."""
    kind, name = slo["kind"], slo["name"]
    objective = objective_text(slo)
    if slo.get("sli"):
        return _from_prometheus(slo, objective, inject_t, prometheus)
    if inject_t is None:
        return SloResult(
            name, kind, objective, None, None, detail="no fault window (nothing injected)"
        )
    if samples is None or not samples.count:
        return SloResult(
            name, kind, objective, None, False, detail="no samples in the fault window", score=0.0
        )
    if kind == "availability":
        good, total = samples.good, samples.count
        return _availability(slo, objective, good / total, f"{good}/{total} good")
    if kind == "latency":
        measured = samples.percentile(slo["percentile"])
        met = measured is not None and measured <= slo["below"]
        return SloResult(
            name,
            kind,
            objective,
            measured,
            met,
            None,
            f"{samples.count} samples",
            _bound_score(measured, slo["below"]),
        )
    low, high = samples.low, samples.high
    met = (
        samples.values > 0
        and (slo.get("below") is None or high < slo["below"])
        and (slo.get("above") is None or low > slo["above"])
    )
    measured = high if slo.get("below") is not None else low
    return SloResult(
        name,
        kind,
        objective,
        measured,
        met,
        None,
        f"range {low}..{high}",
        100.0 if met else _threshold_score(low, high, slo),
    )


def _availability(slo: dict[str, Any], objective: str, ratio: float, detail: str) -> SloResult:
    """Good/total against the objective, and how much of the error budget that burned."""
    if not _finite(ratio):
        return SloResult(slo["name"], slo["kind"], objective, None, False, None, detail, 0.0)
    allowed = 1.0 - slo["objective"]
    burned = (1.0 - ratio) / allowed if allowed > 0 else (0.0 if ratio == 1.0 else None)
    met = ratio >= slo["objective"]
    score = 100.0 if met else (0.0 if burned is None else _budget_score(burned))
    rounded = None if burned is None else round(burned, 4)
    return SloResult(
        slo["name"], slo["kind"], objective, round(ratio, 6), met, rounded, detail, score
    )


def _budget_score(burned: float) -> float:
    """100 within budget, falling linearly to 0 at twice the budget."""
    return 100.0 if burned <= 1.0 else round(max(0.0, 100.0 * (2.0 - burned)), 1)


def _from_prometheus(
    slo: dict[str, Any], objective: str, inject_t: float | None, measured: dict[str, Any] | None
) -> SloResult:
    kind, name = slo["kind"], slo["name"]
    if inject_t is None:
        return SloResult(name, kind, objective, None, None, detail="no fault window")
    if measured is None:
        return SloResult(
            name, kind, objective, None, False, detail="not measured (run ended early)", score=0.0
        )
    if "error" in measured:
        hint = f" (hint: {measured['hint']})" if measured.get("hint") else ""
        return SloResult(
            name, kind, objective, None, False, detail=measured["error"] + hint, score=0.0
        )
    if kind == "availability":
        errors, total = measured["errors"], measured["total"]
        if measured.get("no_traffic") or not total:
            return SloResult(
                name,
                kind,
                objective,
                None,
                None,
                detail=f"no traffic over {measured['window']}"
                " (0 requests counted by Prometheus): neither met nor missed",
            )
        detail = f"{total - errors:g}/{total:g} good over {measured['window']} (Prometheus)"
        return _availability(slo, objective, 1.0 - errors / total, detail)
    if kind == "burn-rate":
        worst, parts, seen = 0.0, [], 0
        for pair in measured["pairs"]:
            # a moment where either window saw no traffic (0/0) says nothing: skipped
            known = [p for p in pair["points"] if _finite(p[1]) and _finite(p[2])]
            seen += len(known)
            both = max((min(p[1], p[2]) for p in known), default=0.0)
            worst = max(worst, both / pair["factor"])
            parts.append(
                f"{_span(pair['long'])}/{_span(pair['short'])}: peak {both:.1f}x (pages at {pair['factor']:g}x)"
            )
        if not seen:
            return SloResult(
                name,
                kind,
                objective,
                None,
                None,
                detail="no traffic in either window at any moment: neither met nor missed",
            )
        met = worst <= 1.0
        return SloResult(
            name,
            kind,
            objective,
            round(worst, 4),
            met,
            round(worst, 4),
            "; ".join(parts),
            _budget_score(worst),
        )
    if kind == "latency":
        seconds = measured["seconds"]
        met = _finite(seconds) and seconds <= slo["below"]
        return SloResult(
            name,
            kind,
            objective,
            seconds,
            met,
            None,
            "histogram_quantile (Prometheus)",
            100.0 if met else _bound_score(seconds, slo["below"]),
        )
    low, high = measured["min"], measured["max"]
    met = (
        _finite(low)
        and _finite(high)
        and (slo.get("below") is None or high < slo["below"])
        and (slo.get("above") is None or low > slo["above"])
    )
    value = high if slo.get("below") is not None else low
    return SloResult(
        name,
        kind,
        objective,
        value,
        met,
        None,
        f"range {low:g}..{high:g} (PromQL)",
        100.0 if met else _threshold_score(low, high, slo),
    )


def _bound_score(measured: float | None, bound: float) -> float:
    """100 within the bound, falling linearly to 0 at 3x the bound (by the size of the miss)."""
    if not _finite(measured) or measured is None:
        return 0.0
    return round(linear_score(measured, bound, 3.0), 1)


def _threshold_score(low: float | None, high: float | None, slo: dict[str, Any]) -> float:
    """The worse of the two bounds, each scored by how far past it the value went
    (relative to the bound; 0 for a bound of 0, where "how far" has no scale)."""
    scores = []
    if slo.get("below") is not None:
        below = slo["below"]
        scores.append(_bound_score(high, below) if below > 0 and _finite(high) else 0.0)
    if slo.get("above") is not None:
        above = slo["above"]
        ok = above > 0 and _finite(low) and low is not None and low > 0
        scores.append(_bound_score(above * above / low, above) if ok and low else 0.0)
    return min(scores, default=0.0)


def _finite(value: Any) -> bool:
    """NaN (or a missing value) never satisfies an objective."""
    return isinstance(value, int | float) and math.isfinite(value)


def _span(seconds: float) -> str:
    return (
        f"{seconds / 3600:g}h"
        if seconds >= 3600
        else f"{seconds / 60:g}m"
        if seconds >= 60
        else f"{seconds:g}s"
    )


def objective_text(slo: dict[str, Any]) -> str:
    if slo["kind"] == "burn-rate":
        pairs = ", ".join(f"{_span(lg)}/{_span(sh)} < {f:g}x" for lg, sh, f in slo["burn_windows"])
        return f"burn of a {slo['objective'] * 100:g}% budget: {pairs}"
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
    if slo.kind == "burn-rate":
        return f"{slo.measured:.2f} of the paging rate"
    return f"{slo.measured:g}"
