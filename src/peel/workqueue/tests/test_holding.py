"""One definition of "holds this item": allocated to the person under a lease that is live.

The action, every page of the item and the right to read its report agree on it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peel.accounts.testing import sign_in
from peel.process.testing import file_report
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.testing import decision_input
from peel.workqueue.actions import NotYourItem, do_complete_item, do_get_work, do_hand_back
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def expire(item: WorkItem) -> None:
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    item.refresh_from_db()


def test_held_by_means_allocated_to_them_with_a_live_lease(operator, other_operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    assert list(WorkItem.objects.held_by(operator)) == [item]
    assert item.is_held_by(operator) and not item.is_held_by(other_operator)
    assert not WorkItem.objects.held_by(other_operator).exists()
    later = item.lease_expires_at + dt.timedelta(seconds=1)
    assert not item.is_held_by(operator, now=later)
    assert not WorkItem.objects.held_by(operator, now=later).exists()
    expire(item)  # still allocated to them until the sweep, but no longer held
    assert item.status == WorkStatus.ALLOCATED and item.holder == operator
    assert not item.is_held_by(operator)
    assert not WorkItem.objects.held_by(operator).exists()


def test_after_the_lease_runs_out_no_action_no_page_and_no_report(client: Client, operator):
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    expire(item)
    with pytest.raises(NotYourItem):
        do_complete_item(operator, item)
    with pytest.raises(NotYourItem):
        do_record_decision(operator, item, decision_input())
    with pytest.raises(NotYourItem):
        do_hand_back(operator, item.pk, "Going home")
    assert not Report.objects.visible_to(operator).filter(pk=report.pk).exists()
    sign_in(client, operator)
    assert client.get(f"/staff/work/{item.pk}/").url == "/staff/"  # the review page
    assert client.post(f"/staff/work/{item.pk}/heartbeat/").status_code == 409
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    home = client.get("/staff/").content.decode()
    assert report.reference not in home  # staff home no longer says "you are working on"


def test_while_the_lease_is_live_the_holder_has_the_page_and_the_report(client, operator):
    report = file_report()
    item = do_get_work(operator)
    assert item is not None
    sign_in(client, operator)
    assert client.get(f"/staff/work/{item.pk}/").status_code == 200
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 200
    assert report.reference in client.get("/staff/").content.decode()
