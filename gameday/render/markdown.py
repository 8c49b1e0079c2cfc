"""report.md: a retrospective draft to paste into a postmortem document."""

from __future__ import annotations

from gameday.model.scorecard import ScenarioScore, Scorecard
from gameday.render.restore import markdown_summary
from gameday.render.summary import (
    burn_text,
    drill_formula_text,
    held_text,
    landed,
    met_text,
    recovery_text,
    what_happened,
)


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _scenario(s: ScenarioScore) -> list[str]:
    lines = [
        f"### {s.name}: {s.verdict} ({s.score if s.score is not None else '-'}, grade {s.grade})",
        "",
    ]
    lines += [
        f"- Expected: {s.hypothesis or '(no hypothesis stated)'}",
        f"- Happened: {what_happened(s)}",
    ]
    if s.approval:
        lines.append(f"- Approval: {s.approval}")
    lines += [
        f"- Fault `{s.fault}` touched: {', '.join(s.touched) or 'nothing'}",
        *([f"- Fault landed: {landed(s)}"] if s.landing is not None else []),
        *([f"- Stop condition: {s.abort_condition}"] if s.abort_condition else []),
        f"- Time to recover: {recovery_text(s)} (RTO {_secs(s.rto)})",
    ]
    lines += [f"  - {_secs(p.duration)} {p.label}" for p in s.phases]
    held = held_text(s)
    if held:
        lines.append(f"- {held}")
    for o in s.slos:
        burned = f", {burn_text(o.budget_consumed)}" if o.budget_consumed is not None else ""
        score = f", score {o.score:g}" if o.score is not None else ""
        lines.append(
            f"- SLO `{o.name}` ({o.objective}): {met_text(o.met)}, {o.detail}{burned}{score}"
        )
    lines += [
        f"- Expected breach, {b.name}: {b.measured}, allowed {b.limit}: "
        f"{'held' if b.held else ('not held' if b.held is False else 'unknown')}"
        for b in s.bounds
    ]
    if s.data_lost is not None:
        lines.append(
            f"- Data lost: {_secs(s.data_lost)} of acknowledged writes, {s.data_missing} records (RPO {_secs(s.rpo)})"
        )
    for step in s.steps:
        lines.append(
            f"- Step `{step.name}` ({step.section}): {'ok' if step.ok else 'FAILED'} in {_secs(step.duration)}"
        )
    for alert in s.alerts:
        seen = (
            f"fired after {_secs(alert.time_to_detect)}"
            if alert.time_to_detect is not None
            else alert.status
        )
        lines.append(f"- Alert `{alert.name}` (expected within {_secs(alert.within)}): {seen}")
    for number, n in enumerate(s.notes, 1):
        lines.append(f"- Note {number} at {_secs(n.t)} ({n.author}): {n.text}")
    if s.formula is not None and s.formula.terms:
        lines.append(
            f"- Score: {s.formula.text()}"
            + ("" if s.score is not None else f"; not counted: {s.verdict}")
        )
        lines += [
            f"  - {t.name} {t.value:g} x weight {t.weight:g}: {t.how}" for t in s.formula.terms
        ]
    return [*lines, ""]


def drill_formula(card: Scorecard) -> list[str]:
    text = drill_formula_text(card)
    return [text, ""] if text else []


SLOW_STEP = 0.25
"""A recovery step taking more than this share of the RTO gets an action item."""


def action_items(s: ScenarioScore) -> list[str]:
    """Findings turned into postmortem action items, most specific first."""
    owner = f" (owner: {s.owner})" if s.owner else ""
    items = []
    for alert in s.alerts:
        if alert.status == "missed":
            items.append(
                f"Add or fix alerting: `{alert.name}` never fired during `{s.fault}` "
                f"(expected within {_secs(alert.within)}){owner}"
            )
        elif alert.status == "late":
            items.append(
                f"Tighten `{alert.name}`: it fired after {_secs(alert.time_to_detect)}, "
                f"target {_secs(alert.within)}{owner}"
            )
    if s.rto is not None and s.time_to_recover is not None and s.time_to_recover > s.rto:
        items.append(
            f"Shorten recovery of {s.name}: {_secs(s.time_to_recover)} against an RTO of "
            f"{_secs(s.rto)}{owner}"
        )
    if s.rto:
        items += [
            f"Automate or speed up step `{step.name}`: it took {_secs(step.duration)}{owner}"
            for step in s.steps
            if step.section == "recovery" and step.duration > SLOW_STEP * s.rto
        ]
    covered = ("monitoring gap", "alert ", "RTO exceeded")
    items += [f'Investigate {s.name}: "{r}"{owner}' for r in s.reasons if not r.startswith(covered)]
    return items


def render_markdown(card: Scorecard) -> str:
    lines = [
        f"# Game day retrospective: {card.name}",
        "",
        f"Score **{card.score if card.score is not None else '-'}** (grade {card.grade}), verdict **{card.verdict}**.",
        "",
        *drill_formula(card),
        *markdown_summary(card),
        "## Timeline",
        "",
    ]
    drill = card.meta.get("drill") or {}
    if drill.get("facilitator") or drill.get("participants"):
        lines += [
            f"Facilitator: {drill.get('facilitator') or '-'}. "
            f"Participants: {', '.join(drill.get('participants') or []) or '-'}. "
            f"Observers: {', '.join(drill.get('observers') or []) or '-'}.",
            "",
        ]
    for s in card.scenarios:
        lines += _scenario(s)
    loose = [n for n in card.notes if n.scenario is None]
    if loose:
        lines += ["Notes between scenarios:", ""]
        lines += [f"- {_secs(n.t)} ({n.author}): {n.text}" for n in loose] + [""]
    went_well = [s.name for s in card.scenarios if s.verdict == "pass"]
    lines += ["## What went well", ""] + [f"- {n} met its objectives" for n in went_well] or [
        "- (nothing yet)"
    ]
    lines += ["", "## What did not", ""]
    lines += [f"- {s.name}: {r}" for s in card.scenarios for r in s.reasons] or ["- nothing"]
    lines += ["", "## Action items", ""]
    lines += [f"- [ ] {item}" for s in card.scenarios for item in action_items(s)] or ["- [ ] none"]
    return "\n".join(lines) + "\n"
