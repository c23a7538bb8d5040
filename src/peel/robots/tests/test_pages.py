"""The robots page, failed tasks (retry, give to a person), evidence and re-keying by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from peel.audit.actors import TEST
from peel.audit.models import AccessEvent
from peel.evidence.actions import record_blob
from peel.evidence.store import store_bytes
from peel.process.testing import PASSWORD, decided_report
from peel.robots.choices import AttemptOutcome, BreakerState, TaskStatus
from peel.robots.models import CircuitBreaker, RobotAttempt, RobotTask
from peel.robots.testing import run_robot_until_idle
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkKind, WorkStatus

pytestmark = pytest.mark.django_db
LONG = {"description": "A long account. " * 300}  # more than the crime system takes


@pytest.fixture
def failed_task(operator, robot_env, targets_file) -> RobotTask:
    targets_file(only=("crime-system",))
    decided_report(operator, report=LONG)
    run_robot_until_idle()
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.FAILED
    return task


def test_the_robots_page_shows_success_time_saved_and_verified_fields(
    staff_client, operator, analyst, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    decided_report(operator)
    decided_report(operator, report=LONG)
    run_robot_until_idle()
    page = staff_client(analyst).get("/staff/robots/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="success-rate">66.7%' in html
    assert 'data-testid="minutes-saved">3 min' in html  # 2 written x 1.5 minutes
    assert 'data-testid="fields-verified">32 of 32' in html  # 16 mapped fields x 2
    assert 'data-testid="wrong-records">0' in html
    assert "test-robot" in html  # the worker, with its items per minute


def test_an_open_breaker_and_its_waiting_items_are_shown(
    staff_client, operator, supervisor, robot_env, targets_file
) -> None:
    targets_file(only=("crime-system",))
    decided_report(operator)
    CircuitBreaker.objects.create(
        target="crime-system", state=BreakerState.OPEN, opened_at=timezone.now(),
        retry_at=timezone.now() + timedelta(minutes=1), last_error="answered 503",
    )  # fmt: skip
    html = staff_client(supervisor).get("/staff/robots/").content.decode()
    assert "Open: target failing, items wait" in html and "answered 503" in html


def test_operators_may_not_see_the_robots_pages(staff_client, operator, failed_task) -> None:
    client = staff_client(operator)
    assert client.get("/staff/robots/").status_code == 403
    assert client.get("/staff/robots/failed/").status_code == 403
    assert (
        client.post(f"/staff/robots/tasks/{failed_task.pk}/retry/", {"reason": "x"}).status_code
        == 403
    )


def test_a_supervisor_sees_why_a_task_failed_and_the_read_is_logged(
    staff_client, supervisor, failed_task
) -> None:
    html = staff_client(supervisor).get("/staff/robots/failed/").content.decode()
    assert "summary is longer than 4000 characters" in html
    assert AccessEvent.objects.filter(
        user=supervisor, object_id=str(failed_task.report_id), purpose="robot dead letters"
    ).exists()


def test_retry_gives_the_task_back_to_the_robots_and_cancels_the_manual_item(
    staff_client, supervisor, failed_task
) -> None:
    response = staff_client(supervisor).post(
        f"/staff/robots/tasks/{failed_task.pk}/retry/", {"reason": "The API now takes 8,000"}
    )
    assert response.status_code == 302
    item = failed_task.manual_item
    failed_task.refresh_from_db()
    item.refresh_from_db()
    assert failed_task.status == TaskStatus.QUEUED and failed_task.manual_item is None
    assert item.status == WorkStatus.CANCELLED


def test_give_to_a_person_allocates_the_manual_item_to_them(
    staff_client, supervisor, other_operator, failed_task
) -> None:
    staff_client(supervisor).post(
        f"/staff/robots/tasks/{failed_task.pk}/give/",
        {"person": other_operator.pk, "reason": "Sam knows the crime system"},
    )
    item = failed_task.manual_item
    item.refresh_from_db()
    assert item.status == WorkStatus.ALLOCATED and item.holder == other_operator
    # Once a person has it, the robots cannot take it back.
    response = staff_client(supervisor).post(
        f"/staff/robots/tasks/{failed_task.pk}/retry/", {"reason": "try again"}, follow=True
    )
    assert "already taken the manual item" in response.content.decode()


def test_the_person_re_keying_sees_the_reason_and_every_value_then_records_where_it_went(
    staff_client, operator, failed_task
) -> None:
    item = do_get_work(operator)
    assert item.kind == WorkKind.MANUAL_TRANSPOSITION and item.pk == failed_task.manual_item_id
    client = staff_client(operator)
    html = client.get(f"/staff/work/{item.pk}/transposition/").content.decode()
    assert "summary is longer than 4000 characters" in html
    assert "sourceReference" in html and failed_task.idempotency_key in html
    assert "offenceCode" in html
    response = client.post(
        f"/staff/work/{item.pk}/transposition/", {"downstream_ref": "CRS/000777/26"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    failed_task.refresh_from_db()
    assert item.status == WorkStatus.DONE
    assert failed_task.downstream_ref == "CRS/000777/26"


def test_evidence_is_for_supervisors_and_the_person_re_keying_and_html_is_never_rendered(
    staff_client, operator, other_operator, supervisor, failed_task
) -> None:
    png = store_bytes(b"\x89PNG fake", "image/png")
    html = store_bytes(b"<script>alert(1)</script>", "text/html")
    for blob in (png, html):
        record_blob(blob)
    attempt = failed_task.tries.get()
    RobotAttempt.objects.filter(pk=attempt.pk).update(screenshot=png, page_html=html)
    url = f"/staff/robots/tries/{attempt.pk}/"
    shot = staff_client(supervisor).get(url + "screenshot/")
    assert shot.status_code == 200 and shot["Content-Type"] == "image/png"
    page = staff_client(supervisor).get(url + "html/")
    assert page["Content-Type"] == "application/octet-stream"
    assert page["Content-Disposition"].startswith("attachment")
    assert staff_client(other_operator).get(url + "screenshot/").status_code == 403
    do_get_work(operator)  # now operator holds the manual item
    assert staff_client(operator).get(url + "screenshot/").status_code == 200
    assert AccessEvent.objects.filter(purpose="robot evidence (screenshot)").count() == 2
    assert attempt.outcome == AttemptOutcome.PERMANENT


def test_a_restricted_reports_failed_task_and_its_evidence_stay_inside_its_team(
    staff_client, supervisor, failed_task
) -> None:
    from peel.accounts.actions import do_create_user
    from peel.accounts.models import Team
    from peel.reports.actions import do_restrict_report

    png = store_bytes(b"\x89PNG fake", "image/png")
    html = store_bytes(b"<p>the record</p>", "text/html")
    for blob in (png, html):
        record_blob(blob)
    attempt = failed_task.tries.get()
    RobotAttempt.objects.filter(pk=attempt.pk).update(screenshot=png, page_html=html)
    hub = Team.objects.get(slug="safeguarding-hub")
    do_restrict_report(supervisor, failed_task.report, hub, "About a colleague")
    outsider = staff_client(supervisor)  # manages robots, may read any report, not in the hub
    page = outsider.get("/staff/robots/failed/").content.decode()
    assert "summary is longer than 4000 characters" not in page
    assert failed_task.report.reference not in page
    assert "1 restricted report not shown" in page
    url = f"/staff/robots/tries/{attempt.pk}/"
    assert outsider.get(url + "screenshot/").status_code == 403  # like the report page
    assert outsider.get(url + "html/").status_code == 403
    retry = outsider.post(f"/staff/robots/tasks/{failed_task.pk}/retry/", {"reason": "x"})
    assert retry.status_code == 404
    assert not AccessEvent.objects.filter(user=supervisor).exists()
    member = do_create_user(TEST, "pat", PASSWORD, ["supervisor"], teams=["safeguarding-hub"])
    inside = staff_client(member)
    assert (
        "summary is longer than 4000 characters"
        in inside.get("/staff/robots/failed/").content.decode()
    )
    assert inside.get(url + "screenshot/").status_code == 200
