"""Working-hours clocks: nights, weekends and bank holidays stop a safeguarding deadline."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from peel.core.calendars import Calendar, parse_calendar

LONDON = ZoneInfo("Europe/London")
OFFICE = parse_calendar(
    "office",
    {
        "opens": dt.time(8),
        "closes": dt.time(18),
        "days": ["mon", "tue", "wed", "thu", "fri"],
        "bank_holidays": "GB-ENG",
        "closed_dates": [dt.date(2026, 12, 24)],
    },
)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def test_four_working_hours_from_friday_afternoon_end_on_monday_morning() -> None:
    # Friday 20 Nov 2026, 16:00: two hours left that day, two more from Monday 08:00.
    assert OFFICE.add(at(2026, 11, 20, 16), dt.timedelta(hours=4)) == at(2026, 11, 23, 10)


def test_a_referral_arriving_at_night_starts_its_clock_at_opening() -> None:
    assert OFFICE.add(at(2026, 11, 23, 22, 30), dt.timedelta(hours=4)) == at(2026, 11, 24, 12)


def test_bank_holidays_and_a_force_closure_are_skipped() -> None:
    # Wed 23 Dec 17:00 + 4h: 1h on the 23rd; 24th closed by the force; 25th Christmas,
    # 26th-27th weekend, 28th Boxing Day (substitute): resumes Tue 29th at 08:00.
    assert OFFICE.add(at(2026, 12, 23, 17), dt.timedelta(hours=4)) == at(2026, 12, 29, 11)


def test_the_clock_is_right_across_the_change_to_summer_time() -> None:
    # Clocks go forward on Sunday 29 March 2026; Friday 17:00 + 2h is Monday 09:00 local.
    due = OFFICE.add(at(2026, 3, 27, 17), dt.timedelta(hours=2))
    assert due == at(2026, 3, 30, 9)
    assert due.astimezone(dt.UTC).hour == 8  # 09:00 BST


def test_twenty_four_seven_is_plain_elapsed_time() -> None:
    always = Calendar("always")
    assert always.add(at(2026, 12, 25, 3), dt.timedelta(hours=4)) == at(2026, 12, 25, 7)


def test_working_time_between_two_moments() -> None:
    assert OFFICE.working_time_between(at(2026, 11, 20, 16), at(2026, 11, 23, 10)) == dt.timedelta(
        hours=4
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"opens": dt.time(8)}, "needs both opens and closes"),
        ({"opens": "08:00", "closes": "18:00"}, "TOML times"),
        ({"opens": dt.time(18), "closes": dt.time(8)}, "closes before it opens"),
        ({"days": ["monday"]}, "days must be a list"),
        ({"bank_holidays": "XX-YY"}, "unknown bank holidays"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"hours": 3}, "unknown keys"),
    ],
)
def test_a_mistake_in_a_calendar_is_named(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_calendar("office", raw)
