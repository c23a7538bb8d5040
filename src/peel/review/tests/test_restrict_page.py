"""A supervisor restricts a report to one team from its page (a report about a colleague):
its work goes to that team, and outside it the report is only a count."""

from __future__ import annotations

import pytest

from peel.accounts.models import Team
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.workqueue.models import WorkItem

pytestmark = pytest.mark.django_db


def test_a_supervisor_restricts_a_report_from_its_page(staff_client, supervisor, operator):
    report = file_report()
    standards = Team.objects.create(slug="standards", name="Professional standards")
    client = staff_client(supervisor)
    page = client.get(f"/staff/reports/{report.pk}/").content.decode()
    assert 'data-testid="restrict-form"' in page and "Not restricted." in page
    response = client.post(
        f"/staff/reports/{report.pk}/restrict/",
        {"team": standards.pk, "reason": "About a serving officer"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/staff/"  # back to the staff home
    assert "no longer shows to you" in response.content.decode()
    report.refresh_from_db()
    assert report.restricted_to == standards
    event = AuditEvent.objects.get(action="report.restricted", object_id=str(report.pk))
    assert event.actor_id == supervisor.pk and event.after["reason"] == "About a serving officer"
    assert WorkItem.objects.get(report=report, kind="review_report").team == standards
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    assert "1 restricted report not shown" in client.get("/staff/queue/").content.decode()


def test_a_reason_is_required_and_operators_may_not_restrict(staff_client, supervisor, operator):
    report = file_report()
    standards = Team.objects.create(slug="standards", name="Professional standards")
    client = staff_client(supervisor)
    client.post(f"/staff/reports/{report.pk}/restrict/", {"team": standards.pk, "reason": ""})
    report.refresh_from_db()
    assert report.restricted_to is None
    response = staff_client(operator).post(
        f"/staff/reports/{report.pk}/restrict/", {"team": standards.pk, "reason": "x"}
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.restricted_to is None
