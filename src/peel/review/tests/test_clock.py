"""The 24-hour crime-recording clock counts elapsed time, whatever the wall clock does."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from peel.process.testing import file_report
from peel.review import clock
from peel.review.actions import do_record_decision
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work

LONDON = ZoneInfo("Europe/London")


def london(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def test_the_clock_runs_24_elapsed_hours_when_the_clocks_go_back() -> None:
    # 26 Oct 2025, 02:00 BST becomes 01:00 GMT: the day has 25 hours.
    received = london(2025, 10, 26, 0, 30)  # BST
    due = clock.recording_due(received)
    assert timezone.localtime(due, LONDON) == london(2025, 10, 26, 23, 30)  # GMT, same date
    assert not clock.within_clock(received, london(2025, 10, 26, 23, 45))  # 24 h 15 min later
    assert clock.within_clock(received, london(2025, 10, 26, 23, 15))


def test_the_clock_runs_24_elapsed_hours_when_the_clocks_go_forward() -> None:
    # 30 Mar 2025, 01:00 GMT becomes 02:00 BST: the day has 23 hours.
    received = london(2025, 3, 30, 0, 30)  # GMT
    decided = london(2025, 3, 31, 1, 15)  # BST: 24 h 45 min on the wall, 23 h 45 min elapsed
    assert clock.within_clock(received, decided)
    assert timezone.localtime(clock.recording_due(received), LONDON) == london(2025, 3, 31, 1, 30)


def test_the_clock_crosses_midnight() -> None:
    received = london(2026, 1, 14, 23, 50)
    assert clock.within_clock(received, london(2026, 1, 15, 23, 50))
    assert not clock.within_clock(received, london(2026, 1, 15, 23, 51))
    assert clock.describe(dt.timedelta(hours=-2, minutes=-5)) == "2 h 5 min over"
    assert clock.describe(dt.timedelta(hours=17, minutes=42, seconds=30)) == "17 h 42 min left"


@pytest.mark.django_db
def test_compliance_counts_by_the_local_day_of_receipt_across_the_clock_change(
    operator, monkeypatch
) -> None:
    """Four reports around the October change: counted on the day they arrived, each against
    24 elapsed hours, with undecided ones overdue or still running."""
    cases = [
        # (received, decided after): the wall clock would say otherwise for the first two
        (london(2025, 10, 25, 23, 50), dt.timedelta(hours=23, minutes=59)),  # Saturday, in time
        (london(2025, 10, 26, 0, 30), dt.timedelta(hours=24, minutes=15)),  # Sunday, late
        (london(2025, 10, 26, 22, 0), None),  # Sunday, never decided: overdue by the 28th
        (london(2025, 10, 27, 20, 0), None),  # Monday, clock still running at `now`
    ]
    for received, after in cases:  # the undecided come last, so Get Work hands out the others
        report = file_report()
        report.received_at = received
        report.save(update_fields=["received_at"])
        if after is not None:
            # In UTC: Python adds to a London time on the wall clock.
            moment = received.astimezone(dt.UTC) + after
            monkeypatch.setattr(timezone, "now", lambda m=moment: m)
            item = do_get_work(operator)
            assert item is not None and item.report == report
            do_record_decision(operator, item, decision_input())
            monkeypatch.undo()
    now = london(2025, 10, 28, 12, 0)
    days = clock.compliance(dt.date(2025, 10, 25), dt.date(2025, 10, 27), now=now)
    saturday, sunday, monday = days
    assert (saturday.received, saturday.decided_in_time, saturday.percent) == (1, 1, 100.0)
    assert (sunday.received, sunday.decided_late, sunday.overdue, sunday.percent) == (2, 1, 1, 0.0)
    assert (monday.received, monday.open, monday.due, monday.percent) == (1, 1, 0, None)
    week = clock.total(days)
    assert (week.due, week.decided_in_time, week.crimes, week.crimes_in_time) == (3, 1, 2, 1)
    assert week.percent == pytest.approx(100 / 3)
