"""`gameday schedule DRILL --emit ics`: the next game days as a calendar file (RFC 5545)
for the people who attend, one event per occurrence of the drill's cron schedule."""

from __future__ import annotations

import datetime

from gameday.model.scenario import Drill
from gameday.schedule.cron import parse


def _text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return escaped.replace("\n", "\\n")


def _stamp(t: datetime.datetime) -> str:
    return t.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(
    drill: Drill, schedule: str, occurrences: int, now: datetime.datetime | None = None
) -> str:
    now = now or datetime.datetime.now(datetime.UTC)
    times = parse(schedule).after(now)
    length = datetime.timedelta(seconds=drill.deadline or 3600)
    scenarios = "\n".join(f"- {e.scenario.name}: {e.scenario.description}" for e in drill.entries)
    roles = (
        f"Facilitator: {drill.facilitator or '-'}\n"
        f"Participants: {', '.join(drill.participants) or '-'}\n"
        f"Observers: {', '.join(drill.observers) or '-'}"
    )
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gameday//schedule//EN",
        "CALSCALE:GREGORIAN",
    ]
    for start in (next(times) for _ in range(occurrences)):
        lines += [
            "BEGIN:VEVENT",
            f"UID:gameday-{drill.name}-{_stamp(start)}@gameday",
            f"DTSTAMP:{_stamp(now)}",
            f"DTSTART:{_stamp(start)}",
            f"DTEND:{_stamp(start + length)}",
            f"SUMMARY:{_text(f'Game day: {drill.name}')}",
            f"DESCRIPTION:{_text(drill.description + chr(10) + roles + chr(10) + scenarios)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
