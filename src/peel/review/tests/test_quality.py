"""Supervisors sample decisions; one sent back reaches its operator on their next Get Work."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from peel.accounts.testing import sign_in
from peel.audit.actors import TEST
from peel.process.testing import file_report
from peel.review.actions import do_agree, do_record_decision, do_sample_decisions, do_send_back
from peel.review.choices import Verdict
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db
SINCE = dt.timedelta(days=1)


def decide_all(operator, count: int) -> list:
    decisions = []
    for _ in range(count):
        file_report()
        item = do_get_work(operator)
        assert item is not None
        decisions.append(do_record_decision(operator, item, decision_input()))
    return decisions


def test_a_sample_never_repeats_and_never_includes_the_supervisors_own(
    operator, supervisor
) -> None:
    mine = decide_all(supervisor, 2)
    theirs = decide_all(operator, 5)
    since = timezone.now() - SINCE
    first = do_sample_decisions(supervisor, 3, since)
    second = do_sample_decisions(supervisor, 10, since)
    drawn = [c.decision for c in first + second]
    assert sorted(d.pk for d in drawn) == sorted(d.pk for d in theirs)
    assert not set(drawn) & set(mine)
    with pytest.raises(PermissionError):
        do_sample_decisions(operator, 1, since)


def test_sent_back_goes_to_the_operator_first_and_to_no_one_else(
    staff_client, operator, other_operator, supervisor
) -> None:
    (decision,) = decide_all(operator, 1)
    file_report(description="A new report waiting on the queue")
    check = do_sample_decisions(supervisor, 1, timezone.now() - SINCE)[0]
    do_send_back(supervisor, check.pk, "Check the offence: a bike is a pedal cycle.")
    other = do_get_work(other_operator)
    assert other is not None and other.report != decision.report  # not theirs to take
    item = do_get_work(operator)
    assert item is not None and item.report == decision.report
    assert item.summary.endswith("Check the offence: a bike is a pedal cycle.")
    client = staff_client(operator)
    page = client.get(f"/staff/work/{item.pk}/").content.decode()
    assert "Earlier decision" in page and "a bike is a pedal cycle" in page
    check.refresh_from_db()
    assert check.verdict == Verdict.SENT_BACK and check.sent_back_item == item


def test_a_check_is_made_once(operator, supervisor) -> None:
    decide_all(operator, 1)
    check = do_sample_decisions(supervisor, 1, timezone.now() - SINCE)[0]
    do_agree(supervisor, check.pk, "Good rationale.")
    with pytest.raises(ValueError, match="already been checked"):
        do_send_back(supervisor, check.pk, "Changed my mind")
    with pytest.raises(ValueError, match="Say what"):
        do_send_back(supervisor, check.pk, " ")


def test_the_quality_page_draws_and_shows_the_clock_figure(staff_client, operator, supervisor):
    decide_all(operator, 2)
    client = staff_client(supervisor)
    response = client.post("/staff/quality/", {"count": 5, "days": 7})
    assert response.status_code == 302
    page = client.get("/staff/quality/").content.decode()
    assert page.count('data-testid="pending-check"') == 2
    assert "100.0%" in page and "of 2 reports whose clock has finished" in page
    assert 'data-testid="compliance-week"' in page


def test_a_supervisor_outside_a_restricting_team_sees_its_checks_only_as_a_count(
    client: Client, operator, supervisor
) -> None:
    from peel.accounts.models import Team
    from peel.audit.models import AccessEvent
    from peel.reports.actions import do_restrict_report

    file_report()
    secret = do_record_decision(
        operator, do_get_work(operator), decision_input(rationale="Officer known to the victim")
    )
    shown = decide_all(operator, 1)[0]
    checks = do_sample_decisions(supervisor, 2, timezone.now() - SINCE)
    assert len(checks) == 2
    do_restrict_report(supervisor, secret.report, Team.objects.get(slug="safeguarding-hub"), "PSD")
    sign_in(client, supervisor)
    page = client.get("/staff/quality/").content.decode()
    assert page.count('data-testid="pending-check"') == 1
    assert shown.report.reference in page
    assert secret.report.reference not in page
    assert "Officer known to the victim" not in page
    assert "1 restricted report not shown" in page
    logged = AccessEvent.objects.filter(user=supervisor, purpose="quality check")
    assert list(logged.values_list("object_id", flat=True)) == [str(shown.report_id)]
    # Nor may they act on it by its number.
    secret_check = next(c for c in checks if c.decision_id == secret.pk)
    response = client.post(f"/staff/quality/{secret_check.pk}/", {"verdict": "agree"})
    assert response.status_code == 404


def test_a_sample_never_draws_a_decision_the_supervisor_may_not_read(operator, supervisor) -> None:
    from peel.accounts.models import Team
    from peel.reports.actions import do_restrict_report

    secret, shown = decide_all(operator, 2)
    do_restrict_report(supervisor, secret.report, Team.objects.get(slug="safeguarding-hub"), "PSD")
    drawn = do_sample_decisions(supervisor, 5, timezone.now() - SINCE)
    assert [c.decision for c in drawn] == [shown]


def test_a_restricted_decision_sent_back_goes_to_the_team_not_to_an_outside_operator(
    operator, supervisor
) -> None:
    from peel.accounts.actions import do_create_user
    from peel.accounts.models import Team
    from peel.process.testing import PASSWORD
    from peel.reports.actions import do_restrict_report
    from peel.review.models import QualityCheck

    decision = decide_all(operator, 1)[0]
    check = do_sample_decisions(supervisor, 1, timezone.now() - SINCE)[0]
    hub = Team.objects.get(slug="safeguarding-hub")
    do_restrict_report(supervisor, decision.report, hub, "PSD")
    with pytest.raises(QualityCheck.DoesNotExist):
        do_send_back(supervisor, check.pk, "Look again")  # outside the hub, it is not there
    member = do_create_user(TEST, "pat", PASSWORD, ["supervisor"], teams=[hub.slug])
    do_send_back(member, check.pk, "Look again")
    assert do_get_work(operator) is None  # may not read it any more
    item = do_get_work(member)
    assert item is not None and item.report == decision.report


def test_the_quality_page_logs_every_report_it_shows_in_one_insert(
    client: Client, operator, supervisor
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from peel.audit.models import AccessEvent

    decisions = decide_all(operator, 3)
    do_sample_decisions(supervisor, 3, timezone.now() - SINCE)
    sign_in(client, supervisor)
    table = AccessEvent._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/staff/quality/").status_code == 200
    inserts = [q for q in queries.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(inserts) == 1
    logged = AccessEvent.objects.filter(user=supervisor, purpose="quality check")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(
        str(d.report_id) for d in decisions
    )
