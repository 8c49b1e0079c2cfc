"""report.md: a retrospective draft to paste into a postmortem document."""

from __future__ import annotations

from gameday.model.scorecard import ScenarioScore, Scorecard


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _scenario(s: ScenarioScore) -> list[str]:
    lines = [
        f"### {s.name}: {s.verdict} ({s.score if s.score is not None else '-'}, grade {s.grade})",
        "",
    ]
    if s.hypothesis:
        lines += [f"- Expected: {s.hypothesis}"]
    lines += [
        f"- Fault `{s.fault}` touched: {', '.join(s.touched) or 'nothing'}",
        f"- Time to recover: {_secs(s.time_to_recover)} (RTO {_secs(s.rto)})",
    ]
    if s.data_lost is not None:
        lines.append(
            f"- Data lost: {_secs(s.data_lost)} of acknowledged writes, {s.data_missing} records (RPO {_secs(s.rpo)})"
        )
    for step in s.steps:
        lines.append(
            f"- Step `{step.name}` ({step.section}): {'ok' if step.ok else 'FAILED'} in {_secs(step.duration)}"
        )
    return [*lines, ""]


def render_markdown(card: Scorecard) -> str:
    lines = [
        f"# Game day retrospective: {card.name}",
        "",
        f"Score **{card.score if card.score is not None else '-'}** (grade {card.grade}), verdict **{card.verdict}**.",
        "",
        "## Timeline",
        "",
    ]
    for s in card.scenarios:
        lines += _scenario(s)
    went_well = [s.name for s in card.scenarios if s.verdict == "pass"]
    lines += ["## What went well", ""] + [f"- {n} met its objectives" for n in went_well] or [
        "- (nothing yet)"
    ]
    lines += ["", "## What did not", ""]
    lines += [f"- {s.name}: {r}" for s in card.scenarios for r in s.reasons] or ["- nothing"]
    lines += ["", "## Action items", ""]
    lines += [f'- [ ] {s.name}: investigate "{r}"' for s in card.scenarios for r in s.reasons] or [
        "- [ ] none"
    ]
    return "\n".join(lines) + "\n"
