"""Snapshot schedule definitions: ``rate(N hours|minutes)`` and ``cron(...)``, parsed, checked, and their times.

Redshift's cron has three fields, ``cron(Minutes Hours Day-of-week)``, or the six of
``cron(Minutes Hours Day-of-month Month Day-of-week Year)`` (one of the two day fields
``?``).  Days of the week are 1-7 or SUN-SAT (1 is Sunday); months 1-12 or JAN-DEC; a
field lists at most 24 values.  Wildcards: ``, - * /`` everywhere, ``? L W`` in
Day-of-month, ``? L #`` in Day-of-week (the cron itself is common/schedules.py's, which
scheduled actions use too).  Times are UTC, to the minute.  A schedule may
not take snapshots more often than once an hour, all its definitions together; a rate
not less often than once a day (docs/behaviour.md, "Snapshot schedules").
"""

from __future__ import annotations

import heapq
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from localshift.errors import ApiError
from localshift.services.common import schedules

HOUR = timedelta(hours=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MAX_VALUES = 24
# How far ahead the once-an-hour rule is checked: a year covers every weekly and monthly pattern.
_HORIZON = timedelta(days=366)

_RATE = re.compile(r"rate\(\s*(\d+)\s+(minutes?|hours?)\s*\)", re.IGNORECASE)
_CRON = re.compile(r"cron\((.*)\)", re.IGNORECASE | re.DOTALL)
_KIND = re.compile(r"\s*([a-z]+)\s*\(", re.IGNORECASE)


def invalid(definition: str, why: str) -> ApiError:
    return ApiError("InvalidSchedule", f"The schedule definition {definition} is not valid: {why}.")


# One schedule definition: the first time it fires strictly after a given time (None: never again).
Definition = schedules.Schedule


@dataclass(frozen=True)
class Rate(Definition):
    """Every ``minutes`` minutes, at the multiples of the interval since 1970-01-01 00:00 UTC."""

    text: str
    minutes: int

    def after(self, when: datetime) -> datetime | None:
        step = timedelta(minutes=self.minutes)
        return _EPOCH + ((when - _EPOCH) // step + 1) * step


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


def _cron(definition: str, fields: list[str]) -> Definition:
    """Redshift's three fields (Minutes Hours Day-of-week) or EventBridge's six (common/schedules.py)."""
    if len(fields) == 3:
        minute, hour, weekday = fields
        fields = [minute, hour, "?", "*", weekday, "*"]
    elif len(fields) != 6:
        raise invalid(definition, "a cron expression has the fields Minutes Hours Day-of-week, or "
                                  "Minutes Hours Day-of-month Month Day-of-week Year")
    if any(len(field.split(",")) > _MAX_VALUES for field in fields):
        raise invalid(definition, f"a field lists at most {_MAX_VALUES} values")
    try:
        return schedules.parse_cron(definition, fields)
    except schedules.ScheduleError as error:
        raise invalid(definition, str(error)) from None


# --- a schedule: its definitions together -------------------------------------------------------


def parse_schedule(definitions: list[str], now: datetime) -> list[Definition]:
    """Every definition parsed, and together at most one snapshot an hour (InvalidSchedule otherwise)."""
    if not definitions:
        raise ApiError("InvalidSchedule", "A snapshot schedule needs at least one schedule definition.")
    for definition in definitions:
        try:
            schedules.check_unpadded(definition)
        except schedules.ScheduleError as error:
            raise invalid(definition, str(error)) from None
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
