"""The crime-recording clock: a crime is recorded within 24 hours of the report.

The clock counts elapsed hours, not wall-clock times: a report received at 00:30 on the night
the clocks go back is due at 23:30 the same day, local time. Compliance is grouped by the local
day the report was received, so a report received at 23:50 counts on the day it arrived.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from peel.reports.models import Report
from peel.review.choices import Outcome


def recording_window() -> dt.timedelta:
    return dt.timedelta(hours=int(settings.PEEL["CRIME_RECORDING_HOURS"]))


def _utc(moment: dt.datetime) -> dt.datetime:
    # Python adds and subtracts datetimes that share a zone on the wall clock (00:30 BST plus
    # 24 hours is 00:30 GMT next day, 25 hours later); in UTC the arithmetic is elapsed time.
    return moment.astimezone(dt.UTC)


def recording_due(received_at: dt.datetime) -> dt.datetime:
    return _utc(received_at) + recording_window()


def within_clock(received_at: dt.datetime, decided_at: dt.datetime) -> bool:
    return _utc(decided_at) - _utc(received_at) <= recording_window()


def time_left(received_at: dt.datetime, now: dt.datetime | None = None) -> dt.timedelta:
    """Negative once the clock has run out."""
    return recording_due(received_at) - _utc(now or timezone.now())


@dataclass
class DayCompliance:
    day: dt.date  # local date the reports were received
    received: int = 0
    decided_in_time: int = 0
    decided_late: int = 0
    overdue: int = 0  # no decision yet, and the clock has run out
    open: int = 0  # no decision yet, clock still running
    crimes: int = 0
    crimes_in_time: int = 0

    @property
    def due(self) -> int:
        """Reports whose clock has finished one way or another."""
        return self.decided_in_time + self.decided_late + self.overdue

    @property
    def percent(self) -> float | None:
        return 100.0 * self.decided_in_time / self.due if self.due else None

    @property
    def crime_percent(self) -> float | None:
        return 100.0 * self.crimes_in_time / self.crimes if self.crimes else None


def compliance(
    first_day: dt.date, last_day: dt.date, now: dt.datetime | None = None
) -> list[DayCompliance]:
    """Per local day of receipt: reports decided within the clock (first decision), late, still
    open and overdue; and crimes recorded within the clock. Merged duplicates are left out."""
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    days = {
        first_day + dt.timedelta(days=n): DayCompliance(first_day + dt.timedelta(days=n))
        for n in range((last_day - first_day).days + 1)
    }
    rows = (
        Report.objects.filter(received_at__gte=start, received_at__lt=end, merged_into=None)
        .annotate(
            first_decided=Min("decisions__decided_at"),
            first_crime=Min("decisions__decided_at", filter=Q(decisions__outcome=Outcome.CRIME)),
        )
        .values_list("received_at", "first_decided", "first_crime")
    )
    for received_at, first_decided, first_crime in rows:
        day = days[timezone.localtime(received_at, zone).date()]
        day.received += 1
        if first_decided is not None:
            if within_clock(received_at, first_decided):
                day.decided_in_time += 1
            else:
                day.decided_late += 1
        elif _utc(now) > recording_due(received_at):
            day.overdue += 1
        else:
            day.open += 1
        if first_crime is not None:
            day.crimes += 1
            day.crimes_in_time += within_clock(received_at, first_crime)
    return list(days.values())


def total(days: list[DayCompliance]) -> DayCompliance:
    summed = DayCompliance(days[0].day if days else timezone.localdate())
    for day in days:
        for name in ("received", "decided_in_time", "decided_late", "overdue", "open"):
            setattr(summed, name, getattr(summed, name) + getattr(day, name))
        summed.crimes += day.crimes
        summed.crimes_in_time += day.crimes_in_time
    return summed


def describe(left: dt.timedelta) -> str:
    """ "17 h 42 min left" or "2 h 5 min over", for the review page (review.js keeps it live)."""
    minutes = int(abs(left.total_seconds()) // 60)
    text = f"{minutes // 60} h {minutes % 60} min"
    return f"{text} left" if left.total_seconds() >= 0 else f"{text} over"
