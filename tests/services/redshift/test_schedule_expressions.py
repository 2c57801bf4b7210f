"""Schedule definitions: the times rate(...) and cron(...) give, and the definitions refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localshift.errors import ApiError
from localshift.services.redshift.schedule_expressions import next_times, parse, parse_schedule

# A Monday, 10:07:30 UTC.
NOW = datetime(2024, 5, 6, 10, 7, 30, tzinfo=timezone.utc)


def times(*definitions: str, count: int = 4) -> list[str]:
    return [t.strftime("%a %m-%d %H:%M") for t in next_times(parse_schedule(list(definitions), NOW), NOW, count)]


@pytest.mark.parametrize("definition, expected", [
    # Rates run at the multiples of their interval since 1970-01-01 00:00 UTC.
    ("rate(12 hours)", ["Mon 05-06 12:00", "Tue 05-07 00:00", "Tue 05-07 12:00", "Wed 05-08 00:00"]),
    ("rate(1 hour)", ["Mon 05-06 11:00", "Mon 05-06 12:00", "Mon 05-06 13:00", "Mon 05-06 14:00"]),
    ("RATE(90 Minutes)", ["Mon 05-06 10:30", "Mon 05-06 12:00", "Mon 05-06 13:30", "Mon 05-06 15:00"]),
    # Redshift's three fields: Minutes Hours Day-of-week.
    ("cron(30 12 *)", ["Mon 05-06 12:30", "Tue 05-07 12:30", "Wed 05-08 12:30", "Thu 05-09 12:30"]),
    ("cron(15 15/2 *)", ["Mon 05-06 15:15", "Mon 05-06 17:15", "Mon 05-06 19:15", "Mon 05-06 21:15"]),
    ("cron(0 14-20/3 TUE)", ["Tue 05-07 14:00", "Tue 05-07 17:00", "Tue 05-07 20:00", "Tue 05-14 14:00"]),
    ("cron(0 17 SAT,SUN)", ["Sat 05-11 17:00", "Sun 05-12 17:00", "Sat 05-18 17:00", "Sun 05-19 17:00"]),
    ("cron(0 9 2-6)", ["Tue 05-07 09:00", "Wed 05-08 09:00", "Thu 05-09 09:00", "Fri 05-10 09:00"]),
    # Six fields: Minutes Hours Day-of-month Month Day-of-week Year.
    ("cron(0 12 L * ? *)", ["Fri 05-31 12:00", "Sun 06-30 12:00", "Wed 07-31 12:00", "Sat 08-31 12:00"]),
    ("cron(0 12 ? * 6#3 *)", ["Fri 05-17 12:00", "Fri 06-21 12:00", "Fri 07-19 12:00", "Fri 08-16 12:00"]),
    ("cron(0 12 ? * 2L *)", ["Mon 05-27 12:00", "Mon 06-24 12:00", "Mon 07-29 12:00", "Mon 08-26 12:00"]),
    ("cron(0 12 15W * ? *)", ["Wed 05-15 12:00", "Fri 06-14 12:00", "Mon 07-15 12:00", "Thu 08-15 12:00"]),
    ("cron(0 0 1W * ? *)", ["Mon 06-03 00:00", "Mon 07-01 00:00", "Thu 08-01 00:00", "Mon 09-02 00:00"]),
    ("cron(0 6 1,15 JAN,JUL ? 2025)", ["Wed 01-01 06:00", "Wed 01-15 06:00", "Tue 07-01 06:00", "Tue 07-15 06:00"]),
])
def test_times(definition, expected):
    assert times(definition) == expected


def test_an_hour_apart_is_often_enough():
    assert times("cron(0 1,2 *)", count=3) == ["Tue 05-07 01:00", "Tue 05-07 02:00", "Wed 05-08 01:00"]


def test_several_definitions_merge_in_order():
    assert times("cron(0 17 SAT,SUN)", "cron(0 9,17 MON-FRI)", count=5) == [
        "Mon 05-06 17:00", "Tue 05-07 09:00", "Tue 05-07 17:00", "Wed 05-08 09:00", "Wed 05-08 17:00"]


def test_a_schedule_ends_when_its_years_do():
    definitions = parse_schedule(["cron(0 0 1 JAN ? 2025-2026)"], NOW)
    assert [t.year for t in next_times(definitions, NOW, 5)] == [2025, 2026]
    assert parse("cron(0 0 1 JAN ? 2025)").after(datetime(2025, 1, 1, tzinfo=timezone.utc)) is None


@pytest.mark.parametrize("definitions, code", [
    (["rate(59 minutes)"], "InvalidSchedule"),
    (["rate(1441 minutes)"], "InvalidSchedule"),
    (["rate(0 hours)"], "InvalidSchedule"),
    (["rate(1 day)"], "InvalidSchedule"),
    (["rate(-1 hours)"], "InvalidSchedule"),
    (["cron(*/30 * *)"], "InvalidSchedule"),
    (["cron(0,30 1 *)"], "InvalidSchedule"),
    (["cron(0 3 *)", "cron(59 2 *)"], "InvalidSchedule"),  # each fine alone, a minute apart together
    (["rate(2 hours)", "cron(0 2 *)"], "InvalidSchedule"),  # the same time twice
    (["cron(0 12 ? * ? *)"], "InvalidSchedule"),
    (["cron(0 12 1 * MON *)"], "InvalidSchedule"),
    (["cron(0 12 32 * ? *)"], "InvalidSchedule"),
    (["cron(0 12 * 13 ? *)"], "InvalidSchedule"),
    (["cron(0 12 ? * 8 *)"], "InvalidSchedule"),
    (["cron(0 12 ? * 1#6 *)"], "InvalidSchedule"),
    (["cron(0 12 * * ? 1969)"], "InvalidSchedule"),
    (["cron(0 12 *"], "InvalidSchedule"),
    (["cron(a b c)"], "InvalidSchedule"),
    (["cron(0 0/0 *)"], "InvalidSchedule"),
    (["cron(0 0 FUNDAY)"], "InvalidSchedule"),
    (["at(2030-01-01T00:00:00)"], "ScheduleDefinitionTypeUnsupported"),
    (["weekly(1)"], "ScheduleDefinitionTypeUnsupported"),
    (["rate(1 hour) and more"], "InvalidSchedule"),
    ([" rate(12 hours)"], "InvalidSchedule"),
    (["cron(0 1 *) "], "InvalidSchedule"),
    (["rate(12 hours)", "\tcron(0 1 *)"], "InvalidSchedule"),
])
def test_refused(definitions, code):
    with pytest.raises(ApiError) as raised:
        parse_schedule(definitions, NOW)
    assert raised.value.code == code


def test_spaces_around_a_new_definition_are_refused_but_a_stored_one_still_parses():
    with pytest.raises(ApiError) as raised:
        parse_schedule([" rate(12 hours)"], NOW)
    assert raised.value.message == ("The schedule definition  rate(12 hours) is not valid: an expression cannot "
                                    "have spaces before or after it.")
    assert parse(" rate(12 hours) ").minutes == 12 * 60  # kept before spaces were refused
