"""One open safeguarding referral per report, whichever road asks for it."""

from __future__ import annotations

import re
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction

from peel.audit.actors import Robot
from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.review.actions import do_record_decision
from peel.review.choices import NextAction
from peel.review.testing import decision_input
from peel.workqueue.actions import (
    do_cancel_item,
    do_enqueue,
    do_get_work,
    do_refer_to_safeguarding,
    open_referral,
)
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

REFERRAL = WorkKind.SAFEGUARDING_REFERRAL


def referrals(report: Any) -> list[WorkItem]:
    return list(WorkItem.objects.filter(report=report, kind=REFERRAL).order_by("id"))


def child_at_risk() -> Any:
    """A report triage refers on its own (a victim under 18)."""
    report = file_report(victim_under_18=True)
    [referral] = referrals(report)
    assert referral.summary.startswith("Triage asked for a referral")
    return report


@pytest.mark.django_db
def test_the_operators_referral_joins_the_one_triage_made_and_raises_its_grade(operator) -> None:
    report = child_at_risk()
    triage_grade = referrals(report)[0].grade
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    do_record_decision(
        operator, item,
        decision_input(actions=[NextAction.REFER], referral_grade="RED"),
    )  # fmt: skip
    [referral] = referrals(report)  # still one
    assert referral.status == WorkStatus.QUEUED and referral.grade == "RED"
    joined = AuditEvent.objects.get(action="work.referral_already_open")
    assert joined.object_id == str(referral.pk) and joined.actor == operator
    assert joined.after["requested_grade"] == "RED"
    if triage_grade != "RED":
        assert AuditEvent.objects.filter(action="work.regraded", object_id=str(referral.pk))


@pytest.mark.django_db
def test_a_less_urgent_second_request_leaves_the_open_referral_as_it_is() -> None:
    report = file_report()
    first, created = do_refer_to_safeguarding(Robot("test"), report, "RED", "First concern")
    again, created_again = do_refer_to_safeguarding(Robot("test"), report, "GREEN", "Same concern")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.grade == "RED" and len(referrals(report)) == 1


@pytest.mark.django_db
def test_once_the_referral_is_closed_a_new_concern_can_be_referred() -> None:
    report = file_report()
    first, _ = do_refer_to_safeguarding(Robot("test"), report, "AMBER", "First concern")
    assert do_cancel_item(Robot("test"), first.pk, "Dealt with by the hub")
    second, created = do_refer_to_safeguarding(Robot("test"), report, "AMBER", "A new concern")
    assert created and second.pk != first.pk and open_referral(report) == second


@pytest.mark.django_db
def test_the_database_refuses_a_second_open_referral_that_bypasses_the_action() -> None:
    report = file_report()
    do_refer_to_safeguarding(Robot("test"), report, "AMBER", "First")
    with pytest.raises(IntegrityError), transaction.atomic():
        do_enqueue(Robot("test"), REFERRAL, "RED", report=report, summary="Second, by another road")
    # Other kinds of work for the same report are not limited.
    do_enqueue(Robot("test"), WorkKind.DEPLOYMENT, "P3", report=report)
    do_enqueue(Robot("test"), WorkKind.DEPLOYMENT, "P3", report=report)
    assert len(referrals(report)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_roads_referring_at_the_same_moment_make_one_referral() -> None:
    report = file_report()  # not referred by triage
    roads = 6
    start = threading.Barrier(roads)
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def refer(n: int) -> None:
        try:
            start.wait()
            item, created = do_refer_to_safeguarding(
                Robot(f"road {n}"), report, "AMBER", f"Road {n}"
            )
            with lock:
                results.append((item.pk, created))
        except BaseException as exc:  # a thread's failure must fail the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=refer, args=(n,)) for n in range(roads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    [referral] = referrals(report)
    assert {pk for pk, _ in results} == {referral.pk}
    assert sum(created for _, created in results) == 1
    assert AuditEvent.objects.filter(action="work.referral_already_open").count() == roads - 1


@pytest.mark.django_db
def test_the_review_screen_shows_the_open_referral_instead_of_offering_another(
    staff_client, operator: Any, safeguarding_officer: Any
) -> None:
    report = child_at_risk()
    referral = referrals(report)[0]
    taken = do_get_work(safeguarding_officer)
    assert taken is not None and taken.pk == referral.pk
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    client = staff_client(operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert 'data-testid="open-referral"' in page
    assert f"{referral.grade.title()} referral, held by {safeguarding_officer}" in page
    assert 'value="refer"' not in page and 'name="referral_grade"' not in page


@pytest.mark.django_db
def test_the_review_screen_does_not_choose_a_referral_for_the_operator(
    staff_client, operator: Any
) -> None:
    report = child_at_risk()
    do_cancel_item(Robot("test"), referrals(report)[0].pk, "Closed by the hub")
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    client = staff_client(operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert 'value="refer"' in page  # offered, since none is open
    assert not re.search(r'value="refer"[^>]*checked', page)
    assert "selected>Red" not in page and 'value="RED" selected' not in page


@pytest.mark.django_db
def test_a_page_opened_before_triage_referred_still_records_and_joins_the_referral(
    staff_client,
    operator: Any,
) -> None:
    report = file_report()
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    client = staff_client(operator)
    assert 'value="refer"' in client.get(f"/staff/work/{item.pk}/").content.decode()
    # Meanwhile a re-score (a DASH, a linked report) makes triage refer it.
    triage_referral, _ = do_refer_to_safeguarding(Robot("triage"), report, "AMBER", "Triage asked")
    response = client.post(
        f"/staff/work/{item.pk}/",
        {
            "outcome": "crime", "offence_code": "49", "opening_code": "108",
            "closing_code": "108", "actions": ["refer"], "referral_grade": "RED",
        },
    )  # fmt: skip
    assert response.status_code == 302
    [referral] = referrals(report)
    assert referral.pk == triage_referral.pk and referral.grade == "RED"


@pytest.mark.django_db(transaction=True)
def test_the_migration_closes_second_open_referrals_kept_from_before_the_rule() -> None:
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("workqueue", "0006_workitem_reserved_for_new_kinds")],
        [("workqueue", "0007_one_open_referral_per_report")],
    )
    report = file_report()
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps.get_model("workqueue", "WorkItem")
        first = do_refer_to_safeguarding(Robot("triage"), report, "AMBER", "Triage")[0]
        twin = old.objects.get(pk=first.pk)
        twin.pk = None  # the defect: a second open referral for the same report
        twin.save()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
    statuses = [r.status for r in referrals(report)]
    assert statuses == [WorkStatus.QUEUED, WorkStatus.CANCELLED]
    assert AuditEvent.objects.filter(action="work.cancelled", actor_label="migration").count() == 1
