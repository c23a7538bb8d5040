"""Searching the audit log (changes) and the access log (reads) for the auditor.

A search names any of: a person (by name), a report (by reference), a user (username, collar
number, or a robot's name), an action (from the closed list of event names), an object
(`type:id`, as the logs store it) and a period; the rows must match all of them. Rows about a
report restricted to a team the auditor is not in are left out and only counted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.utils import timezone

from peel.accounts.models import User
from peel.audit.models import AccessEvent, AuditEvent
from peel.oversight.related import Targets, about, merge, rows_about_reports
from peel.reports.models import Person, Report

Log = Literal["audit", "access"]
MAX_PEOPLE = 50  # a name matching more people than this needs narrowing
MAX_REPORTS = 200


@dataclass(frozen=True)
class Search:
    log: Log = "audit"
    person: str = ""
    report: str = ""
    user: str = ""
    action: str = ""
    object: str = ""  # "reports.report:12"
    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def is_empty(self) -> bool:
        return not any(value for key, value in asdict(self).items() if key != "log")

    def as_params(self) -> dict[str, str]:
        """The search as URL parameters (for links, the pager and the access log)."""
        params = {key: str(value) for key, value in asdict(self).items() if value}
        if self.log == "access":
            params.pop("action", None)
        return params

    def as_query(self) -> str:
        return urlencode(self.as_params())


@dataclass
class Found:
    rows: QuerySet[Any]
    people: list[Person] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    restricted_left_out: int = 0
    notes: list[str] = field(default_factory=list)


def hidden_reports(viewer: User) -> QuerySet[Report]:
    """Reports restricted to a team the viewer is not in: they exist for the viewer only as a
    count. An auditor reads the trail of every other report (the team part of the one rule)."""
    return Report.objects.exclude(pk__in=Report.objects.not_restricted_from(viewer).values("pk"))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def run(search: Search, viewer: User) -> Found:
    model = AuditEvent if search.log == "audit" else AccessEvent
    rows: QuerySet[Any] = model.objects.all()
    found = Found(rows=rows)
    hidden_ids = list(hidden_reports(viewer).values_list("pk", flat=True))
    hidden = rows_about_reports(hidden_ids)
    wanted: list[Q] = []

    if search.person:
        people = _people_named(search.person, hidden)
        found.people = people[:MAX_PEOPLE]
        if len(people) > MAX_PEOPLE:
            found.notes.append(f"More than {MAX_PEOPLE} people match; showing the first.")
        reports = list(
            Report.objects.filter(involvements__person__in=found.people)
            .exclude(pk__in=hidden_ids)
            .distinct()
            .order_by("-received_at")[:MAX_REPORTS]
        )
        found.reports += reports
        person_rows: Targets = {"reports.person": {str(p.pk) for p in found.people}}
        wanted.append(about(merge(person_rows, rows_about_reports(r.pk for r in reports))))
    if search.report:
        report = (
            Report.objects.filter(reference__iexact=search.report.strip())
            .exclude(pk__in=hidden_ids)
            .first()
        )
        if report is None:
            found.notes.append("No report you may see has that reference.")
            wanted.append(Q(pk__in=[]))
        else:
            if report not in found.reports:
                found.reports.append(report)
            wanted.append(about(rows_about_reports([report.pk])))
    if search.user:
        wanted.append(_by_user(search.log, search.user.strip()))
    if search.action and search.log == "audit":
        wanted.append(Q(action=search.action))
    if search.object:
        object_type, _, object_id = search.object.partition(":")
        wanted.append(Q(object_type=object_type.strip().lower(), object_id=object_id.strip()))
    if search.since:
        wanted.append(Q(occurred_at__gte=_day_start(search.since)))
    if search.until:
        wanted.append(Q(occurred_at__lt=_day_start(search.until + dt.timedelta(days=1))))

    for condition in wanted:
        rows = rows.filter(condition)
    if any(hidden.values()):
        found.restricted_left_out = rows.filter(about(hidden)).count()
        rows = rows.exclude(about(hidden))
    found.rows = rows.order_by("-id")
    return found


def _people_named(name: str, hidden: Targets) -> list[Person]:
    people = Person.objects.exclude(pk__in=[int(pk) for pk in hidden.get("reports.person", ())])
    for token in name.split():
        people = people.filter(Q(given_name__icontains=token) | Q(family_name__icontains=token))
    return list(people.order_by("family_name", "given_name", "pk")[: MAX_PEOPLE + 1])


def _by_user(log: Log, text: str) -> Q:
    """A member of staff by username or collar number, else a robot by the name it acted under.
    One or the other, never an OR of both, so each uses its (who, when) index."""
    users = list(
        User.objects.filter(Q(username__iexact=text) | Q(collar_number__iexact=text)).values_list(
            "pk", flat=True
        )
    )
    if log == "audit":
        return Q(actor_id__in=users) if users else Q(actor__isnull=True, actor_label=text)
    return Q(user_id__in=users) if users else Q(user__isnull=True, actor_label=text)
