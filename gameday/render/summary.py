"""One sentence of what happened in a scenario, to put beside what the team expected."""

from __future__ import annotations

from gameday.model.scorecard import ScenarioScore, Scorecard
from gameday.scoring.recovery import held_too_long


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}s"


def what_happened(s: ScenarioScore) -> str:
    parts = [f"{s.verdict} ({s.outcome})"]
    if s.outcome in ("not-run", "dry-run", "refused", "error", "interrupted"):
        return f"{parts[0]}: {s.reasons[0] if s.reasons else 'nothing injected'}"
    if s.landing is not None and s.landing.confirmed is not True:
        parts.append("fault not confirmed to have landed")
    if s.recovery == "no impact observed":
        parts.append("no impact observed")
    elif s.time_to_recover is None:
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


def recovery_text(s: ScenarioScore) -> str:
    """The time to recover, or why there is none: never `0.00s` for "nothing broke"."""
    if s.time_to_recover is not None:
        return f"{s.time_to_recover:.2f}s"
    return {"not recovered": "did not recover"}.get(s.recovery, s.recovery)


def landed(s: ScenarioScore) -> str:
    if s.landing is None:
        return "-"
    word = {True: "yes", False: "NO", None: "unknown"}[s.landing.confirmed]
    return f"{word} (checked: {s.landing.checked})"


def met_text(met: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not judged"}[met]


def burn_text(burned: float | None) -> str:
    """Error budget burned as a multiple of the budget, e.g. `3.1x budget`."""
    if burned is None:
        return "-"
    return f"{burned:.2f}x budget" if burned < 10 else f"{burned:.1f}x budget"


def held_text(s: ScenarioScore) -> str:
    """How long the fault stayed, when that was longer than declared."""
    if s.fault_held is None or s.fault_declared is None:
        return ""
    if not held_too_long(s.fault_held, s.fault_declared):
        return ""
    return (
        f"Fault held {s.fault_held:.2f}s, {s.fault_held - s.fault_declared:.2f}s longer than "
        f"the declared {s.fault_declared:g}s (the revert waited)"
    )


def drill_formula_text(card: Scorecard) -> str:
    """The drill score's arithmetic, and which scenarios were left out and why."""
    if card.formula is None:
        return ""
    counted = {t.name for t in card.formula.terms}
    left_out = [f"{s.name} ({s.verdict})" for s in card.scenarios if s.name not in counted]
    text = ""
    if card.formula.terms:
        parts = " + ".join(f"{t.name} {t.value:g} x {t.weight:g}" for t in card.formula.terms)
        total = sum(t.weight for t in card.formula.terms)
        result = "-" if card.formula.result is None else f"{card.formula.result:g}"
        text = f"Drill score = ({parts}) / {total:g} = {result}."
    if left_out:
        text += f" Left out (not judged): {', '.join(left_out)}."
    return text.strip()
