import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import do_get_work, do_release_expired_leases, do_return_item
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db


def test_get_work_serves_the_highest_grade_first_then_the_earliest_deadline(operator) -> None:
    low = file_report()
    urgent = file_report(immediate_danger=True)
    child = file_report(victim_under_18=True)
    WorkItem.objects.filter(report=low).update(due_at=timezone.now() - dt.timedelta(hours=1))
    served = []
    for _ in range(3):
        item = do_get_work(operator)
        assert item is not None
        served.append(item.report)
        item.status = WorkStatus.DONE  # simulate finishing it
        WorkItem.objects.filter(pk=item.pk).update(status=WorkStatus.DONE)
    assert served == [urgent, child, low]


def test_an_operator_keeps_the_item_they_hold_until_it_is_done(operator) -> None:
    file_report()
    file_report()
    first = do_get_work(operator)
    again = do_get_work(operator)
    assert first is not None and again is not None and first.pk == again.pk


def test_two_operators_never_receive_the_same_item(operator, other_operator) -> None:
    file_report()
    file_report()
    a = do_get_work(operator)
    b = do_get_work(other_operator)
    assert a is not None and b is not None and a.pk != b.pk
    assert do_get_work(other_operator) == b


def test_nothing_to_do_returns_none(operator) -> None:
    assert do_get_work(operator) is None


def test_an_expired_lease_returns_the_item_to_the_queue_once(operator, other_operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    taken_over = do_get_work(other_operator)
    assert taken_over is not None and taken_over.pk == item.pk
    assert taken_over.holder == other_operator
    assert (
        AuditEvent.objects.filter(action="work.lease_expired", object_id=str(item.pk)).count() == 1
    )
    assert do_release_expired_leases() == 0


def test_a_supervisor_returns_an_item_with_a_reason(operator, supervisor) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    do_return_item(supervisor, item.pk, "Operator went home sick")
    item.refresh_from_db()
    assert item.status == WorkStatus.QUEUED and item.holder is None
    event = AuditEvent.objects.filter(action="work.returned").get()
    assert event.actor == supervisor
    assert event.before["holder"] == operator.pk
    assert event.after["reason"] == "Operator went home sick"


def test_an_operator_cannot_return_items(operator, other_operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    with pytest.raises(PermissionError):
        do_return_item(other_operator, item.pk, "mine now")


def test_accounts_without_a_work_role_are_refused(analyst) -> None:
    file_report()
    with pytest.raises(PermissionError):
        do_get_work(analyst)


class TestPages:
    def test_staff_pages_send_anonymous_visitors_to_sign_in(self, client: Client) -> None:
        for url in ["/staff/", "/staff/queue/", "/staff/work/1/"]:
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/staff/login/")
        assert client.post("/staff/get-work/")["Location"].startswith("/staff/login/")

    def test_get_work_page_takes_the_operator_straight_to_the_report(
        self, staff_client, operator
    ) -> None:
        report = file_report()
        response = staff_client(operator).post("/staff/get-work/")
        item = WorkItem.objects.get(report=report)
        assert response["Location"] == f"/staff/work/{item.pk}/"
        assert item.holder == operator

    def test_operators_do_not_see_the_queue(self, staff_client, operator) -> None:
        file_report()
        client = staff_client(operator)
        assert client.get("/staff/queue/").status_code == 403
        assert b"/staff/queue/" not in client.get("/staff/").content

    def test_an_analyst_cannot_press_get_work(self, staff_client, analyst) -> None:
        assert staff_client(analyst).post("/staff/get-work/").status_code == 403

    def test_the_supervisor_sees_every_open_item_with_holder_and_deadline(
        self, staff_client, operator, supervisor
    ) -> None:
        held = file_report(immediate_danger=True)
        waiting = file_report()
        do_get_work(operator)
        body = staff_client(supervisor).get("/staff/queue/").content.decode()
        assert held.reference in body and waiting.reference in body
        assert body.index(held.reference) < body.index(waiting.reference)
        assert operator.username in body
        assert 'data-testid="count-queued">1<' in body
        assert 'data-testid="count-allocated">1<' in body

    def test_the_supervisor_returns_an_item_from_the_queue_page(
        self, staff_client, operator, supervisor
    ) -> None:
        file_report()
        item = do_get_work(operator)
        assert item is not None
        response = staff_client(supervisor).post(
            f"/staff/queue/{item.pk}/return/", {"reason": "Needs a specialist"}
        )
        assert response.status_code == 302
        item.refresh_from_db()
        assert item.status == WorkStatus.QUEUED
