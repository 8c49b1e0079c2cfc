"""report.md: a retrospective draft to paste into a postmortem document. It opens like
report.html (verdict, what broke and what to do, RTO/RPO, score breakdown), then the
details. Every piece of user text goes through `md()` or `code()`: it cannot become
HTML, emphasis or a link in a Markdown viewer."""

from __future__ import annotations

from gameday.model.scorecard import ScenarioScore, Scorecard
from gameday.render import headline
from gameday.render.headline import action_items
from gameday.render.mdtext import code, md
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

__all__ = ["action_items", "render_markdown"]


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
        "",
    ]


def _objective(found: tuple[str, str] | None) -> str:
    return "-" if found is None else md(f"{found[0]}: {found[1]}")


def first_screen(card: Scorecard) -> list[str]:
    score = "-" if card.score is None else f"{card.score:g}"
    lines = [
        f"# Game day retrospective: {md(card.name)}",
        "",
        f"**{card.verdict.upper()}**: score **{score}**, grade **{card.grade}**. "
        f"{headline.summary_line(card)}.",
        "",
        "## What broke and what to do",
        "",
    ]
    found = headline.problems(card)
    if found:
        lines += _table(
            ("scenario", "verdict", "why", "action item"),
            [(md(p.scenario), p.verdict, md(p.reason), md(p.action)) for p in found],
        )
    else:
        lines += ["Nothing: every scenario passed.", ""]
    rows = headline.objectives(card)
    if rows:
        lines += ["## Recovery objectives", ""]
        lines += _table(
            ("scenario", "time to recover (RTO)", "data lost (RPO)"),
            [(md(o.scenario), _objective(o.rto), _objective(o.rpo)) for o in rows],
        )
    lines += ["## Score breakdown", ""]
    lines += _table(
        ("scenario", "verdict", *headline.COMPONENTS, "caps", "score", "drill weight"),
        [
            (
                md(s.name),
                s.verdict,
                *headline.breakdown(s).values(),
                md(headline.caps(s)),
                headline.score_text(s),
                f"{s.weight:g}",
            )
            for s in card.scenarios
        ],
    )
    lines += [
        "Each cell is `value x weight`; the scenario score is their weighted mean, then caps."
    ]
    text = drill_formula_text(card)
    return [*lines, *([md(text)] if text else []), ""]


def _scenario(s: ScenarioScore) -> list[str]:
    lines = [
        f"### {md(s.name)}: {s.verdict} ({s.score if s.score is not None else '-'}, grade {s.grade})",
        "",
        f"Started {_secs(s.markers.get('start', 0.0))} into the run; times below count from there.",
        "",
        f"- Expected: {md(s.hypothesis) if s.hypothesis else '(no hypothesis stated)'}",
        f"- Happened: {md(what_happened(s))}",
    ]
    go = next((m for m in s.marks if m.kind == "approval"), None)
    if go is not None:  # on the scenario's clock, like everything in its section
        lines.append(f"- Approval: {md(go.label)} at {_secs(go.t - s.markers.get('start', 0.0))}")
    elif s.approval:
        lines.append(f"- Approval: {md(s.approval)}")
    lines += [
        f"- Fault {code(s.fault)} touched: {', '.join(code(t) for t in s.touched) or 'nothing'}",
        *([f"- Fault landed: {md(landed(s))}"] if s.landing is not None else []),
        *([f"- Stop condition: {md(s.abort_condition)}"] if s.abort_condition else []),
        f"- Time to recover: {md(recovery_text(s))} (RTO {_secs(s.rto)})",
    ]
    lines += [f"  - {_secs(p.duration)} {md(p.label)}" for p in s.phases]
    held = held_text(s)
    if held:
        lines.append(f"- {md(held)}")
    for o in s.slos:
        burned = f", {burn_text(o.budget_consumed)}" if o.budget_consumed is not None else ""
        score = f", score {o.score:g}" if o.score is not None else ""
        lines.append(
            f"- SLO {code(o.name)} ({md(o.objective)}): {met_text(o.met)}, {md(o.detail)}"
            f"{burned}{score}"
        )
    lines += [
        f"- Expected breach, {md(b.name)}: {md(b.measured)}, allowed {md(b.limit)}: "
        f"{'held' if b.held else ('not held' if b.held is False else 'unknown')}"
        for b in s.bounds
    ]
    if s.data_lost is not None:
        lines.append(
            f"- Data lost: {_secs(s.data_lost)} of acknowledged writes, {s.data_missing} records "
            f"(RPO {_secs(s.rpo)})"
        )
    lines += [
        f"- Step {code(step.name)} ({md(step.section)}): {'ok' if step.ok else 'FAILED'} in "
        f"{_secs(step.duration)}"
        for step in s.steps
    ]
    for alert in s.alerts:
        seen = (
            f"fired after {_secs(alert.time_to_detect)}"
            if alert.time_to_detect is not None
            else alert.status
        )
        lines.append(f"- Alert {code(alert.name)} (expected within {_secs(alert.within)}): {seen}")
    s0 = s.markers.get("start", 0.0)
    for number, n in enumerate(s.notes, 1):
        lines.append(f"- Note {number} at {_secs(n.t - s0)} ({md(n.author)}): {md(n.text)}")
    if s.formula is not None and s.formula.terms:
        lines.append(
            f"- Score: {md(s.formula.text())}"
            + ("" if s.score is not None else f"; not counted: {s.verdict}")
        )
        lines += [
            f"  - {t.name} {t.value:g} x weight {t.weight:g}: {md(t.how)}" for t in s.formula.terms
        ]
    return [*lines, ""]


def render_markdown(card: Scorecard) -> str:
    lines = [*first_screen(card), *markdown_summary(card), "## Timeline", ""]
    drill = card.meta.get("drill") or {}
    if drill.get("facilitator") or drill.get("participants"):
        lines += [
            f"Facilitator: {md(drill.get('facilitator') or '-')}. "
            f"Participants: {md(', '.join(drill.get('participants') or []) or '-')}. "
            f"Observers: {md(', '.join(drill.get('observers') or []) or '-')}.",
            "",
        ]
    for s in card.scenarios:
        lines += _scenario(s)
    loose = headline.loose_notes(card)
    if loose:
        lines += ["Notes between scenarios:", ""]
        lines += [
            f"- {_secs(n.t)} ({md(n.author)}{f', during {md(n.scenario)}' if n.scenario else ''}): "
            f"{md(n.text)}"
            for n in loose
        ] + [""]
    went_well = [s.name for s in card.scenarios if s.verdict == "pass"]
    lines += ["## What went well", ""]
    lines += [f"- {md(n)} met its objectives" for n in went_well] or ["- (nothing yet)"]
    lines += ["", "## What did not", ""]
    lines += [f"- {md(s.name)}: {md(r)}" for s in card.scenarios for r in s.reasons] or [
        "- nothing"
    ]
    lines += ["", "## Action items", ""]
    lines += [f"- [ ] {md(item)}" for s in card.scenarios for item in action_items(s)] or [
        "- [ ] none"
    ]
    return "\n".join(lines) + "\n"
