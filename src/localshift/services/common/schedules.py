"""Schedules: ``at(...)`` one-time and ``cron(...)`` recurring expressions, for both services'
scheduled actions and the cron definitions of snapshot schedules (redshift/schedule_expressions.py).

Both services' scheduled actions take EventBridge's cron format, six fields in UTC::

    cron(Minutes Hours Day-of-month Month Day-of-week Year)      cron(0 10 ? * MON *)

Minutes 0-59, Hours 0-23, Day-of-month 1-31, Month 1-12 or JAN-DEC, Day-of-week 1-7 or SUN-SAT
(1 is Sunday), Year 1970-2199.  Every field takes ``,`` (lists), ``-`` (ranges), ``*`` and ``/``
(increments); Day-of-month also ``L`` (the month's last day) and ``W`` (the weekday nearest a day,
``LW`` the last weekday); Day-of-week ``L`` (Saturday, or ``5L``: the month's last Thursday) and
``#`` (``6#3``: the third Friday).  One of the two day fields must be ``?``: they can't both be
given.  A one-time schedule is ``at(yyyy-mm-ddThh:mm:ss)``, UTC.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterator, Protocol

UTC = timezone.utc
FIRST_YEAR, LAST_YEAR = 1970, 2199
# Schedule invocations must be at least this far apart (AWS: "separated by at least one hour").
MIN_SPACING = timedelta(hours=1)
# How far ahead the spacing rule is checked: a leap year covers every weekly, monthly and yearly pattern.
SPACING_HORIZON = timedelta(days=366)

_AT = re.compile(r"at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)")
_CRON = re.compile(r"cron\((.*)\)", re.DOTALL)
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAY_NAMES = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")


class ScheduleError(ValueError):
    """An expression that is not a valid schedule; its message says why (each service words its error)."""


class Schedule:
    text: str

    def after(self, moment: datetime) -> datetime | None:
        """The first invocation strictly after ``moment`` (None: there is none)."""
        raise NotImplementedError

    def times(self, after: datetime) -> Iterator[datetime]:
        moment = self.after(after)
        while moment is not None:
            yield moment
            moment = self.after(moment)


@dataclass(frozen=True)
class At(Schedule):
    text: str
    moment: datetime

    def after(self, moment: datetime) -> datetime | None:
        return self.moment if self.moment > moment else None


@dataclass(frozen=True)
class Cron(Schedule):
    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: tuple[int, ...]
    years: tuple[int, ...]
    day_matches: Callable[[date], bool]

    def after(self, moment: datetime) -> datetime | None:
        start = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for day in self._days_from(start.date()):
            first_day = day == start.date()
            for hour in self.hours[bisect_left(self.hours, start.hour) if first_day else 0:]:
                minutes = self.minutes
                if first_day and hour == start.hour:
                    minutes = minutes[bisect_left(minutes, start.minute):]
                if minutes:
                    return datetime(day.year, day.month, day.day, hour, minutes[0], tzinfo=UTC)
        return None

    def _days_from(self, first: date) -> Iterator[date]:
        """The days the schedule runs on, from ``first`` on, in order."""
        for year in self.years[bisect_left(self.years, first.year):]:
            for month in self.months:
                if (year, month) < (first.year, first.month):
                    continue
                start_day = first.day if (year, month) == (first.year, first.month) else 1
                for day_number in range(start_day, calendar.monthrange(year, month)[1] + 1):
                    day = date(year, month, day_number)
                    if self.day_matches(day):
                        yield day


def check_unpadded(text: str) -> str:
    """A new expression with nothing around it: spaces before or after one are refused (ScheduleError),
    not trimmed (docs/behaviour.md, "Snapshot schedules").  Expressions stored before this rule may
    have them, so parsing a stored one still allows them."""
    if text != text.strip():
        raise ScheduleError("an expression cannot have spaces before or after it")
    return text


def parse(text: str) -> Schedule:
    """An ``at(...)`` or ``cron(...)`` expression; ScheduleError says what is wrong with anything else."""
    at = _AT.fullmatch(text)
    if at:
        try:
            year, month, day, hour, minute, second = map(int, at.groups())
            return At(text, datetime(year, month, day, hour, minute, second, tzinfo=UTC))
        except ValueError:
            raise ScheduleError(f"{text} names no valid date and time") from None
    cron = _CRON.fullmatch(text)
    if cron:
        return parse_cron(text, cron.group(1).split())
    raise ScheduleError("give at(yyyy-mm-ddThh:mm:ss) or cron(Minutes Hours Day-of-month Month Day-of-week Year)")


def parse_cron(text: str, fields: list[str]) -> Cron:
    if len(fields) != 6:
        raise ScheduleError("a cron expression has six fields: Minutes Hours Day-of-month Month Day-of-week Year")
    minute, hour, month_day, month, week_day, year = fields
    if (month_day == "?") == (week_day == "?"):
        raise ScheduleError("give one of Day-of-month and Day-of-week, and ? in the other")
    by_month_day = _month_day(month_day)
    by_week_day = _week_day(week_day)
    return Cron(
        text,
        minutes=tuple(_values(minute, 0, 59)),
        hours=tuple(_values(hour, 0, 23)),
        months=tuple(_values(month, 1, 12, _MONTH_NAMES)),
        years=tuple(_values(year, FIRST_YEAR, LAST_YEAR)),
        day_matches=lambda day: by_month_day(day) and by_week_day(day),
    )


def _number(text: str, low: int, high: int, names: tuple[str, ...] = ()) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + 1
    if not text.isdigit() or not low <= int(text) <= high:
        raise ScheduleError(f"{text} is not a value from {low} to {high}")
    return int(text)


def _values(field: str, low: int, high: int, names: tuple[str, ...] = ()) -> list[int]:
    """Every value a field lists: ``*``, ``n``, ``a-b``, each optionally ``/step``, separated by commas."""
    found: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        step = _number(step_text, 1, high) if slash else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first, last = _number(first_text, low, high, names), _number(last_text, low, high, names)
            if first > last:
                raise ScheduleError(f"the range {base} runs backwards")
        else:
            first = _number(base, low, high, names)
            last = high if slash else first
        found.update(range(first, last + 1, step))
    return sorted(found)


def _last_day(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _week_day_of(day: date) -> int:
    """1 (Sunday) to 7 (Saturday)."""
    return day.isoweekday() % 7 + 1


def _nearest_weekday(year: int, month: int, wanted: int) -> int:
    """The day of the month nearest ``wanted`` that is Monday to Friday, without leaving the month."""
    last = calendar.monthrange(year, month)[1]
    weekday = date(year, month, wanted).weekday()  # Monday 0 ... Sunday 6
    if weekday == 5:
        return wanted - 1 if wanted > 1 else wanted + 2
    if weekday == 6:
        return wanted + 1 if wanted < last else wanted - 2
    return wanted


def _month_day(field: str) -> Callable[[date], bool]:
    upper = field.upper()
    if upper in ("?", "*"):
        return lambda day: True
    if upper == "L":
        return lambda day: day.day == _last_day(day)
    if upper == "LW":
        return lambda day: day.day == _nearest_weekday(day.year, day.month, _last_day(day))
    if upper.endswith("W"):
        wanted = _number(upper[:-1], 1, 31)
        return lambda day: wanted <= _last_day(day) and day.day == _nearest_weekday(day.year, day.month, wanted)
    days = set(_values(field, 1, 31))
    return lambda day: day.day in days


def _week_day(field: str) -> Callable[[date], bool]:
    upper = field.upper()
    if upper in ("?", "*"):
        return lambda day: True
    if upper == "L":
        return lambda day: _week_day_of(day) == 7
    if "#" in upper:
        day_text, _, nth_text = upper.partition("#")
        wanted, nth = _number(day_text, 1, 7, _DAY_NAMES), _number(nth_text, 1, 5)
        return lambda day: _week_day_of(day) == wanted and (day.day + 6) // 7 == nth
    if upper.endswith("L"):
        wanted = _number(upper[:-1], 1, 7, _DAY_NAMES)
        return lambda day: _week_day_of(day) == wanted and day.day > _last_day(day) - 7
    days = set(_values(field, 1, 7, _DAY_NAMES))
    return lambda day: _week_day_of(day) in days


def check_spacing(schedule: Schedule, now: datetime) -> None:
    """ScheduleError when two invocations within the next year are less than an hour apart."""
    previous: datetime | None = None
    for moment in schedule.times(now):
        if previous is not None and moment - previous < MIN_SPACING:
            raise ScheduleError(
                f"invocations must be at least an hour apart, and {previous:%Y-%m-%d %H:%M} and "
                f"{moment:%H:%M} UTC are not"
            )
        if moment - now > SPACING_HORIZON:
            return
        previous = moment


def next_invocations(
    schedule: Schedule, now: datetime, start: datetime | None, end: datetime | None, count: int
) -> list[datetime]:
    """Up to ``count`` invocations after ``now`` within a scheduled action's window: none before
    ``start`` (an invocation at ``start`` itself counts) and none after ``end``."""
    after = max(now, start - timedelta(seconds=1)) if start is not None else now
    found: list[datetime] = []
    for moment in schedule.times(after):
        if len(found) == count or (end is not None and moment > end):
            break
        found.append(moment)
    return found


def next_due(schedule: Schedule, now: datetime, start: datetime | None, end: datetime | None) -> datetime | None:
    """The scheduled action's next invocation after ``now``, None when none is left."""
    due = next_invocations(schedule, now, start, end, 1)
    return due[0] if due else None


class Windowed(Protocol):
    """What both services' scheduled actions have: when they may run, and whether they do."""

    start_time: datetime | None
    end_time: datetime | None
    enabled: bool


def update_window(action: Windowed, p: dict[str, Any], start: str, end: str, enabled: str) -> bool:
    """Apply a modification's start time, end time and enabled flag (the members so named in ``p``);
    False when the start is no longer before the end."""
    action.start_time = p.get(start, action.start_time)
    action.end_time = p.get(end, action.end_time)
    action.enabled = p.get(enabled, action.enabled)
    return action.start_time is None or action.end_time is None or action.start_time < action.end_time
