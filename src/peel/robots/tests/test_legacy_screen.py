"""The legacy-screen robot driving the sandbox CHS in headless Chromium."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from peel.evidence.store import read_bytes
from peel.process.testing import decided_report
from peel.reports.choices import Role, SuspectKnown
from peel.reports.drafts import PersonDraft
from peel.review.robot_handover import decision_record
from peel.robots.actions import do_retry_task
from peel.robots.choices import AttemptOutcome, TaskStatus
from peel.robots.models import RobotTask
from peel.robots.record import canonical_record
from peel.robots.testing import run_robot_until_idle
from peel.workqueue.models import WorkStatus

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
LONDON = ZoneInfo("Europe/London")
SUMMARY = (
    'They said "give me the bike" & pushed me <b>hard</b>.\nThen they rode off towards the park.'
)


def full_report() -> dict:
    return {
        "description": SUMMARY,
        "occurred_from": dt.datetime(2026, 11, 19, 22, 40, tzinfo=LONDON),
        "suspect_known": SuspectKnown.DESCRIBED.value,
        "people": [
            PersonDraft(
                roles=[Role.PERSON_REPORTING.value, Role.VICTIM.value], given_name="Zoë",
                family_name="O'Brien", date_of_birth=dt.date(1990, 2, 3),
                email="zoe.obrien@example.org", phone="+447700900123",
            ),
            PersonDraft(roles=[Role.UNKNOWN_SUSPECT.value], description="Tall, grey hoodie"),
        ],
        # The CHS's users must see this beside the email address, or they will email her.
        "contact_email": False, "contact_phone": True, "contact_times": "after 6pm",
    }  # fmt: skip


def test_a_decided_report_appears_in_the_chs_with_every_field_correct(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("chs",))
    decision = decided_report(operator, offence_code="34A", report=full_report())  # robbery
    assert run_robot_until_idle() == 1
    task = RobotTask.objects.get()
    [contact] = robot_env.state()["contacts"]
    assert contact["created_by"] == "peel-robot" and contact["layout"] == "classic"
    assert contact["fields"] == {
        "ext_ref": task.idempotency_key,
        "channel": "Online",
        "occurred_date": "19/11/2026",
        "occurred_time": "22:40",
        "location": "1 Park Row, Leeds",
        "postcode": "LS1 5HD",
        "opening_code": "108",
        "informant_surname": "O'Brien",
        "informant_forenames": "Zoë",
        "informant_dob": "03/02/1990",
        "informant_phone": "+447700900123",
        "informant_email": "zoe.obrien@example.org",
        "informant_contact": "Do not email. Safe to phone: after 6pm.",
        "suspect": "Tall, grey hoodie",
        "summary": SUMMARY,
        "details": canonical_record(decision_record(decision))["details"],
        "outcome": "Crime recorded",
        "offence_code": "34A",
        "crime_number": decision.crime.crime_number,
        "closing_code": "108",
        "notes": "",
    }
    assert task.status == TaskStatus.DONE and task.downstream_ref == contact["chs_number"]
    assert contact["fields"]["details"].startswith("When: Thu 19 Nov 2026 22:40\n")
    assert len(task.verified_fields) == 21  # every field typed was read back from the record
    assert task.tries.get().fields_verified == 21


def test_a_changed_screen_stops_before_saving_and_a_person_gets_the_record(
    operator, supervisor, robot_env, targets_file
) -> None:
    path = targets_file(only=("chs",))
    decided_report(operator)
    robot_env.control(layout="refresh")  # the CHS was upgraded overnight
    run_robot_until_idle()
    task = RobotTask.objects.get()
    assert robot_env.state()["contacts"] == []  # nothing written, let alone anything wrong
    assert task.status == TaskStatus.FAILED and task.attempts == 1
    reason = task.last_error
    assert "does not match screen map chs-classic v1" in reason
    assert "'External reference' (#ext_ref) is not on the page" in reason
    assert "a compulsory field the map does not know appeared: 'Contact type'" in reason
    assert "Nothing was saved" in reason
    item = task.manual_item
    assert item.status == WorkStatus.QUEUED
    assert item.summary.startswith(
        f"Key {task.report.reference} into Contact handling system by hand: Page 1"
    )
    attempt = task.tries.get()
    assert attempt.outcome == AttemptOutcome.PERMANENT
    assert read_bytes(attempt.screenshot).startswith(b"\x89PNG")
    assert b"Source reference" in read_bytes(attempt.page_html)

    # An engineer ships the new map; the supervisor retries and the robot does it after all.
    path.write_text(path.read_text().replace('"chs-classic"', '"chs-refresh"'))
    do_retry_task(supervisor, task.pk, "Screen map chs-refresh written for the upgrade")
    item.refresh_from_db()
    assert item.status == WorkStatus.CANCELLED
    run_robot_until_idle()
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    [contact] = robot_env.state()["contacts"]
    assert contact["layout"] == "refresh" and contact["fields"]["contact_type"] == "Report"
    assert contact["fields"]["ext_ref"] == task.idempotency_key


def test_error_pages_and_slow_pages_are_retried_and_the_record_written_once(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("chs",))
    decided_report(operator)
    robot_env.control(fail_next=1)
    run_robot_until_idle(limit=1)
    targets_file(only=("chs",), timeout=2)
    robot_env.control(slow_ms=2500)
    run_robot_until_idle(limit=1)
    targets_file(only=("chs",))
    robot_env.control(slow_ms=0)
    run_robot_until_idle()
    task = RobotTask.objects.get()
    errors = [t.error for t in task.tries.all()]
    assert "answered with an error page (500)" in errors[0]
    assert "took longer than the page limit" in errors[1] or "Timed out" in errors[1]
    assert task.status == TaskStatus.DONE
    assert len(robot_env.state()["contacts"]) == 1


def test_a_value_longer_than_the_screen_takes_is_stopped_before_writing(
    operator, robot_env, targets_file
) -> None:
    targets_file(only=("chs",))
    decided_report(operator, report={"description": "I want to say this. " * 210})  # 4,200
    run_robot_until_idle()
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.FAILED
    assert "'Summary' (#summary) takes 4000 characters and the value has 4199" in task.last_error
    assert robot_env.state()["contacts"] == []


def test_a_refused_log_on_is_retried_and_names_the_password_setting(
    operator, robot_env, targets_file, monkeypatch
) -> None:
    targets_file(only=("chs",))
    decided_report(operator)
    monkeypatch.setenv("PEEL_CHS_PASSWORD", "not-the-password")
    run_robot_until_idle(limit=1)
    task = RobotTask.objects.get()
    assert task.status == TaskStatus.QUEUED
    assert "refused the robot's log-on: check its password in PEEL_CHS_PASSWORD" in task.last_error


def test_the_chs_down_opens_its_breaker_and_recovery_writes_each_record_once(
    operator, robot_env, targets_file
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from peel.robots.choices import BreakerState
    from peel.robots.models import CircuitBreaker

    targets_file(only=("chs",))
    decided_report(operator)
    decided_report(operator)
    robot_env.stop()
    assert run_robot_until_idle() == 3  # the breaker's threshold, then the tasks wait
    breaker = CircuitBreaker.objects.get(target="chs")
    assert breaker.state == BreakerState.OPEN and "could not be reached" in breaker.last_error
    assert RobotTask.objects.filter(status=TaskStatus.QUEUED).count() == 2
    robot_env.start()
    CircuitBreaker.objects.update(retry_at=timezone.now() - timedelta(seconds=1))
    assert run_robot_until_idle() == 2
    assert set(RobotTask.objects.values_list("status", flat=True)) == {TaskStatus.DONE}
    keys = sorted(c["fields"]["ext_ref"] for c in robot_env.state()["contacts"])
    assert keys == sorted(RobotTask.objects.values_list("idempotency_key", flat=True))
