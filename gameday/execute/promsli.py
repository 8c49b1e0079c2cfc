"""Measures Prometheus SLIs over the fault window once it has closed, and journals the
raw numbers (`sli-measured`), so scoring stays a pure function of the journal.

The fault window is [injection, start of verify] in Unix time; `W` below is its length,
in milliseconds, so the query covers exactly the scored window (never rounded to whole
seconds). An error (or good) counter with no series yet counts as zero while the total
exists: such series only appear after the first error, and again after a restart.
- ratio SLIs: sum(increase(errors[W])) and sum(increase(total[W])) at the window's end;
  a total of 0 is "no traffic" (journaled, judged neither met nor missed);
- burn rate: for each (long, short) pair, the error ratio over each window divided by
  the budget (1 - objective), sampled across the fault window;
- histogram latency: histogram_quantile over increase(buckets[W]);
- promql: the expression sampled across the window (min, max, points).
"""

from __future__ import annotations

import math
from typing import Any

from gameday.errors import DependencyError, GamedayError
from gameday.model.scenario import Slo
from gameday.prometheus import NoSeries, PrometheusClient

MAX_POINTS = 2000
"""Points of a sampled series kept in the journal (the report charts fewer)."""


def measure(client: PrometheusClient, slo: Slo, start: float, end: float) -> dict[str, Any]:
    """The journal record's fields for one SLO: its numbers, or an error with a hint."""
    try:
        return _measure(client, slo, start, end)
    except DependencyError as exc:  # Prometheus did not answer: the runner stops asking
        return {"error": exc.message, "hint": exc.hint, "unreachable": True}
    except GamedayError as exc:
        return {"error": exc.message, "hint": exc.hint}


def _window(start: float, end: float) -> str:
    """The span as a PromQL duration, to the millisecond."""
    return f"{max(1, round((end - start) * 1000))}ms"


def _step(start: float, end: float) -> float:
    return max(1.0, (end - start) / 200)


def _errors(sli: dict[str, str], window: str) -> str:
    """Errors counted in the window; an absent numerator series counts as 0."""
    if "errors" in sli:
        return f"(sum(increase({sli['errors']}[{window}])) or vector(0))"
    return (
        f"(sum(increase({sli['total']}[{window}])) - "
        f"(sum(increase({sli['good']}[{window}])) or vector(0)))"
    )


def _measure(client: PrometheusClient, slo: Slo, start: float, end: float) -> dict[str, Any]:
    sli = slo.sli or {}
    window = _window(start, end)
    if slo.kind == "availability":
        total = client.value(f"sum(increase({sli['total']}[{window}]))", end)
        errors = client.value(_errors(sli, window), end)
        if math.isnan(total) or total <= 0:
            return {"errors": 0.0, "total": 0.0, "window": window, "no_traffic": True}
        if math.isnan(errors):
            raise NoSeries(f"the error count of {sli['total']} is NaN over {window}")
        return {"errors": round(errors, 6), "total": round(total, 6), "window": window}
    if slo.kind == "burn-rate":
        budget = 1.0 - (slo.objective or 0.0)
        pairs = []
        for long, short, factor in slo.burn_windows:
            series = {}
            for name, span in (("long", long), ("short", short)):
                w = _window(0, span)
                ratio = f"({_errors(sli, w)} / sum(increase({sli['total']}[{w}]))) / {budget:g}"
                found = client.range(ratio, start, end, _step(start, end))
                if not found:
                    raise NoSeries(
                        f"burn rate over {w} returned no series", hint="check the SLI's counters"
                    )
                series[name] = dict(found[0].points)
            times = sorted(set(series["long"]) & set(series["short"]))
            points = [[t, _number(series["long"][t]), _number(series["short"][t])] for t in times]
            pairs.append({"long": long, "short": short, "factor": factor, "points": points})
        return {"pairs": pairs}
    if slo.kind == "latency" and sli.get("type") == "histogram":
        q = (slo.percentile or 99.0) / 100
        expr = f"histogram_quantile({q:g}, sum by (le) (increase({sli['buckets']}[{window}])))"
        value = client.value(expr, end)
        if math.isnan(value):
            raise NoSeries(f"no observations in {sli['buckets']} during the fault window")
        return {"seconds": value}
    found = client.range(sli["expr"], start, end, _step(start, end))
    values = [v for s in found for _, v in s.points if not math.isnan(v)]
    if not values:
        raise NoSeries(
            f"PromQL returned no series over the fault window: {sli['expr']}",
            hint="check the metric name and label matchers in the Prometheus UI",
        )
    sampled = found[0].points[:: max(1, len(found[0].points) // MAX_POINTS)]
    return {"min": min(values), "max": max(values), "points": sampled, "series": len(found)}


def _number(value: float) -> float | None:
    """A journal-safe value: NaN (0/0, no traffic at that moment) becomes None."""
    return None if math.isnan(value) else value
