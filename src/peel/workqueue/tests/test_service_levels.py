"""Deadlines per kind and grade; breaches recorded once; items near a deadline rise."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peel.audit.actors import Robot
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import (
    do_enqueue,
    do_escalate_item,
    do_get_work,
    do_raise_near_breach,
    do_record_breaches,
    do_sweep_queue,
)
from peel.workqueue.models import WorkDeadline, WorkItem, WorkKind
from peel.workqueue.service_levels import ServiceLevelError, parse_service_levels, service_levels

pytestmark = pytest.mark.django_db
KINDS = {k.value for k in WorkKind}


def review(report) -> WorkItem:
    return WorkItem.objects.get(report=report, kind=WorkKind.REVIEW_REPORT)


def test_a_report_review_carries_pick_up_and_decision_deadlines_from_receipt() -> None:
    report = file_report(immediate_danger=True)
    item = review(report)
    deadlines = {d.name: d.due_at for d in item.deadlines.all()}
    assert deadlines == {
        "Picked up": report.received_at + dt.timedelta(hours=1),
        "Crime-recording decision": report.received_at + dt.timedelta(hours=24),
    }
    assert item.due_at == deadlines["Picked up"]


def test_picking_up_meets_the_first_deadline_and_the_decision_is_next(operator) -> None:
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    picked = item.deadlines.get(name="Picked up")
    assert picked.met_at is not None
    assert item.due_at == report.received_at + dt.timedelta(hours=24)


def test_a_red_safeguarding_referral_is_due_in_four_working_hours() -> None:
    item = do_enqueue(Robot("test"), WorkKind.SAFEGUARDING_REFERRAL, "RED", summary="Child at risk")
    (deadline,) = item.deadlines.all()
    office = service_levels().deadlines(WorkKind.SAFEGUARDING_REFERRAL, "RED")[0].calendar
    assert deadline.due_at == office.add(item.created_at, dt.timedelta(hours=4))
    assert item.team.slug == "safeguarding-hub"


def test_a_passed_deadline_is_recorded_as_a_breach_exactly_once() -> None:
    item = review(file_report())
    later = timezone.now() + dt.timedelta(hours=13)
    assert do_record_breaches(later) == 1  # "Picked up" within 12 hours for P4
    assert do_record_breaches(later) == 0
    breached = WorkDeadline.objects.get(item=item, breached_at__isnull=False)
    assert breached.name == "Picked up"
    event = AuditEvent.objects.get(action="work.deadline_breached")
    assert event.object_id == str(item.pk) and event.after["deadline"] == "Picked up"


def test_an_item_near_its_deadline_rises_above_its_grade(operator) -> None:
    low = review(file_report())  # P4: picked up within 12 hours of receipt
    standard = review(  # P3, a different victim, just arrived
        file_report(occurred_from=timezone.now() - dt.timedelta(hours=1), people=[])
    )
    assert (low.rank, standard.rank) == (4, 3)
    # The low item has waited eleven and a half hours: half an hour left to pick it up.
    type(low.report).objects.filter(pk=low.report_id).update(
        received_at=timezone.now() - dt.timedelta(hours=11, minutes=30)
    )
    low.deadlines.filter(name="Picked up").update(due_at=timezone.now() + dt.timedelta(minutes=30))
    WorkItem.objects.filter(pk=low.pk).update(due_at=timezone.now() + dt.timedelta(minutes=30))
    assert do_raise_near_breach() == 1
    low.refresh_from_db()
    assert low.raised and low.rank == 3
    assert AuditEvent.objects.filter(action="work.near_breach", object_id=str(low.pk)).count() == 1
    assert do_raise_near_breach() == 0
    # Same rank as the standard item now, and an earlier deadline: it is handed out first.
    first = do_get_work(operator)
    assert first is not None and first.pk == low.pk


def test_escalating_raises_the_grade_and_takes_that_grades_deadlines(supervisor) -> None:
    report = file_report()
    item = review(report)
    do_escalate_item(supervisor, item.pk, "P1", "Caller rang back: partner returned")
    item.refresh_from_db()
    assert item.grade == "P1" and item.rank == 1
    assert item.deadlines.get(name="Picked up").due_at == report.received_at + dt.timedelta(hours=1)
    event = AuditEvent.objects.get(action="work.escalated")
    assert event.before["grade"] == "P4" and event.after["grade"] == "P1"
    assert event.after["reason"] == "Caller rang back: partner returned"
    with pytest.raises(ValueError, match="not higher"):
        do_escalate_item(supervisor, item.pk, "P3", "downgrade")


def test_the_sweep_reports_what_it_did() -> None:
    file_report()
    result = do_sweep_queue(timezone.now() + dt.timedelta(days=2))
    assert result == {
        "leases_expired": 0, "follow_ups_due": 0, "breaches_recorded": 2, "raised_near_breach": 1,
    }  # fmt: skip


def test_every_shipped_kind_has_a_service_level() -> None:
    levels = service_levels()
    for kind in KINDS:
        assert levels.deadlines(kind, "P4")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('within = "1h"', 'within = "an hour"'), "is not a duration"),
        (('kind = "link_review"', 'kind = "link_reveiw"'), "unknown kind 'link_reveiw'"),
        (('calendar = "office"', 'calendar = "offcie"'), "no calendar named 'offcie'"),
        (('met_when = "allocated"', 'met_when = "opened"'), "met_when must be one of"),
    ],
)
def test_a_mistake_in_the_service_level_file_is_named(
    change: tuple[str, str], message: str
) -> None:
    from peel.workqueue.service_levels import SHIPPED

    text = SHIPPED.read_text()
    assert change[0] in text
    with pytest.raises(ServiceLevelError, match=message):
        parse_service_levels(text.replace(change[0], change[1], 1), KINDS)
