"""When it happened, as the reporter gave it, and the instants Peel can derive from that.

The reporter's values are kept verbatim (an ISO date-time with its own offset, a date, or words
such as "10pm", "between 9 and 11pm", "last night"). A wall-clock time a member of the public
gives is Europe/London local time: "10pm" on a summer date is 21:00 UTC. Peel never invents a
time: words it cannot read, or a date alone, give the day and no time of day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
GIVEN = ("incidentStartDateTime", "incidentEndDateTime", "incidentApproximateDate",
         "incidentApproximateTime")  # fmt: skip

# Precision of the derived instants: what a screen may show of them.
EXACT, TIME, RANGE, DATE = "exact", "time", "range", "date"  # reports.choices.OccurredPrecision
WITH_TIME = (EXACT, TIME, RANGE)

_HEDGES = re.compile(
    r"\b(at|about|around|approx(imately)?|roughly|circa|ca|just|after|before|sometime|some time)\b"
    r"|[~.,]$",
    re.IGNORECASE,
)
_CLOCK = r"(?P<{p}h>\d{{1,2}})(?:[:.](?P<{p}m>\d{{2}}))?\s*(?P<{p}s>am|pm|a\.m\.?|p\.m\.?)?"
_ONE = re.compile(rf"^{_CLOCK.format(p='a')}$", re.IGNORECASE)
_RANGE = re.compile(
    rf"^(?:between\s+)?{_CLOCK.format(p='a')}\s*(?:-|\u2013|to|and|until|till)\s*{_CLOCK.format(p='b')}$",
    re.IGNORECASE,
)
_NAMED = {"noon": dt.time(12, 0), "midday": dt.time(12, 0), "midnight": dt.time(0, 0)}


@dataclass
class When:
    given: dict[str, str] = field(default_factory=dict)  # SDM attribute -> value as given
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    precision: str = ""  # EXACT, TIME, RANGE, DATE, or "" when nothing was given
    problems: list[str] = field(default_factory=list)


def read_when(incident: dict[str, Any]) -> When:
    """The reporter's own values and what can be derived from them, never more."""
    when = When(given={k: str(incident[k]) for k in GIVEN if incident.get(k) not in (None, "")})
    start = _instant(when.given.get("incidentStartDateTime"))
    end = _instant(when.given.get("incidentEndDateTime"))
    if start is not None:
        when.start, when.end, when.precision = start, end, EXACT
        return when
    words = when.given.get("incidentApproximateTime", "")
    day = _day(when.given.get("incidentApproximateDate"), when)
    if day is None:
        when.end = end
        return when
    clock = read_clock(words) if words else None
    if clock is None:
        when.start, when.precision = dt.datetime.combine(day, dt.time(0, 0), tzinfo=LONDON), DATE
    else:
        first, last = clock
        when.start = dt.datetime.combine(day, first, tzinfo=LONDON)
        when.precision = TIME
        if last is not None:
            later_day = day + dt.timedelta(days=1) if last <= first else day  # "11pm to 2am"
            when.end = dt.datetime.combine(later_day, last, tzinfo=LONDON)
            when.precision = RANGE
    if end is not None:
        when.end = end
    return when


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    # No offset: the reporter's wall clock, which is UK local time.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=LONDON)


def _day(value: str | None, when: When) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        when.problems.append(f"The incident date {value!r} could not be read as a date.")
        return None


def read_clock(words: str) -> tuple[dt.time, dt.time | None] | None:
    """ "10pm" -> (22:00, None); "between 9 and 11pm" -> (21:00, 23:00); "last night" -> None.

    A bare hour with no am/pm ("at 9") is ambiguous and gives None: Peel will not guess."""
    text = " ".join(_HEDGES.sub(" ", words.strip().lower()).split())
    if text in _NAMED:
        return _NAMED[text], None
    one = _ONE.match(text)
    if one:
        first = _time(one["ah"], one["am"], one["as"])
        return (first, None) if first else None
    both = _RANGE.match(text)
    if both:
        suffix = both["as"] or both["bs"]
        first = _time(both["ah"], both["am"], both["as"] or _same_half(both, suffix))
        last = _time(both["bh"], both["bm"], both["bs"] or both["as"])
        return (first, last) if first and last else None
    return None


def _same_half(match: re.Match[str], suffix: str | None) -> str | None:
    """ "between 9 and 11pm": the first hour shares the second's pm if that keeps it earlier."""
    if not suffix:
        return None
    first, second = int(match["ah"]), int(match["bh"])
    return suffix if first % 12 <= second % 12 else None


def _time(hour: str, minute: str | None, suffix: str | None) -> dt.time | None:
    h, m = int(hour), int(minute or 0)
    if m > 59:
        return None
    if suffix:
        if not 1 <= h <= 12:
            return None
        pm = suffix.startswith("p")
        h = (h % 12) + (12 if pm else 0)
    elif minute is None and h <= 12:
        return None  # "9": morning or evening? Not ours to decide.
    if h > 23:
        return None
    return dt.time(h, m)
