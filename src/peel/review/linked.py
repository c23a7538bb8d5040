"""What is already known about each person, vehicle and place in a report, for the review.

Matching is on exact normalised identifiers, as in triage's repeat detection (the same keys,
from `triage.history.person_keys`); record linkage replaces both later. Every report listed is
a consultation and is access-logged; reports restricted to a team the reader is not in are left
out and counted, so the operator knows something is there without reading it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from peel.reports.access import log_reads, team_allows
from peel.reports.models import Involvement, Person, Report, Vehicle
from peel.triage.history import person_keys

LIMIT = 20  # reports listed per person, vehicle or place; the rest are counted
READ = 200  # rows read per entity: beyond this a very busy identity's count stops growing


@dataclass
class LinkedRecord:
    report: Report
    role: str  # the entity's part in that report ("Victim", "Vehicle", "Location")


@dataclass
class EntityHistory:
    label: str
    matched_on: str
    records: list[LinkedRecord] = field(default_factory=list)
    more: int = 0  # matches beyond LIMIT
    withheld: int = 0  # matches in reports restricted to a team the reader is not in


def _identifiers(person: Person) -> str:
    found = [name for name, value in (("email", person.email), ("phone", person.phone)) if value]
    if person.given_name and person.family_name and person.date_of_birth:
        found.append("name and date of birth")
    return ", ".join(found)


def linked_records(user: Any, report: Report) -> list[EntityHistory]:
    histories = []
    roles_of: dict[Person, list[str]] = {}
    for involvement in report.involvements.all():
        roles_of.setdefault(involvement.person, []).append(involvement.get_role_display())
    for person, roles in roles_of.items():
        keys = person_keys([person])
        if keys is None:
            continue
        rows = (
            Involvement.objects.filter(keys)
            .exclude(report=report)
            .select_related("report")
            .order_by("-report__received_at", "-id")
        )
        history = EntityHistory(f"{' and '.join(roles)}: {person}", _identifiers(person))
        _fill(user, history, ((i.report, i.get_role_display()) for i in rows[:READ]))
        histories.append(history)
    for vehicle in report.vehicles.all():
        rows_v = (
            Vehicle.objects.filter(vrm=vehicle.vrm)
            .exclude(report=report)
            .select_related("report")
            .order_by("-report__received_at", "-id")
        )
        history = EntityHistory(f"Vehicle {vehicle.vrm}", "registration mark")
        _fill(user, history, ((v.report, "Vehicle") for v in rows_v[:READ]))
        histories.append(history)
    location = report.location
    if location is not None and location.postcode and location.address_line:
        rows_l = (
            Report.objects.filter(
                Q(location__postcode=location.postcode)
                & Q(location__address_line__iexact=location.address_line)
            )
            .exclude(pk=report.pk)
            .order_by("-received_at", "-id")
        )
        history = EntityHistory(f"Place: {location}", "address and postcode")
        _fill(user, history, ((r, "Location") for r in rows_l[:READ]))
        histories.append(history)
    shown = {r.report.pk: r.report for h in histories for r in h.records}
    log_reads(user, shown, f"linked history of {report.reference}")
    return histories


def _fill(user: Any, history: EntityHistory, rows: Any) -> None:
    """One line per other report (a person may be in it twice, as reporter and victim)."""
    by_report: dict[int, tuple[Report, list[str]]] = {}
    for other, role in rows:
        roles = by_report.setdefault(other.pk, (other, []))[1]
        if role not in roles:
            roles.append(role)
    for other, roles in by_report.values():
        if not team_allows(user, other):
            history.withheld += 1
        elif len(history.records) < LIMIT:
            history.records.append(LinkedRecord(other, " and ".join(roles)))
        else:
            history.more += 1
