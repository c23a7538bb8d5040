"""What is already known about a report's people, place and vehicles: repeat victims, repeat
suspects, repeat locations and vehicles within the look-back period.

Matching is on exact, normalised identifiers (email, phone, name with date of birth, postcode
with address, VRM). Probabilistic record linkage comes later and replaces the body of
`linked_history` only: triage and the work queue call nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Q

from peel.reports.choices import Role
from peel.reports.models import Involvement, Person, Report, Vehicle

SUSPECT_ROLES = (Role.KNOWN_SUSPECT, Role.UNKNOWN_SUSPECT)


@dataclass
class History:
    """Other reports (ids) sharing an identity with this one, by what they share."""

    victim: set[int] = field(default_factory=set)
    suspect: set[int] = field(default_factory=set)
    location: set[int] = field(default_factory=set)
    vehicle: set[int] = field(default_factory=set)

    def all(self) -> set[int]:
        return self.victim | self.suspect | self.location | self.vehicle


def lookback() -> dt.timedelta:
    return dt.timedelta(days=int(settings.PEEL["REPEAT_LOOKBACK_DAYS"]))


def linked_history(report: Report) -> History:
    """Reports received from the look-back period before this one onwards that share one of its
    identities. Later reports count too: a re-score after a new report sees the new pattern."""
    since = report.received_at - lookback()
    window = Q(report__received_at__gte=since) & ~Q(report=report)
    involvements = list(report.involvements.select_related("person"))
    history = History()
    for roles, bucket in (((Role.VICTIM,), history.victim), (SUSPECT_ROLES, history.suspect)):
        keys = person_keys([i.person for i in involvements if i.role in roles])
        if keys is not None:
            bucket.update(
                Involvement.objects.filter(keys, window, role__in=roles).values_list(
                    "report_id", flat=True
                )
            )
    location = report.location
    if location is not None and location.postcode and location.address_line:
        history.location.update(
            Report.objects.filter(
                location__postcode=location.postcode,
                location__address_line__iexact=location.address_line,
                received_at__gte=since,
            )
            .exclude(pk=report.pk)
            .values_list("pk", flat=True)
        )
    vrms = [v.vrm for v in report.vehicles.all() if v.vrm]
    if vrms:
        history.vehicle.update(
            Vehicle.objects.filter(window, vrm__in=vrms).values_list("report_id", flat=True)
        )
    return history


def person_keys(people: list[Person]) -> Q | None:
    """One OR of every identifier these people have; None if they have none."""
    keys = Q()
    found = False
    for person in people:
        if person.email:
            keys |= Q(person__email=person.email)
            found = True
        if person.phone:
            keys |= Q(person__phone=person.phone)
            found = True
        if person.family_name and person.given_name and person.date_of_birth:
            keys |= Q(
                person__family_name__iexact=person.family_name,
                person__given_name__iexact=person.given_name,
                person__date_of_birth=person.date_of_birth,
            )
            found = True
    return keys if found else None
