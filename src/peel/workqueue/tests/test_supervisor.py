"""Who gets which work, and the supervisor steering the whole queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peel.accounts.models import Team
from peel.audit.actors import Robot
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.actions import (
    do_enqueue,
    do_get_work,
    do_reassign_item,
    do_route_item,
)
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db


def referral(grade: str = "AMBER") -> WorkItem:
    return do_enqueue(
        Robot("test"), WorkKind.SAFEGUARDING_REFERRAL, grade, summary="School concern"
    )


def test_operators_are_never_handed_safeguarding_referrals(operator) -> None:
    referral("RED")
    assert do_get_work(operator) is None


def test_the_safeguarding_hub_gets_referrals_and_not_report_reviews(safeguarding_officer) -> None:
    file_report(immediate_danger=True)
    item = referral("AMBER")
    got = do_get_work(safeguarding_officer)
    assert got is not None and got.pk == item.pk


def test_an_operator_moved_to_another_team_gets_that_teams_work_only(make_user) -> None:
    hub_operator = make_user("kit", "operator")
    hub_operator.teams.set([Team.objects.get(slug="safeguarding-hub")])
    file_report()  # routed to the contact centre
    assert do_get_work(hub_operator) is None
    transposition = do_enqueue(
        Robot("robot"), WorkKind.MANUAL_TRANSPOSITION, "P3", summary="Robot could not write the VRM",
        team=Team.objects.get(slug="safeguarding-hub"),
    )  # fmt: skip
    got = do_get_work(hub_operator)
    assert got is not None and got.pk == transposition.pk


def test_an_account_in_no_team_is_told_why_it_gets_no_work(operator) -> None:
    operator.teams.clear()
    with pytest.raises(PermissionError, match="in no team"):
        do_get_work(operator)


def test_reassigning_to_someone_who_may_not_do_the_work_is_refused(
    supervisor, operator, safeguarding_officer
) -> None:
    item = referral()
    with pytest.raises(ValueError, match="may not work on safeguarding referral"):
        do_reassign_item(supervisor, item.pk, operator, "cover")
    do_reassign_item(supervisor, item.pk, safeguarding_officer, "Imran knows the family")
    item.refresh_from_db()
    assert item.holder == safeguarding_officer and item.status == WorkStatus.ALLOCATED
    assert do_get_work(safeguarding_officer) == item


def test_routing_a_held_item_to_another_team_puts_it_on_their_queue(supervisor, operator) -> None:
    file_report()
    item = do_get_work(operator)
    assert item is not None
    hub = Team.objects.get(slug="safeguarding-hub")
    do_route_item(supervisor, item.pk, hub, "Needs the hub's eye")
    item.refresh_from_db()
    assert item.team == hub and item.status == WorkStatus.QUEUED and item.holder is None
    assert AuditEvent.objects.get(action="work.routed").after["reason"] == "Needs the hub's eye"


class TestQueuePage:
    def test_filters_narrow_the_queue(self, staff_client, supervisor) -> None:
        review = file_report()
        ref = referral("RED")
        page = staff_client(supervisor)
        body = page.get("/staff/queue/", {"kind": "safeguarding_referral"}).content.decode()
        assert f'data-item="{ref.pk}"' in body and review.reference not in body
        hub = Team.objects.get(slug="safeguarding-hub").pk
        body = page.get("/staff/queue/", {"team": hub, "grade": "P4"}).content.decode()
        assert "No open items match." in body

    def test_the_count_of_what_will_breach_in_the_next_hour(self, staff_client, supervisor) -> None:
        soon = file_report()
        file_report(people=[])
        WorkItem.objects.filter(report=soon).first().deadlines.filter(name="Picked up").update(
            due_at=timezone.now() + dt.timedelta(minutes=20)
        )
        body = staff_client(supervisor).get("/staff/queue/?partial=1").content.decode()
        assert 'data-testid="count-next-hour">1<' in body
        assert "<html" not in body  # the live fragment only

    def test_bulk_escalate_applies_to_each_selected_item_and_reports_refusals(
        self, staff_client, supervisor
    ) -> None:
        a, b = (WorkItem.objects.get(report=file_report(people=[])) for _ in range(2))
        urgent = WorkItem.objects.get(report=file_report(immediate_danger=True, people=[]))
        response = staff_client(supervisor).post(
            "/staff/queue/bulk/",
            {"items": [a.pk, b.pk, urgent.pk], "action": "escalate", "grade": "P2",
             "reason": "Linked series of thefts"},
            follow=True,
        )  # fmt: skip
        body = response.content.decode()
        assert "Escalate to grade: 2 item(s) done." in body
        assert f"Item {urgent.pk}: P2 is not higher than the item&#x27;s grade P1." in body
        assert set(
            WorkItem.objects.filter(pk__in=[a.pk, b.pk]).values_list("grade", flat=True)
        ) == {"P2"}
        assert AuditEvent.objects.filter(action="work.escalated").count() == 2

    def test_a_bulk_action_without_a_reason_changes_nothing(self, staff_client, supervisor) -> None:
        item = WorkItem.objects.get(report=file_report())
        staff_client(supervisor).post(
            "/staff/queue/bulk/", {"items": [item.pk], "action": "escalate", "grade": "P1"}
        )
        item.refresh_from_db()
        assert item.grade == "P4"

    def test_operators_cannot_use_bulk_actions(self, staff_client, operator) -> None:
        item = WorkItem.objects.get(report=file_report())
        response = staff_client(operator).post(
            "/staff/queue/bulk/",
            {"items": [item.pk], "action": "return", "reason": "x"},
        )
        assert response.status_code == 403


class TestTaskPage:
    def test_the_hub_works_a_referral_and_records_what_was_done(
        self, staff_client, safeguarding_officer
    ) -> None:
        report = file_report(victim_under_18=True)
        page = staff_client(safeguarding_officer)
        response = page.post("/staff/get-work/")
        item = WorkItem.objects.get(report=report, kind=WorkKind.SAFEGUARDING_REFERRAL)
        assert response["Location"] == f"/staff/task/{item.pk}/"
        body = page.get(response["Location"]).content.decode()
        assert report.reference in body and "Victim is under 18" in body
        assert 'data-testid="thrive"' in body
        assert page.post(response["Location"], {"note": ""}).status_code == 400
        page.post(response["Location"], {"note": "Checked with children's services: open case"})
        item.refresh_from_db()
        assert item.status == WorkStatus.DONE
        assert item.deadlines.get().met_at is not None
        assert AuditEvent.objects.get(action="work.task_note").after["note"].startswith("Checked")
