"""Working-hours calendars: when a service-level clock runs.

A safeguarding hub's "4 working hours" stops at night, at weekends and on bank holidays; the
contact centre's clock never stops. Bank holidays come from the `holidays` package (kept up to
date by its maintainers); a force adds its own closures as `closed_dates`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Calendar:
    name: str
    timezone: str = "Europe/London"
    # None means the clock always runs (24/7 teams).
    opens: dt.time | None = None
    closes: dt.time | None = None
    days: frozenset[int] = frozenset(range(7))  # Monday is 0
    bank_holidays: str = ""  # "GB-ENG", "GB-WLS", "GB-SCT", "GB-NIR" or "" for none
    closed_dates: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def always_open(self) -> bool:
        return self.opens is None

    @cached_property
    def _tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() not in self.days or day in self.closed_dates:
            return False
        if self.bank_holidays:
            country, _, subdiv = self.bank_holidays.partition("-")
            if day in _holidays(country, subdiv or None, day.year):
                return False
        return True

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """The day's open period in UTC, or None when closed all day."""
        if self.always_open or not self.is_working_day(day):
            return None
        assert self.opens is not None and self.closes is not None
        start = dt.datetime.combine(day, self.opens, tzinfo=self._tz).astimezone(dt.UTC)
        end = dt.datetime.combine(day, self.closes, tzinfo=self._tz).astimezone(dt.UTC)
        return start, end

    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The moment `duration` of this calendar's working time has passed after `start`."""
        if self.always_open:
            return start + duration
        remaining = duration
        current = start.astimezone(dt.UTC)
        day = current.astimezone(self._tz).date()
        for _ in range(3660):  # ten years of days: a calendar with no open days is an error
            window = self.window(day)
            if window is not None:
                opens, closes = window
                current = max(current, opens)
                if current < closes:
                    if remaining <= closes - current:
                        return current + remaining
                    remaining -= closes - current
            day += dt.timedelta(days=1)
        raise ValueError(f"Calendar '{self.name}' has no working time in the next ten years.")

    def working_time_between(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time from `start` to `end` (zero if end is earlier)."""
        if end <= start:
            return dt.timedelta(0)
        if self.always_open:
            return end - start
        total = dt.timedelta(0)
        day = start.astimezone(self._tz).date()
        last = end.astimezone(self._tz).date()
        while day <= last:
            window = self.window(day)
            if window is not None:
                lo, hi = max(window[0], start), min(window[1], end)
                if hi > lo:
                    total += hi - lo
            day += dt.timedelta(days=1)
        return total


_holiday_cache: dict[tuple[str, str | None, int], holidays.HolidayBase] = {}


def _holidays(country: str, subdiv: str | None, year: int) -> holidays.HolidayBase:
    key = (country, subdiv, year)
    if key not in _holiday_cache:
        _holiday_cache[key] = holidays.country_holidays(country, subdiv=subdiv, years=year)
    return _holiday_cache[key]


def parse_calendar(name: str, raw: dict[str, object]) -> Calendar:
    """Build a calendar from its TOML table, naming any value that is wrong."""
    known = {"timezone", "opens", "closes", "days", "bank_holidays", "closed_dates"}
    if unknown := set(raw) - known:
        raise ValueError(f"Calendar '{name}' has unknown keys: {sorted(unknown)}.")
    try:
        ZoneInfo(str(raw.get("timezone", "Europe/London")))
    except Exception as exc:
        raise ValueError(f"Calendar '{name}': unknown timezone {raw.get('timezone')!r}.") from exc
    opens, closes = raw.get("opens"), raw.get("closes")
    if (opens is None) != (closes is None):
        raise ValueError(f"Calendar '{name}' needs both opens and closes, or neither (24/7).")
    if isinstance(opens, str) or isinstance(closes, str):
        raise ValueError(f"Calendar '{name}': write opens/closes as TOML times, e.g. 08:00:00.")
    if opens is not None and not (isinstance(opens, dt.time) and isinstance(closes, dt.time)):
        raise ValueError(f"Calendar '{name}': opens and closes must be times of day.")
    if isinstance(opens, dt.time) and isinstance(closes, dt.time) and not opens < closes:
        raise ValueError(f"Calendar '{name}' closes before it opens.")
    day_names = raw.get("days", list(WEEKDAYS))
    if not isinstance(day_names, list) or not set(day_names) <= set(WEEKDAYS):
        raise ValueError(f"Calendar '{name}': days must be a list drawn from {list(WEEKDAYS)}.")
    closed = raw.get("closed_dates", [])
    if not isinstance(closed, list) or not all(isinstance(d, dt.date) for d in closed):
        raise ValueError(f"Calendar '{name}': closed_dates must be TOML dates, e.g. 2026-12-24.")
    bank = str(raw.get("bank_holidays", ""))
    if bank:
        country, _, subdiv = bank.partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdiv or None, years=2026)
        except NotImplementedError as exc:  # how `holidays` says it has no such country
            raise ValueError(f"Calendar '{name}': unknown bank holidays {bank!r}.") from exc
    return Calendar(
        name=name,
        timezone=str(raw.get("timezone", "Europe/London")),
        opens=opens if isinstance(opens, dt.time) else None,
        closes=closes if isinstance(closes, dt.time) else None,
        days=frozenset(WEEKDAYS.index(d) for d in day_names),
        bank_holidays=bank,
        closed_dates=frozenset(closed),
    )
