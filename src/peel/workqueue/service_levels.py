"""Load the service-level file: grades and their queue rank, calendars, deadlines per kind.

The shipped file is `service_levels.toml` beside this module; a force points
`PEEL_SERVICE_LEVELS` at its own copy. The file is checked whole when first read, and any mistake
is named, so a typo stops `peel check` rather than mis-timing live work.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

from peel.core.calendars import Calendar, parse_calendar

SHIPPED = Path(__file__).parent / "service_levels.toml"
MET_WHEN = ("allocated", "completed")
_DURATION = re.compile(r"^(\d+)([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}


class ServiceLevelError(ValueError):
    pass


@dataclass(frozen=True)
class GradeSpec:
    code: str
    rank: int
    label: str


@dataclass(frozen=True)
class DeadlineSpec:
    name: str
    within: dt.timedelta
    calendar: Calendar
    met_when: str

    def due(self, anchor: dt.datetime) -> dt.datetime:
        return self.calendar.add(anchor, self.within)


@dataclass(frozen=True)
class ServiceLevels:
    version: str
    near_breach: dt.timedelta
    grades: dict[str, GradeSpec]
    levels: dict[tuple[str, str], tuple[DeadlineSpec, ...]]  # (kind, grade or "*") -> deadlines

    def rank(self, grade: str) -> int:
        try:
            return self.grades[grade].rank
        except KeyError:
            raise ServiceLevelError(f"Grade '{grade}' is not in the service-level file.") from None

    def deadlines(self, kind: str, grade: str) -> tuple[DeadlineSpec, ...]:
        found = self.levels.get((kind, grade)) or self.levels.get((kind, "*"))
        if found is None:
            raise ServiceLevelError(f"No service level for {kind} at grade {grade}.")
        return found


def parse_duration(text: str) -> dt.timedelta:
    match = _DURATION.match(text.strip())
    if not match:
        raise ServiceLevelError(f"'{text}' is not a duration; write e.g. 90m, 4h or 3d.")
    return dt.timedelta(**{_UNITS[match[2]]: int(match[1])})


def parse_service_levels(text: str, kinds: set[str]) -> ServiceLevels:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ServiceLevelError(f"The service-level file is not valid TOML: {exc}.") from exc
    try:
        calendars = {
            name: parse_calendar(name, raw) for name, raw in data.get("calendar", {}).items()
        }
    except ValueError as exc:
        raise ServiceLevelError(str(exc)) from exc
    calendars.setdefault("always", Calendar("always"))
    grades = {
        g["code"]: GradeSpec(g["code"], int(g["rank"]), g.get("label", g["code"]))
        for g in data.get("grade", [])
    }
    levels: dict[tuple[str, str], tuple[DeadlineSpec, ...]] = {}
    for i, level in enumerate(data.get("level", []), start=1):
        kind = level.get("kind")
        if kind not in kinds:
            raise ServiceLevelError(f"Level {i}: unknown kind {kind!r}; known: {sorted(kinds)}.")
        deadlines = []
        for raw in level.get("deadlines", []):
            calendar_name = raw.get("calendar", "always")
            if calendar_name not in calendars:
                raise ServiceLevelError(f"Level {i}: no calendar named {calendar_name!r}.")
            if raw.get("met_when") not in MET_WHEN:
                raise ServiceLevelError(f"Level {i}: met_when must be one of {list(MET_WHEN)}.")
            deadlines.append(
                DeadlineSpec(
                    raw["name"], parse_duration(raw["within"]), calendars[calendar_name],
                    raw["met_when"],
                )
            )  # fmt: skip
        if not deadlines:
            raise ServiceLevelError(f"Level {i} ({kind}) has no deadlines.")
        for grade in level.get("grades", ["*"]):
            if grade != "*" and grade not in grades:
                raise ServiceLevelError(f"Level {i}: grade {grade!r} is not a [[grade]].")
            levels[(kind, grade)] = tuple(deadlines)
    missing = sorted(k for k in kinds if (k, "*") not in levels)
    if missing:
        raise ServiceLevelError(f'These kinds need a level with grades = ["*"]: {missing}.')
    return ServiceLevels(
        version=str(data.get("version", "")),
        near_breach=dt.timedelta(minutes=int(data.get("near_breach_minutes", 60))),
        grades=grades,
        levels=levels,
    )


@cache
def service_levels() -> ServiceLevels:
    from peel.workqueue.kinds import KINDS

    path = Path(settings.PEEL["SERVICE_LEVELS"] or SHIPPED)
    return parse_service_levels(path.read_text(), set(KINDS))
