"""Standard 5-field cron expressions (minute hour day-of-month month day-of-week), UTC,
as Kubernetes CronJobs read them: `*`, lists, ranges, steps, month and day names.
Small on purpose: enough to validate a drill's `schedule` and list its next dates."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

FIELDS = (
    ("minute", 0, 59),
    ("hour", 0, 23),
    ("day of month", 1, 31),
    ("month", 1, 12),
    ("day of week", 0, 7),
)
NAMES = {
    3: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    4: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"],
}


@dataclass(frozen=True)
class Cron:
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int]
    months: frozenset[int]
    weekdays: frozenset[int]
    any_day: bool
    any_weekday: bool

    def matches(self, t: datetime.datetime) -> bool:
        day_ok = t.day in self.days
        weekday_ok = (t.isoweekday() % 7) in self.weekdays
        # cron's rule: when both day fields are restricted, either one matching is enough
        both_restricted = not (self.any_day or self.any_weekday)
        day_match = (day_ok or weekday_ok) if both_restricted else (day_ok and weekday_ok)
        return (
            t.minute in self.minutes
            and t.hour in self.hours
            and t.month in self.months
            and day_match
        )

    def after(self, start: datetime.datetime) -> Iterator[datetime.datetime]:
        """Times matching the expression strictly after `start`, in order."""
        t = start.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        limit = t + datetime.timedelta(days=366 * 5)
        while t < limit:
            if t.month not in self.months:
                t = (t.replace(day=1, hour=0, minute=0) + datetime.timedelta(days=32)).replace(
                    day=1
                )
                continue
            if t.hour not in self.hours:
                t = t.replace(minute=0) + datetime.timedelta(hours=1)
                continue
            if self.matches(t):
                yield t
            t += datetime.timedelta(minutes=1)


def _value(text: str, index: int) -> int:
    names = NAMES.get(index)
    if names and text.lower() in names:
        return names.index(text.lower()) + (1 if index == 3 else 0)
    return int(text)


def _field(text: str, index: int) -> frozenset[int]:
    name, low, high = FIELDS[index]
    values: set[int] = set()
    for part in text.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            first, last = low, high
        elif "-" in body:
            a, b = body.split("-", 1)
            first, last = _value(a, index), _value(b, index)
        else:
            first = last = _value(body, index)
            if step_text:
                last = high
        if not (low <= first <= high and low <= last <= high and first <= last and step >= 1):
            raise ValueError(f"{name} `{part}` is out of range {low}-{high}")
        values.update(range(first, last + 1, step))
    if index == 4 and 7 in values:  # 7 is Sunday too
        values = (values - {7}) | {0}
    return frozenset(values)


def parse(expression: str) -> Cron:
    parts = expression.split()
    if len(parts) != 5:
        raise ValueError(
            f"cron `{expression}` has {len(parts)} fields; write 5: minute hour day month weekday, "
            "e.g. `0 10 * * thu` (Thursdays 10:00 UTC)"
        )
    try:
        fields = [_field(p, i) for i, p in enumerate(parts)]
    except ValueError as exc:
        if "invalid literal" in str(exc):
            raise ValueError(f"cron `{expression}`: not a number or name in it") from None
        raise ValueError(f"cron `{expression}`: {exc}") from None
    minutes, hours, days, months, weekdays = fields
    return Cron(
        minutes, hours, days, months, weekdays, any_day=parts[2] == "*", any_weekday=parts[4] == "*"
    )
