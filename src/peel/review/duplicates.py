"""Possible second reports of the same incident, for the operator to merge.

A candidate shares an identity with the report (a victim's or reporter's identifier, the
address, a vehicle, the national reference) and was received within a few days of it; when
both say when it happened, those times must be close too. Each candidate says why it is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from peel.reports.access import log_reads, team_allows
from peel.reports.choices import Role
from peel.reports.models import Report
from peel.review.models import Decision
from peel.triage.history import person_keys

RECEIVED_WITHIN = dt.timedelta(days=7)
OCCURRED_WITHIN = dt.timedelta(hours=48)
PEOPLE_ROLES = (Role.VICTIM, Role.PERSON_REPORTING)


@dataclass
class Candidate:
    report: Report
    reasons: list[str]
    decided: bool  # already decided: shown, but cannot be merged


def possible_duplicates(user: Any, report: Report, limit: int = 10) -> list[Candidate]:
    window = Q(
        received_at__gte=report.received_at - RECEIVED_WITHIN,
        received_at__lte=report.received_at + RECEIVED_WITHIN,
        merged_into=None,
    )
    reasons: dict[int, list[str]] = {}

    def add(ids: Any, reason: str) -> None:
        for pk in ids:
            if pk != report.pk and reason not in reasons.setdefault(pk, []):
                reasons[pk].append(reason)

    people = [i.person for i in report.involvements.all() if i.role in PEOPLE_ROLES]
    if (keys := person_keys(people)) is not None:
        add(
            Report.objects.filter(window)
            .filter(_prefixed(keys), involvements__role__in=PEOPLE_ROLES)
            .values_list("pk", flat=True),
            "same victim or reporter",
        )
    location = report.location
    if location is not None and location.postcode and location.address_line:
        add(
            Report.objects.filter(
                window,
                location__postcode=location.postcode,
                location__address_line__iexact=location.address_line,
            ).values_list("pk", flat=True),
            "same address",
        )
    vrms = [v.vrm for v in report.vehicles.all()]
    if vrms:
        add(
            Report.objects.filter(window, vehicles__vrm__in=vrms).values_list("pk", flat=True),
            "same vehicle",
        )
    if report.customer_reference:
        add(
            Report.objects.filter(window, customer_reference=report.customer_reference)
            .values_list("pk", flat=True),
            "same national reference",
        )  # fmt: skip
    if not reasons:
        return []
    others = Report.objects.filter(pk__in=reasons).select_related("location")
    decided = set(
        Decision.objects.filter(report__in=others, superseded_at=None).values_list(
            "report_id", flat=True
        )
    )
    found = []
    for other in others:
        if not team_allows(user, other) or not _close_in_time(report, other):
            continue
        if report.occurred_from and other.occurred_from:
            reasons[other.pk].append("happened at about the same time")
        found.append(Candidate(other, reasons[other.pk], other.pk in decided))
    found.sort(key=lambda c: (-len(c.reasons), abs(c.report.received_at - report.received_at)))
    found = found[:limit]
    log_reads(user, [c.report.pk for c in found], f"possible duplicate of {report.reference}")
    return found


def _prefixed(keys: Q) -> Q:
    """person_keys() filters Involvement rows; the same keys through Report's involvements."""
    children: list[Any] = [
        _prefixed(child) if isinstance(child, Q) else (f"involvements__{child[0]}", child[1])  # type: ignore[index]
        for child in keys.children
    ]
    return Q(*children, _connector=keys.connector, _negated=keys.negated)


def _close_in_time(report: Report, other: Report) -> bool:
    if report.occurred_from is None or other.occurred_from is None:
        return True
    return abs(report.occurred_from - other.occurred_from) <= OCCURRED_WITHIN
