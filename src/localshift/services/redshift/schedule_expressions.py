"""Snapshot schedule definitions: ``rate(N hours|minutes)`` and ``cron(...)``, parsed, checked, and their times.

Redshift's cron has three fields, ``cron(Minutes Hours Day-of-week)``, or the six of
``cron(Minutes Hours Day-of-month Month Day-of-week Year)`` (one of the two day fields
``?``).  Days of the week are 1-7 or SUN-SAT (1 is Sunday); months 1-12 or JAN-DEC; a
field lists at most 24 values.  Wildcards: ``, - * /`` everywhere, ``? L W`` in
Day-of-month, ``? L #`` in Day-of-week.  Times are UTC, to the minute.  A schedule may
not take snapshots more often than once an hour, all its definitions together; a rate
not less often than once a day (docs/behaviour.md, "Snapshot schedules").
"""

from __future__ import annotations

import calendar
import heapq
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable, Iterator

from localshift.errors import ApiError

HOUR = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_LAST_YEAR = 2199
_MAX_VALUES = 24
# How far ahead the once-an-hour rule is checked: a year covers every weekly and monthly pattern.
_HORIZON = timedelta(days=366)

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minutes?|hours?)\s*\)", re.IGNORECASE)
_CRON = re.compile(r"cron\((.*)\)", re.IGNORECASE | re.DOTALL)
_KIND = re.compile(r"\s*([a-z]+)\s*\(", re.IGNORECASE)
_MONTHS = {name: number for number, name in enumerate(
    ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
_DAYS = {name: number for number, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}


def invalid(definition: str, why: str) -> ApiError:
    return ApiError("InvalidSchedule", f"The schedule definition {definition} is not valid: {why}.")


class Definition:
    """One schedule definition: the first time it fires strictly after a given time (None: never again)."""

    text: str

    def after(self, when: datetime) -> datetime | None:
        raise NotImplementedError

    def times(self, when: datetime) -> Iterator[datetime]:
        """Every time it fires after ``when``, in order."""
        current = self.after(when)
        while current is not None:
            yield current
            current = self.after(current)


@dataclass(frozen=True)
class Rate(Definition):
    """Every ``minutes`` minutes, at the multiples of the interval since 1970-01-01 00:00 UTC."""

    text: str
    minutes: int

    def after(self, when: datetime) -> datetime | None:
        step = timedelta(minutes=self.minutes)
        return _EPOCH + ((when - _EPOCH) // step + 1) * step


@dataclass(frozen=True)
class Cron(Definition):
    text: str
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    months: frozenset[int]
    years: frozenset[int] | None  # None: every year
    day_matches: Callable[[date], bool]

    def after(self, when: datetime) -> datetime | None:
        start = when.astimezone(timezone.utc).replace(second=0, microsecond=0) + timedelta(minutes=1)
        day = start.date()
        while day.year <= _LAST_YEAR:
            if self.years is not None and day.year not in self.years:
                later = [year for year in self.years if year > day.year]
                if not later:
                    return None
                day = date(min(later), 1, 1)
                continue
            if day.month not in self.months:
                day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
                continue
            if self.day_matches(day):
                first_day = day == start.date()
                for hour in self.hours:
                    if first_day and hour < start.hour:
                        continue
                    for minute in self.minutes:
                        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc)
                        if candidate >= start:
                            return candidate
            day += timedelta(days=1)
        return None


# --- parsing -------------------------------------------------------------------------------------


def parse(definition: str) -> Definition:
    """A definition, or InvalidSchedule / ScheduleDefinitionTypeUnsupported."""
    rate = _RATE.fullmatch(definition.strip())
    if rate:
        return _rate(definition, int(rate[1]), rate[2].lower())
    cron = _CRON.fullmatch(definition.strip())
    if cron:
        return _cron(definition, cron[1].split())
    kind = _KIND.match(definition)
    if kind and kind[1].lower() not in ("rate", "cron"):
        # Redshift Serverless takes at(...) one-time schedules; provisioned schedules do not.
        raise ApiError("ScheduleDefinitionTypeUnsupported",
                       f"The schedule definition type {kind[1]} is not supported: use rate(...) or cron(...).")
    raise invalid(definition, "use rate(N hours), rate(N minutes) or cron(Minutes Hours Day-of-week)")


def _rate(definition: str, value: int, unit: str) -> Rate:
    minutes = value * 60 if unit.startswith("hour") else value
    if minutes < 60:
        raise invalid(definition, "snapshots can be scheduled at most once an hour")
    if minutes > 24 * 60:
        raise invalid(definition, "snapshots must be scheduled at least once a day")
    return Rate(definition, minutes)


def _cron(definition: str, fields: list[str]) -> Cron:
    if len(fields) == 3:
        minute, hour, weekday = fields
        month_day, month, year = "*", "*", "*"
    elif len(fields) == 6:
        minute, hour, month_day, month, weekday, year = fields
        if (month_day == "?") == (weekday == "?"):
            raise invalid(definition, "give one of Day-of-month and Day-of-week, and ? in the other")
    else:
        raise invalid(definition, "a cron expression has the fields Minutes Hours Day-of-week, or "
                                  "Minutes Hours Day-of-month Month Day-of-week Year")

    def values(text: str, low: int, high: int, names: dict[str, int] | None = None) -> list[int]:
        return _values(definition, text, low, high, names or {})

    years = None if year == "*" else frozenset(values(year, 1970, _LAST_YEAR))
    by_day = _day_of_month(definition, month_day)
    by_weekday = _day_of_week(definition, weekday)
    return Cron(
        definition,
        minutes=tuple(values(minute, 0, 59)),
        hours=tuple(values(hour, 0, 23)),
        months=frozenset(values(month, 1, 12, _MONTHS)),
        years=years,
        day_matches=lambda day: by_day(day) and by_weekday(day),
    )


def _number(definition: str, text: str, low: int, high: int, names: dict[str, int]) -> int:
    value = names.get(text.upper()) if not text.isdigit() else int(text)
    if value is None or not low <= value <= high:
        raise invalid(definition, f"{text} is not a value from {low} to {high}")
    return value


def _values(definition: str, text: str, low: int, high: int, names: dict[str, int]) -> list[int]:
    """The values a numeric field lists: n, a-b, */s, a/s, a-b/s, separated by commas."""
    items = text.split(",")
    if len(items) > _MAX_VALUES:
        raise invalid(definition, f"a field lists at most {_MAX_VALUES} values")
    found: set[int] = set()
    for item in items:
        base, _, step_text = item.partition("/")
        step = _number(definition, step_text, 1, high, {}) if step_text else 1
        if base == "*":
            first, last = low, high
        elif "-" in base:
            first_text, _, last_text = base.partition("-")
            first = _number(definition, first_text, low, high, names)
            last = _number(definition, last_text, low, high, names)
            if first > last:
                raise invalid(definition, f"the range {base} runs backwards")
        else:
            first = _number(definition, base, low, high, names)
            last = high if step_text else first
        found.update(range(first, last + 1, step))
    return sorted(found)


def _day_of_month(definition: str, text: str) -> Callable[[date], bool]:
    if text in ("*", "?"):
        return lambda day: True
    upper = text.upper()
    if upper == "L":
        return lambda day: day.day == _days_in(day)
    if upper == "LW":
        return lambda day: day == _nearest_weekday(day, _days_in(day))
    if upper.endswith("W"):
        wanted = _number(definition, upper[:-1], 1, 31, {})
        return lambda day: wanted <= _days_in(day) and day == _nearest_weekday(day, wanted)
    days = set(_values(definition, text, 1, 31, {}))
    return lambda day: day.day in days


def _day_of_week(definition: str, text: str) -> Callable[[date], bool]:
    if text in ("*", "?"):
        return lambda day: True
    upper = text.upper()
    if "#" in upper:
        weekday_text, _, nth_text = upper.partition("#")
        weekday, nth = _number(definition, weekday_text, 1, 7, _DAYS), _number(definition, nth_text, 1, 5, {})
        return lambda day: _weekday(day) == weekday and (day.day - 1) // 7 + 1 == nth
    if upper == "L":
        return lambda day: _weekday(day) == 7  # the last day of the week: Saturday
    if upper.endswith("L"):
        weekday = _number(definition, upper[:-1], 1, 7, _DAYS)
        return lambda day: _weekday(day) == weekday and day.day + 7 > _days_in(day)
    weekdays = set(_values(definition, text, 1, 7, _DAYS))
    return lambda day: _weekday(day) in weekdays


def _weekday(day: date) -> int:
    return (day.weekday() + 1) % 7 + 1  # 1 = Sunday ... 7 = Saturday


def _days_in(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def _nearest_weekday(day: date, wanted: int) -> date:
    """The weekday nearest the ``wanted`` day of ``day``'s month, within that month (the W wildcard)."""
    target = day.replace(day=wanted)
    if target.weekday() == 5:  # Saturday: the Friday before, or the Monday after the 1st
        return target - timedelta(days=1) if wanted > 1 else target + timedelta(days=2)
    if target.weekday() == 6:  # Sunday: the Monday after, or the Friday before the month's last day
        return target + timedelta(days=1) if wanted < _days_in(day) else target - timedelta(days=2)
    return target


# --- a schedule: its definitions together -------------------------------------------------------


def parse_schedule(definitions: list[str], now: datetime) -> list[Definition]:
    """Every definition parsed, and together at most one snapshot an hour (InvalidSchedule otherwise)."""
    if not definitions:
        raise ApiError("InvalidSchedule", "A snapshot schedule needs at least one schedule definition.")
    parsed = [parse(definition) for definition in definitions]
    previous: datetime | None = None
    for moment in upcoming(parsed, now):
        if previous is not None and moment - previous < HOUR:
            raise ApiError(
                "InvalidSchedule",
                f"The schedule definitions {', '.join(definitions)} take snapshots less than an hour apart "
                f"({previous:%Y-%m-%d %H:%M} and {moment:%H:%M} UTC); snapshots can be scheduled at most once an hour.",
            )
        if moment - now > _HORIZON:
            return parsed
        previous = moment
    if previous is None:
        raise ApiError("InvalidSchedule", f"The schedule definitions {', '.join(definitions)} take no snapshot "
                                          "from now on.")
    return parsed


def upcoming(definitions: list[Definition], now: datetime) -> Iterator[datetime]:
    """The times a schedule takes snapshots after ``now``, all definitions merged, in order."""
    return heapq.merge(*(definition.times(now) for definition in definitions))


def next_times(definitions: list[Definition], now: datetime, count: int) -> list[datetime]:
    """The next ``count`` snapshot times (one per time, when definitions coincide)."""
    times: list[datetime] = []
    for moment in upcoming(definitions, now):
        if len(times) == count:
            break
        if not times or moment != times[-1]:
            times.append(moment)
    return times
