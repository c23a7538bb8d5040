"""The only way staff code reads a report: checked against the one rule, and access-logged.

The rule itself is `Report.objects.visible_to(user)` (grants.py says who sees what). Use:

- `get_report_for_user(user, id, purpose)` for a page about one report: 404 if there is no
  such report, 403 if the user may not see it, and one access event if they may;
- `read_reports(user, reports, purpose)` for a page that lists reports, and
  `read_related(user, rows, via, purpose)` for one that lists anything revealing a report (a
  decision, a robot task, an assessment, a quality check): only visible rows come back, and
  their reports' access events are written in one insert;
- `restricted_not_shown(user, rows, via)` for the count a page shows in place of what it left
  out ("2 restricted reports not shown");
- `may_read_report(user, report)` where a page needs only the answer (and logs itself);
- `log_reads_of_unfiled(user, rows, purpose)` for what the public sent that is not a report
  (quarantine).

Every access event is written here, so the rule and the log cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from peel.audit.log import record_access, record_accesses
from peel.audit.models import AccessEvent
from peel.reports.grants import register_grant, team_rule
from peel.reports.models import Report

__all__ = [
    "get_report_for_user",
    "log_reads",
    "log_reads_of_unfiled",
    "may_read_report",
    "read_related",
    "read_reports",
    "register_grant",
    "restricted_not_shown",
    "team_allows",
    "visible_related",
]

M = TypeVar("M", bound=models.Model)


def may_read_report(user: Any, report: Report | int) -> bool:
    """Whether the rule lets this user read this report (one query; writes nothing)."""
    pk = report if isinstance(report, int) else report.pk
    return Report.objects.visible_to(user).filter(pk=pk).exists()


def team_allows(user: Any, report: Report) -> bool:
    """Only the team restriction, without a query when the report is not restricted: for the
    other reports the report in hand shows (see ReportQuerySet.not_restricted_from)."""
    if report.restricted_to_id is None:
        return True
    return Report.objects.filter(team_rule(user), pk=report.pk).exists()


def get_report_for_user(user: Any, report_id: int, purpose: str) -> Report:
    """The report with its people, place, vehicles and items, and one access event."""
    try:
        report = (
            Report.objects.visible_to(user)
            .select_related("location")
            .prefetch_related("involvements__person", "vehicles", "items")
            .get(pk=report_id)
        )
    except Report.DoesNotExist:
        if Report.objects.filter(pk=report_id).exists():
            raise PermissionDenied("You do not have access to this report.") from None
        raise Http404("No such report.") from None
    record_access(user, report, purpose)
    return report


def read_reports(user: Any, reports: QuerySet[Report], purpose: str) -> list[Report]:
    """The visible ones of `reports`, each read logged (one insert for the page)."""
    shown = list(reports.filter(pk__in=Report.objects.visible_to(user).values("pk")))
    record_accesses(user, list(shown), purpose)
    return shown


def visible_related(user: Any, rows: QuerySet[M], via: str = "report") -> QuerySet[M]:
    """Rows whose report (reached by the lookup `via`, e.g. "decision__report") the user may
    read. Rows with no report reveal none and are kept."""
    return rows.filter(
        Q(**{f"{via}__isnull": True})
        | Q(**{f"{via}__in": Report.objects.visible_to(user).values("pk")})
    )


def read_related(
    user: Any, rows: QuerySet[M], via: str, purpose: str, limit: int | None = None
) -> list[M]:
    """`visible_related` evaluated (the first `limit` of them), with an access event per report
    shown (one insert)."""
    visible = visible_related(user, rows, via)
    shown = list(visible[:limit] if limit is not None else visible)
    log_reads(user, {_report_id(row, via) for row in shown} - {None}, purpose)
    return shown


def restricted_not_shown(user: Any, rows: QuerySet[Any], via: str = "report") -> int:
    """How many of `rows` a page left out because their report is not visible to this user:
    the only thing such a report may show (a count)."""
    return rows.exclude(
        Q(**{f"{via}__isnull": True})
        | Q(**{f"{via}__in": Report.objects.visible_to(user).values("pk")})
    ).count()


def log_reads(user: Any, report_ids: Iterable[int | None], purpose: str) -> None:
    """Access events for reports already filtered by the rule (one insert). Only the helpers
    above call it: every other read goes through them."""
    ids = sorted({pk for pk in report_ids if pk is not None})
    if ids:
        record_accesses(user, [Report(pk=pk) for pk in ids], purpose)


def log_reads_of_unfiled(user: Any, rows: list[M], purpose: str) -> None:
    """Access events for records that hold what the public sent but are no report (yet): a
    quarantine item. One insert; every access event is written from this module."""
    record_accesses(user, list(rows), purpose)


def _report_id(row: models.Model, via: str) -> int | None:
    """Follow `via` ("decision__report") to the report's id, without loading the report."""
    *path, last = via.split("__")
    target: Any = row
    for step in path:
        target = getattr(target, step)
        if target is None:
            return None
    value = getattr(target, f"{last}_id")
    return int(value) if value is not None else None


def log_public_read(report: Report, purpose: str) -> None:
    """The reporter reading their own report (their status page, verified by reference and
    email) is a consultation like any other. They have no account: the event names them."""
    AccessEvent.objects.create(
        user=None, actor_label="reporter (verified by reference and email)",
        object_type=report._meta.label_lower, object_id=str(report.pk), purpose=purpose,
    )  # fmt: skip
