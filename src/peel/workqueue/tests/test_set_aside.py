"""An operator keeps an item by using it, or gives it back, or parks it awaiting information."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import (
    NotYourItem,
    do_get_work,
    do_hand_back,
    do_heartbeat,
    do_park,
    do_release_parked,
)
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def test_a_heartbeat_extends_the_lease_of_the_holder_only(
    operator: Any, other_operator: Any
) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None and item.lease_expires_at is not None
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() + dt.timedelta(seconds=5)
    )
    renewed = do_heartbeat(operator, item.pk)
    assert (
        renewed.lease_expires_at is not None
        and renewed.lease_expires_at > timezone.now() + dt.timedelta(minutes=5)
    )
    with pytest.raises(NotYourItem):
        do_heartbeat(other_operator, item.pk)


def test_without_heartbeats_the_item_goes_to_the_next_operator_exactly_once(
    operator: Any, other_operator: Any, make_user: Any
) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    with pytest.raises(NotYourItem):
        do_heartbeat(operator, item.pk)  # too late: the lease has run out
    again = do_get_work(other_operator)
    assert again is not None and again.pk == item.pk and again.holder == other_operator
    assert do_get_work(make_user("third", "operator")) is None  # handed out again once, not twice


def test_handing_back_needs_a_reason_and_is_audited(operator: Any, other_operator: Any) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(ValueError, match="Say why"):
        do_hand_back(operator, item.pk, "  ")
    with pytest.raises(NotYourItem):
        do_hand_back(other_operator, item.pk, "not mine")
    do_hand_back(operator, item.pk, "I know the victim personally")
    item.refresh_from_db()
    assert item.status == WorkStatus.QUEUED and item.holder is None
    event = AuditEvent.objects.filter(action="work.handed_back").get()
    assert event.after["reason"] == "I know the victim personally"
    assert do_get_work(other_operator) == item


def test_a_parked_item_waits_for_its_follow_up_then_returns_to_the_queue(
    operator: Any, other_operator: Any
) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(ValueError, match="future"):
        do_park(operator, item.pk, "Waiting for CCTV", timezone.now() - dt.timedelta(minutes=1))
    follow_up = timezone.now() + dt.timedelta(hours=2)
    do_park(operator, item.pk, "Waiting for the victim to send CCTV", follow_up)
    item.refresh_from_db()
    assert (
        item.status == WorkStatus.PARKED and item.holder is None and item.follow_up_at == follow_up
    )
    assert do_get_work(other_operator) is None  # parked work is not handed out
    assert do_release_parked(now=follow_up + dt.timedelta(seconds=1)) == 1
    assert do_get_work(other_operator) == item
    actions = list(
        AuditEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True)
    )
    assert actions[-3:] == ["work.parked", "work.follow_up_due", "work.allocated"]


def test_the_review_page_offers_hand_back_and_park(staff_client, operator: Any) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    client = staff_client(operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert (
        f'data-heartbeat-url="/staff/work/{item.pk}/heartbeat/"' in page and "heartbeat.js" in page
    )
    assert client.post(f"/staff/work/{item.pk}/heartbeat/").json()["held"] is True
    follow_up = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/staff/work/{item.pk}/park/",
        {"park-reason": "Awaiting call back", "park-follow_up_at": follow_up},
        follow=True,
    )
    assert f"Item {item.pk} is parked until" in response.content.decode()
    assert client.post(f"/staff/work/{item.pk}/heartbeat/").status_code == 409  # no longer held
