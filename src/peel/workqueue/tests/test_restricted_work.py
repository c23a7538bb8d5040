"""A restricted report's work goes to the restricting team, and reaches only someone there who
may do it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peel.accounts.actions import do_create_user
from peel.accounts.models import Team
from peel.accounts.testing import sign_in
from peel.audit.actors import TEST
from peel.audit.models import AccessEvent, AuditEvent
from peel.process.testing import PASSWORD, file_report
from peel.reports.actions import do_restrict_report
from peel.workqueue.actions import do_enqueue, do_get_work, do_reassign_item, do_route_item
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def standards() -> Team:
    return Team.objects.create(slug="professional-standards", name="Professional standards")


@pytest.fixture
def standards_operator(standards):
    return do_create_user(TEST, "pat", PASSWORD, ["operator"], teams=[standards.slug])


@pytest.fixture
def standards_investigator(standards):
    # In the team, but without the review permission.
    return do_create_user(TEST, "ivy", PASSWORD, ["investigator"], teams=[standards.slug])


def test_after_restricting_only_a_team_member_with_the_permission_gets_the_review(
    operator, supervisor, standards, standards_operator, standards_investigator
) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    item = WorkItem.objects.get(report=report)
    assert item.team == standards
    routed = AuditEvent.objects.get(action="work.routed", object_id=str(item.pk))
    assert routed.before["team"] != standards.pk and routed.after["team"] == standards.pk
    assert "no_member_may_do_it" not in routed.after
    assert do_get_work(operator) is None
    assert do_get_work(supervisor) is None  # may read any report, but not in the team
    assert do_get_work(standards_investigator) is None  # in the team, may not review
    taken = do_get_work(standards_operator)
    assert taken is not None and taken.pk == item.pk


def test_an_item_held_outside_the_team_goes_back_on_the_teams_queue(
    operator, supervisor, standards, standards_operator
) -> None:
    report = file_report()
    held = do_get_work(operator)
    assert held is not None and held.report == report
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    held.refresh_from_db()
    assert (held.status, held.holder, held.team) == (WorkStatus.QUEUED, None, standards)
    taken = do_get_work(standards_operator)
    assert taken is not None and taken.pk == held.pk


def test_new_work_for_a_restricted_report_is_routed_to_its_team(supervisor, standards) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    item = do_enqueue(TEST, WorkKind.DEPLOYMENT, "P3", report=report)
    assert item.team == standards
    despatch = Team.objects.get(slug="despatch")
    with pytest.raises(ValueError, match="restricted"):
        do_enqueue(TEST, WorkKind.DEPLOYMENT, "P3", report=report, team=despatch)


def test_a_supervisor_cannot_send_a_restricted_reports_work_outside_its_team(
    operator, supervisor, standards
) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    item = WorkItem.objects.get(report=report)
    centre = Team.objects.get(slug="contact-centre")
    with pytest.raises(ValueError, match="restricted"):
        do_route_item(supervisor, item.pk, centre, "Back to the centre")
    with pytest.raises(ValueError, match="may not work on"):
        do_reassign_item(supervisor, item.pk, operator, "Olivia has time")


def test_get_work_never_offers_an_item_whose_report_the_user_may_not_see(
    operator, supervisor, standards
) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    # However it got there (an old row, a direct write), a contact-centre item of a report
    # restricted elsewhere is never handed out.
    WorkItem.objects.filter(report=report).update(team=Team.objects.get(slug="contact-centre"))
    assert do_get_work(operator) is None


def test_the_queue_page_counts_a_restricted_reports_items_outside_its_team(
    client, supervisor, standards
) -> None:
    shown, secret = file_report(), file_report()
    do_restrict_report(supervisor, secret, standards, "About a serving officer")
    member = do_create_user(TEST, "pat", PASSWORD, ["supervisor"], teams=[standards.slug])
    sign_in(client, supervisor)
    page = client.get("/staff/queue/").content.decode()
    assert shown.reference in page and secret.reference not in page
    assert "1 restricted report not shown" in page
    secret_item = WorkItem.objects.get(report=secret)
    response = client.post(f"/staff/queue/{secret_item.pk}/return/", {"reason": "x"})
    assert response.status_code == 404
    sign_in(client, member)
    assert secret.reference in client.get("/staff/queue/").content.decode()


def test_work_nobody_in_the_team_may_do_is_flagged_in_its_routing_event(
    supervisor, standards, standards_investigator
) -> None:
    report = file_report()
    do_restrict_report(supervisor, report, standards, "About a serving officer")
    item = WorkItem.objects.get(report=report)
    routed = AuditEvent.objects.get(action="work.routed", object_id=str(item.pk))
    assert routed.after["no_member_may_do_it"] is True  # ivy may not review reports


def test_loading_the_queue_page_logs_a_read_of_each_report_listed_and_no_other(
    client, supervisor, standards
) -> None:
    shown, secret = file_report(), file_report()
    do_restrict_report(supervisor, secret, standards, "About a serving officer")
    sign_in(client, supervisor)
    with CaptureQueriesContext(connection) as queries:
        client.get("/staff/queue/")
    logged = AccessEvent.objects.filter(user=supervisor, purpose="supervisor's queue")
    assert sorted(logged.values_list("object_id", flat=True)) == [str(shown.pk)]
    inserts = [q for q in queries.captured_queries if 'INSERT INTO "audit_accessevent"' in q["sql"]]
    assert len(inserts) == 1
    client.get("/staff/queue/?partial=1")  # the live refresh shows the same rows again
    assert logged.count() == 1
