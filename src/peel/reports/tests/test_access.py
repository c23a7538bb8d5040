"""The one access rule: who may read a report, as a queryset, per object (logged) and in bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from peel.accounts.actions import do_create_user
from peel.accounts.models import Team
from peel.accounts.testing import sign_in
from peel.audit.actors import TEST
from peel.audit.models import AccessEvent
from peel.process.testing import PASSWORD, file_report
from peel.reports import grants
from peel.reports.access import (
    get_report_for_user,
    may_read_report,
    read_related,
    read_reports,
    restricted_not_shown,
)
from peel.reports.actions import do_restrict_report
from peel.reports.models import Report
from peel.review.actions import do_record_decision
from peel.review.models import Decision
from peel.review.testing import decision_input
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem

pytestmark = pytest.mark.django_db


def visible(user) -> set[Report]:
    return set(Report.objects.visible_to(user))


@pytest.fixture
def hub() -> Team:
    return Team.objects.get(slug="safeguarding-hub")


def test_an_operator_sees_only_the_report_they_hold_under_a_live_lease(operator) -> None:
    held, other = file_report(), file_report()
    assert visible(operator) == set()  # operators never browse
    item = do_get_work(operator)
    assert item is not None and item.report == held
    assert visible(operator) == {held}
    assert may_read_report(operator, held) and not may_read_report(operator, other)
    # A lease that ran out is no longer holding: the report goes with it.
    WorkItem.objects.filter(pk=item.pk).update(lease_expires_at=item.allocated_at - timedelta(1))
    assert visible(operator) == set()


def test_view_any_report_sees_every_report_not_restricted_to_another_team(
    supervisor, safeguarding_officer, hub
) -> None:
    open_report, restricted = file_report(), file_report()
    do_restrict_report(supervisor, restricted, hub, "About a colleague")
    assert visible(supervisor) == {open_report}  # may read any, but is not in the hub
    assert visible(safeguarding_officer) == {open_report, restricted}


def test_holding_an_item_does_not_open_a_report_restricted_to_another_team(
    operator, supervisor, hub
) -> None:
    report = file_report()
    item = do_get_work(operator)
    assert item is not None and item.report == report
    do_restrict_report(supervisor, report, hub, "About a colleague")
    assert visible(operator) == set()
    with pytest.raises(PermissionDenied):
        get_report_for_user(operator, report.pk, "review")


def test_anonymous_and_inactive_users_see_nothing(supervisor) -> None:
    from django.contrib.auth.models import AnonymousUser

    file_report()
    assert visible(AnonymousUser()) == set()
    supervisor.is_active = False
    assert visible(supervisor) == set()


def test_a_registered_grant_widens_what_a_person_may_read(operator, monkeypatch) -> None:
    first, second = file_report(description="First"), file_report(description="Second")
    monkeypatch.setattr(grants, "_GRANTS", list(grants.registered_grants()))
    assert visible(operator) == set()
    grants.register_grant(lambda user: Q(description="Second"))
    grants.register_grant(grants.registered_grants()[-1])  # registering twice changes nothing
    assert visible(operator) == {second}
    assert first not in visible(operator)


def test_without_grants_a_person_without_view_any_reads_nothing(operator, monkeypatch) -> None:
    file_report()
    assert do_get_work(operator) is not None
    monkeypatch.setattr(grants, "_GRANTS", [])
    assert visible(operator) == set()


def test_get_report_for_user_answers_404_403_or_the_report_with_one_access_event(
    operator, supervisor, hub
) -> None:
    report = file_report()
    with pytest.raises(Http404):
        get_report_for_user(supervisor, report.pk + 1000, "read report")
    with pytest.raises(PermissionDenied):
        get_report_for_user(operator, report.pk, "read report")
    assert not AccessEvent.objects.exists()  # a refused read is not a read
    assert get_report_for_user(supervisor, report.pk, "read report") == report
    event = AccessEvent.objects.get()
    assert (event.user, event.object_type, event.object_id, event.purpose) == (
        supervisor,
        "reports.report",
        str(report.pk),
        "read report",
    )
    do_restrict_report(supervisor, report, hub, "About a colleague")
    with pytest.raises(PermissionDenied):
        get_report_for_user(supervisor, report.pk, "read report")


def _access_inserts(queries: CaptureQueriesContext) -> list[str]:
    table = AccessEvent._meta.db_table
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'INSERT INTO "{table}"')
    ]


def test_a_page_of_reports_writes_its_access_events_in_one_insert(supervisor, hub) -> None:
    shown = [file_report() for _ in range(4)]
    hidden = file_report()
    do_restrict_report(supervisor, hidden, hub, "About a colleague")
    with CaptureQueriesContext(connection) as queries:
        listed = read_reports(supervisor, Report.objects.order_by("id"), "a list")
    assert listed == shown
    assert len(_access_inserts(queries)) == 1
    logged = AccessEvent.objects.filter(user=supervisor, purpose="a list")
    assert sorted(logged.values_list("object_id", flat=True)) == sorted(str(r.pk) for r in shown)
    assert restricted_not_shown(supervisor, Report.objects.all(), "pk") == 1


def test_anything_that_reveals_a_report_is_read_through_the_same_rule(
    operator, supervisor, safeguarding_officer, hub
) -> None:
    decisions = []
    for _ in range(3):
        file_report()
        item = do_get_work(operator)
        assert item is not None
        decisions.append(do_record_decision(operator, item, decision_input()))
    do_restrict_report(supervisor, decisions[0].report, hub, "About a colleague")
    rows = Decision.objects.order_by("id")
    with CaptureQueriesContext(connection) as queries:
        seen = read_related(supervisor, rows, "report", "decisions page")
    assert seen == decisions[1:]
    assert len(_access_inserts(queries)) == 1
    assert restricted_not_shown(supervisor, rows) == 1
    assert read_related(safeguarding_officer, rows, "report", "decisions page") == decisions
    # The operator's items are done: they hold nothing, so they read no decision.
    assert read_related(operator, rows, "report", "decisions page") == []


def test_the_report_page_follows_the_rule(client, operator, supervisor) -> None:
    report = file_report()
    member = do_create_user(TEST, "pat", PASSWORD, ["supervisor"], teams=["safeguarding-hub"])
    sign_in(client, operator)
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    sign_in(client, supervisor)
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 200
    do_restrict_report(supervisor, report, Team.objects.get(slug="safeguarding-hub"), "Staff")
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 403
    sign_in(client, member)
    assert client.get(f"/staff/reports/{report.pk}/").status_code == 200
