"""The report's first screen, shared by report.html and report.md: did we pass (verdict,
grade, score), what broke (each failing or inconclusive scenario with its one-line
reason and the action item), RTO/RPO against their objectives, and the score's
breakdown (components and weights). Plain strings; each renderer escapes them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from gameday.model.scorecard import Note, ScenarioScore, Scorecard

SLOW_STEP = 0.25
"""A recovery step taking more than this share of the RTO gets an action item."""
PROBLEMS = ("fail", "aborted", "error", "inconclusive", "not-run")
"""Verdicts that put a scenario on the first screen, in this order."""
COMPONENTS = ("slo", "recovery", "data", "detection")


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


@dataclass(frozen=True)
class Problem:
    """A scenario that did not pass: what went wrong, in one line, and what to do."""

    index: int
    """1-based position in the report (the anchor of its details)."""
    scenario: str
    verdict: str
    owner: str | None
    reason: str
    action: str


@dataclass(frozen=True)
class Objectives:
    """A scenario's recovery objectives against what was measured: each is a text like
    `3.39s (objective 5.00s)` and a status `met`, `MISSED` or `not measured` (None when
    the scenario declares no such objective)."""

    index: int
    scenario: str
    rto: tuple[str, str] | None
    rpo: tuple[str, str] | None


def loose_notes(card: Scorecard) -> list[Note]:
    """Notes no scenario section shows: taken between scenarios, or stamped with a
    scenario but journaled after it ended. None is lost from the report."""
    shown = {n for s in card.scenarios for n in s.notes}
    return [n for n in card.notes if n not in shown]


def summary_line(card: Scorecard) -> str:
    """`3 of 4 scenarios passed; 1 fail` (counts per verdict that is not a pass)."""
    total = len(card.scenarios)
    passed = sum(1 for s in card.scenarios if s.verdict == "pass")
    line = f"{passed} of {total} scenario{'s' if total != 1 else ''} passed"
    others = [f"{n} {verdict}" for verdict in PROBLEMS if (n := _count(card, verdict)) and n > 0]
    return line + (f"; {', '.join(others)}" if others else "")


def _count(card: Scorecard, verdict: str) -> int:
    return sum(1 for s in card.scenarios if s.verdict == verdict)


def problems(card: Scorecard) -> list[Problem]:
    found = [
        Problem(
            i,
            s.name,
            s.verdict,
            s.owner,
            s.reasons[0] if s.reasons else s.verdict,
            (action_items(s) or ["Look into the details below"])[0],
        )
        for i, s in enumerate(card.scenarios, 1)
        if s.verdict in PROBLEMS
    ]
    return sorted(found, key=lambda p: (PROBLEMS.index(p.verdict), p.index))


def _against(measured: float | None, objective: float, unmeasured: str) -> tuple[str, str]:
    if measured is None:
        return f"{unmeasured} (objective {_secs(objective)})", "not measured"
    status = "met" if measured <= objective else "MISSED"
    return f"{_secs(measured)} (objective {_secs(objective)})", status


def _rto(s: ScenarioScore) -> tuple[str, str] | None:
    if s.rto is None:
        return None
    if s.recovery == "no impact observed":
        return f"no impact observed (objective {_secs(s.rto)})", "met"
    if s.recovery == "not recovered":
        return f"did not recover (objective {_secs(s.rto)})", "MISSED"
    return _against(s.time_to_recover, s.rto, s.recovery)


def objectives(card: Scorecard) -> list[Objectives]:
    """Every scenario that declares an RTO or an RPO, measured or not."""
    rows = [
        Objectives(
            i,
            s.name,
            _rto(s),
            None if s.rpo is None else _against(s.data_lost, s.rpo, "no data audit"),
        )
        for i, s in enumerate(card.scenarios, 1)
    ]
    return [r for r in rows if r.rto or r.rpo]


def breakdown(s: ScenarioScore) -> dict[str, str]:
    """component -> `value x weight` for the components that counted, `-` otherwise."""
    terms = {t.name: t for t in (s.formula.terms if s.formula else ())}
    return {
        name: f"{terms[name].value:g} x {terms[name].weight:g}" if name in terms else "-"
        for name in COMPONENTS
    }


def caps(s: ScenarioScore) -> str:
    if s.formula is None or not s.formula.caps:
        return "-"
    return "; ".join(f"at most {cap:g}: {why}" for why, cap in s.formula.caps)


def score_text(s: ScenarioScore) -> str:
    if s.score is None:
        return f"not scored ({s.verdict})"
    return f"{s.score:g} ({s.grade})"


def action_items(s: ScenarioScore) -> list[str]:
    """Findings turned into postmortem action items: one per reason, in the order of the
    reasons (so the first screen pairs the first reason with its action), then slow
    recovery steps."""
    owner = f" (owner: {s.owner})" if s.owner else ""
    items = [f"{_action(s, r)}{owner}" for r in (s.reasons or ()) if _action(s, r)]
    if s.verdict in ("error", "not-run"):
        items = items[:1]  # the rest follows from a run that did not happen
    if s.rto:
        items += [
            f"Automate or speed up step {step.name}: it took {_secs(step.duration)}{owner}"
            for step in s.steps
            if step.section == "recovery" and step.duration > SLOW_STEP * s.rto
        ]
    return items


def _action(s: ScenarioScore, reason: str) -> str:
    """What to do about one reason of a scenario's verdict."""
    if s.verdict == "error":
        return f"Fix what stopped {s.name} ({reason}), then run it again"
    if s.verdict == "not-run":
        return f"Run {s.name}: it did not run ({reason})"
    alert = next((a for a in s.alerts if f"alert {a.name} " in reason), None)
    if alert is not None and alert.status == "missed":
        return (
            f"Add or fix alerting: {alert.name} never fired during {s.fault} "
            f"(expected within {_secs(alert.within)})"
        )
    if alert is not None and alert.status == "late":
        return (
            f"Tighten {alert.name}: it fired after {_secs(alert.time_to_detect)}, "
            f"target {_secs(alert.within)}"
        )
    if reason.startswith("detection unknown"):
        return f"Keep the alert source reachable during {s.name}, then re-run"
    if reason.startswith("fault not confirmed"):
        return f"Make {s.fault} confirm that it landed in {s.name}, then re-run"
    if reason.startswith("RTO exceeded") or reason.startswith("the service did not recover"):
        return f"Shorten recovery of {s.name}: {recovery_words(s)} against an RTO of {_secs(s.rto)}"
    slo = re.match(r"SLO '(.*)' missed", reason)
    if slo:
        return f"Make {s.service or s.name} hold SLO '{slo.group(1)}' through {s.fault}"
    if reason.startswith("no impact observed"):
        return f"Check that {s.fault} reached {s.service or s.name}, or revise the hypothesis"
    return f"Investigate {s.name}: {reason}"


def recovery_words(s: ScenarioScore) -> str:
    return "did not recover" if s.time_to_recover is None else _secs(s.time_to_recover)
