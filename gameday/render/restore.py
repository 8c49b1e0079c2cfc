"""The restore story in reports: a summary table of every DR scenario (restore point,
lost range, backup age at the disaster, RPO and RTO against their objectives) and the
RTO cut into phases, for report.md and report.html."""

from __future__ import annotations

import time

from markupsafe import Markup, escape

from gameday.model.restore import RestoreStory
from gameday.model.scorecard import ScenarioScore, Scorecard
from gameday.render.mdtext import code, md
from gameday.render.words import words

HEADER = (
    "scenario",
    "restore point",
    "lost",
    "backup age at disaster",
    "RPO (objective)",
    "RTO (objective)",
)


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _clock(wall: float | None) -> str:
    if wall is None:
        return "-"
    return time.strftime("%H:%M:%S", time.gmtime(wall)) + f".{int(wall * 1000) % 1000:03d}Z"


def _against(measured: float | None, objective: float | None) -> str:
    if measured is None:
        return "-" if objective is None else f"- ({_secs(objective)})"
    if objective is None:
        return _secs(measured)
    mark = "met" if measured <= objective else "MISSED"
    return f"{_secs(measured)} ({_secs(objective)}, {mark})"


def restore_point(r: RestoreStory) -> str:
    if r.store is None:
        return "-"
    if r.restore_point_wall is None:
        return "none survived" if r.lost else "nothing lost"
    return f"write #{r.restore_point_seq} at {_clock(r.restore_point_wall)}"


def lost_range(r: RestoreStory) -> str:
    if r.lost is None:
        return "-"
    if not r.lost:
        return "nothing"
    text = (
        f"{r.lost} writes, #{r.lost_first_seq} to #{r.lost_last_seq} "
        f"({_clock(r.lost_first_wall)} to {_clock(r.lost_last_wall)})"
    )
    if r.lost_ranges > 1:
        text += f", in {r.lost_ranges} separate ranges"
    if r.out_of_order:
        text += f", {r.out_of_order} out of order"
    return text


def backup_age(r: RestoreStory) -> str:
    if r.backup_age_at_disaster is None:
        return "-"
    label = f" ({code(r.backup_label)})" if r.backup_label else ""
    return f"{_secs(r.backup_age_at_disaster)}{label}"


def row(s: ScenarioScore) -> tuple[str, ...]:
    r = s.restore
    assert r is not None
    return (
        s.name,
        restore_point(r),
        lost_range(r),
        backup_age(r),
        _against(r.rpo, r.rpo_objective),
        _against(r.rto, r.rto_objective),
    )


def phases_text(r: RestoreStory) -> str:
    return ", ".join(f"{name} {_secs(took)}" for name, took in r.rto_phases if took > 0)


def markdown_summary(card: Scorecard) -> list[str]:
    stories = [s for s in card.scenarios if s.restore is not None]
    if not stories:
        return []
    lines = ["## Restore", "", "| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines += ["| " + " | ".join((md(s.name), *row(s)[1:])) + " |" for s in stories]
    lines += [""]
    lines += [
        f"- {md(s.name)}: RTO {_secs(s.restore.rto)} = {md(phases_text(s.restore))}"
        for s in stories
        if s.restore is not None and s.restore.rto_phases
    ]
    return [*lines, ""]


def html_summary(card: Scorecard) -> Markup:
    stories = [s for s in card.scenarios if s.restore is not None]
    if not stories:
        return Markup("")
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td data-label="{escape(h)}">{words(cell.replace("`", ""))}</td>'
            for h, cell in zip(HEADER, row(s), strict=True)
        )
        + "</tr>"
        for s in stories
    )
    notes = "".join(
        f"<li>{escape(s.name)}: RTO {escape(_secs(s.restore.rto))} = "
        f"{escape(phases_text(s.restore))}</li>"
        for s in stories
        if s.restore is not None and s.restore.rto_phases
    )
    return Markup(
        f'<h3>Restore</h3><table class="restore cards"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>" + (f"<ul>{notes}</ul>" if notes else "")
    )
