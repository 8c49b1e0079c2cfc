"""Components, weights, caps and grades, with the arithmetic kept for the report.

score = sum(component x weight) / sum(weights of the components present), then:
- a scenario that missed an objective scores at most FAIL_CEILING x (100 + w) / 200,
  w = the score of the objective it missed worst: never an A or B, and between 39.5
  (w = 0) and 79 by the size of the miss: missing an RTO by 6x (recovery 0) caps at
  39.5, missing it by 3% (recovery 98.5) at 78.4;
- a gated outcome (aborted, not restored, a failed revert, a fault that touched
  nothing) scores at most GATED_CAP.
"""

from __future__ import annotations

from typing import Any

from gameday.measure import linear_score
from gameday.model.scorecard import AlertResult, Formula, SloResult, Term

ZERO_AT = 3.0
FAIL_CEILING = 79.0
"""The highest score a scenario that missed any objective can get (grade C)."""
GATED_CAP = 50.0
GRADES = ((90, "A"), (80, "B"), (70, "C"), (60, "D"))
DEFAULT_WEIGHTS = {"slo": 40.0, "recovery": 30.0, "data": 15.0, "detection": 15.0}


def grade(score: float | None) -> str:
    if score is None:
        return "-"
    return next((g for floor, g in GRADES if score >= floor), "F")


def _linear_how(what: str, measured: float, target: float, value: float) -> str:
    if measured <= target:
        return f"{what} {measured:.2f}s within {target:g}s: 100"
    ceiling = target * ZERO_AT
    if measured >= ceiling:
        return f"{what} {measured:.2f}s >= {ZERO_AT:g} x {target:g}s: 0"
    return (
        f"{what} {measured:.2f}s vs {target:g}s: 100 x ({ceiling:g} - {measured:.2f}) / "
        f"({ceiling:g} - {target:g}) = {value:.1f}"
    )


def components(
    spec: dict[str, Any],
    slos: tuple[SloResult, ...],
    recovery: str,
    ttr: float | None,
    lost: float | None,
    alerts: tuple[AlertResult, ...],
) -> list[Term]:
    """The components that apply, each with its weight and how its value came about."""
    weights = {**DEFAULT_WEIGHTS, **spec.get("weights", {})}
    terms: list[Term] = []
    scored = [s for s in slos if s.score is not None]
    if scored:
        value = sum(s.score or 0.0 for s in scored) / len(scored)
        how = "mean of " + ", ".join(f"'{s.name}' {s.score:g}" for s in scored)
        terms.append(Term("slo", round(value, 1), weights["slo"], how))
    rto = spec.get("recovery", {}).get("rto")
    if rto is not None and recovery != "not injected":
        if recovery == "no impact observed":
            terms.append(Term("recovery", 100.0, weights["recovery"], "no impact observed: 100"))
        elif ttr is None:
            terms.append(Term("recovery", 0.0, weights["recovery"], "did not recover: 0"))
        else:
            value = linear_score(ttr, rto, ZERO_AT)
            how = _linear_how("recovered in", ttr, rto, value)
            terms.append(Term("recovery", round(value, 1), weights["recovery"], how))
    rpo = spec.get("recovery", {}).get("rpo")
    if rpo is not None and lost is not None:
        value = linear_score(lost, rpo, ZERO_AT)
        how = _linear_how("lost", lost, rpo, value)
        terms.append(Term("data", round(value, 1), weights["data"], how))
    judged = [a for a in alerts if a.status != "unknown"]
    if judged:
        value = sum(a.score for a in judged) / len(judged)
        how = "mean of " + ", ".join(f"{a.name} {a.score:g} ({a.status})" for a in judged)
        terms.append(Term("detection", round(value, 1), weights["detection"], how))
    return terms


def missed(
    terms: list[Term],
    slos: tuple[SloResult, ...],
    alerts: tuple[AlertResult, ...],
    rto_missed: bool,
    rpo_missed: bool,
) -> list[tuple[str, float]]:
    """(objective, its own score) for every objective the scenario missed."""
    by_name = {t.name: t.value for t in terms}
    found = [(f"SLO '{s.name}'", s.score or 0.0) for s in slos if s.met is False]
    if rto_missed:
        found.append(("RTO", by_name.get("recovery", 0.0)))
    if rpo_missed:
        found.append(("RPO", by_name.get("data", 0.0)))
    found += [(f"alert {a.name}", a.score) for a in alerts if a.status in ("late", "missed")]
    return found


def compute(
    terms: list[Term], missed_objectives: list[tuple[str, float]], gated: str | None
) -> Formula:
    if not terms:
        return Formula((), None)
    total = sum(t.weight for t in terms) or 1.0
    mean = round(sum(t.value * t.weight for t in terms) / total, 1)
    caps: list[tuple[str, float]] = []
    if missed_objectives:
        worst, value = min(missed_objectives, key=lambda m: m[1])
        cap = round(FAIL_CEILING * (100.0 + value) / 200.0, 1)
        caps.append(
            (f"missed {worst}, scored {value:g}: {FAIL_CEILING:g} x (100 + {value:g}) / 200", cap)
        )
    if gated:
        caps.append((gated, GATED_CAP))
    result = min([mean, *(cap for _, cap in caps)])
    return Formula(tuple(terms), mean, tuple(caps), result)
