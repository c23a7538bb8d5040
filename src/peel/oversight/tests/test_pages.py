"""The auditor's pages: who may use them, what the searches find, the CSV export, the chain's
verification state, and that every use is itself access-logged."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peel.accounts.models import Team, User
from peel.accounts.testing import reauthenticate, sign_in
from peel.audit import log as audit
from peel.audit.actors import TEST, Robot
from peel.audit.models import AccessEvent, AuditEvent, ChainVerification
from peel.audit.verification import run_waiting
from peel.process.testing import file_report
from peel.reports.access import get_report_for_user
from peel.reports.actions import do_restrict_report
from peel.reports.drafts import PersonDraft
from peel.reports.models import Report
from peel.workqueue.actions import do_get_work

pytestmark = pytest.mark.django_db

SEARCH = reverse("oversight-search")
EXPORT = reverse("oversight-export")
VERIFY = reverse("oversight-verify")


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user("ada", "auditor")


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        sign_in(client, user)
    return client


def _someone_else() -> list[PersonDraft]:
    return [PersonDraft(roles=["personReporting", "victim"], given_name="Bo", family_name="Lind")]


def _event_ids(response) -> list[int]:  # type: ignore[no-untyped-def]
    return [row.event.pk for row in response.context["rows"]]


def test_only_the_auditor_role_may_use_the_pages(
    auditor: User, operator: User, supervisor: User, analyst: User
) -> None:
    event = AuditEvent.objects.last()
    assert event is not None
    event_page = reverse("oversight-event", args=[event.pk])
    for user in (operator, supervisor, analyst):
        client = _client(user)
        for url in (SEARCH, f"{SEARCH}?log=audit", f"{EXPORT}?log=audit", event_page):
            assert client.get(url).status_code == 403, (user, url)
        assert client.post(VERIFY).status_code == 403
    anonymous = _client(None)
    for url in (SEARCH, f"{EXPORT}?log=audit", event_page):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    auditor_client = _client(auditor)
    assert auditor_client.get(SEARCH).status_code == 200
    assert auditor_client.get(event_page).status_code == 200
    assert not ChainVerification.objects.exists()  # nobody without the permission asked
    # The nav shows the pages to the auditor only.
    assert b">Audit</a>" in auditor_client.get(reverse("staff-home")).content
    assert b">Audit</a>" not in _client(supervisor).get(reverse("staff-home")).content


def test_who_looked_at_this_person_finds_the_reads_of_their_reports_and_nothing_else(
    auditor: User, supervisor: User
) -> None:
    hers = file_report()  # Amira Khan
    other = file_report(people=_someone_else())
    get_report_for_user(supervisor, hers.pk, "review")
    get_report_for_user(supervisor, other.pk, "review")
    since = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    response = _client(auditor).get(SEARCH, {"log": "access", "person": "khan", "since": since})
    assert response.status_code == 200
    rows = [row.event for row in response.context["rows"]]
    assert [(a.user_id, a.object_type, a.object_id) for a in rows] == [
        (supervisor.pk, "reports.report", str(hers.pk))
    ]
    page = response.content.decode()
    assert "Amira Khan" in page and hers.reference in page
    assert other.reference not in page


def test_everything_one_operator_did_on_a_day(
    auditor: User, operator: User, other_operator: User
) -> None:
    file_report()
    file_report()
    mine = do_get_work(operator)
    theirs = do_get_work(other_operator)
    assert mine is not None and theirs is not None
    User.objects.filter(pk=operator.pk).update(collar_number="4471")
    today = timezone.localdate()
    client = _client(auditor)
    for who in ("olivia", "4471"):
        response = client.get(SEARCH, {"log": "audit", "user": who, "since": today, "until": today})
        events = AuditEvent.objects.filter(pk__in=_event_ids(response))
        assert {e.actor_id for e in events} == {operator.pk}
        assert ("work.allocated", str(mine.pk)) in {(e.action, e.object_id) for e in events}
        assert "A work item was handed to a member of staff." in response.content.decode()
    yesterday = today - timezone.timedelta(days=1)
    response = client.get(
        SEARCH, {"log": "audit", "user": "olivia", "since": yesterday, "until": yesterday}
    )
    assert _event_ids(response) == []


def test_a_reports_whole_trail_by_reference_and_by_action(auditor: User, operator: User) -> None:
    report = file_report()
    file_report(people=_someone_else())
    item = do_get_work(operator)
    assert item is not None and item.report_id == report.pk
    client = _client(auditor)
    events = AuditEvent.objects.filter(
        pk__in=_event_ids(client.get(SEARCH, {"log": "audit", "report": report.reference}))
    )
    # The report's own events and those of rows that belong to it (its work item, submission).
    kinds = {e.object_type for e in events}
    assert {"reports.report", "workqueue.workitem"} <= kinds
    assert ("workqueue.workitem", str(item.pk)) in {(e.object_type, e.object_id) for e in events}
    response = client.get(SEARCH, {"log": "audit", "action": "work.allocated"})
    assert {AuditEvent.objects.get(pk=pk).action for pk in _event_ids(response)} == {
        "work.allocated"
    }


def test_every_use_of_the_pages_is_access_logged_with_its_query(auditor: User) -> None:
    report = file_report()
    client = _client(auditor)
    reauthenticate(client, auditor)  # exporting needs it
    start = AccessEvent.objects.last().pk if AccessEvent.objects.exists() else 0  # type: ignore[union-attr]
    client.get(SEARCH, {"log": "audit", "person": "Khan"})
    client.get(EXPORT, {"log": "access", "report": report.reference})
    event = AuditEvent.objects.filter(object_type="reports.report").last()
    assert event is not None
    client.get(reverse("oversight-event", args=[event.pk]))
    client.post(VERIFY)
    logged = list(AccessEvent.objects.filter(pk__gt=start, user=auditor))
    uses = [(a.purpose, a.query) for a in logged if a.object_type == "audit.search"]
    assert uses == [
        ("audit search", "log=audit&person=Khan&page=1"),
        ("audit export", f"log=access&report={report.reference}"),
        ("audit event view", f"event={event.pk}"),
        ("audit verification requested", f"verification={ChainVerification.objects.get().pk}"),
    ]
    # The auditor's look is logged against the person and report too: "who looked at Amira
    # Khan" finds the auditor.
    looked_at = {(a.purpose, a.object_type, a.object_id) for a in logged}
    person = report.involvements.first().person  # type: ignore[union-attr]
    assert ("audit search", "reports.person", str(person.pk)) in looked_at
    assert ("audit search", "reports.report", str(report.pk)) in looked_at
    assert ("audit export", "reports.report", str(report.pk)) in looked_at


def test_the_csv_export_holds_every_matching_row_with_descriptions(
    auditor: User, operator: User
) -> None:
    report = file_report()
    with transaction.atomic():
        audit.record(Robot("=HYPERLINK(evil)"), "work.task_note", report, after={"n": 1})
    client = _client(auditor)
    reauthenticate(client, auditor)  # exporting needs it
    response = client.get(EXPORT, {"log": "audit", "report": report.reference})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(body)))
    expected = AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
    assert {int(r["id"]) for r in rows} >= set(expected.values_list("pk", flat=True))
    created = next(r for r in rows if r["action"] == "report.created")
    assert created["description"].startswith("A report was created")
    assert created["actor"] == "test"
    note = next(r for r in rows if r["action"] == "work.task_note")
    assert note["actor"] == "'=HYPERLINK(evil)"  # a spreadsheet shows it, never runs it


def test_rows_about_a_report_restricted_from_the_auditor_are_only_counted(
    auditor: User, supervisor: User
) -> None:
    hidden = file_report()
    team = Team.objects.create(slug="professional-standards", name="Professional standards")
    do_restrict_report(TEST, hidden, team, "About a colleague")
    client = _client(auditor)
    for log in ("audit", "access"):
        response = client.get(SEARCH, {"log": log})
        page = response.content.decode()
        assert hidden.reference not in page
        assert "Amira" not in page and "Khan" not in page
    response = client.get(SEARCH, {"log": "audit"})
    assert response.context["found"].restricted_left_out >= 2  # created, restricted, ...
    assert "about restricted reports not shown" in response.content.decode()
    response = client.get(SEARCH, {"log": "audit", "report": hidden.reference})
    assert _event_ids(response) == []
    event = AuditEvent.objects.get(action="report.restricted")
    assert client.get(reverse("oversight-event", args=[event.pk])).status_code == 404
    reauthenticate(client, auditor)  # exporting needs it
    csv_body = b"".join(client.get(EXPORT, {"log": "audit"}).streaming_content).decode()  # type: ignore[attr-defined]
    assert hidden.reference not in csv_body and "Khan" not in csv_body


def test_the_chain_state_is_shown_and_the_auditor_can_ask_for_a_check(auditor: User) -> None:
    file_report()
    client = _client(auditor)
    assert "has not been verified yet" in client.get(SEARCH).content.decode()
    response = client.post(VERIFY)
    assert response.status_code == 302
    asked = ChainVerification.objects.get()
    assert (asked.state, asked.requested_by) == ("waiting", "ada")
    assert run_waiting() == 1  # what the worker's verifier thread does
    asked.refresh_from_db()
    total = AuditEvent.objects.count()
    assert (asked.state, asked.checked) == ("intact", total)
    page = client.get(SEARCH).content.decode()
    assert "Intact" in page and f"{total} events verified" in page
    assert run_waiting() == 0  # not due again for a day


def test_peel_audit_verify_keeps_its_result_for_the_page(auditor: User) -> None:
    file_report()
    call_command("audit", "verify", stdout=io.StringIO())
    last = ChainVerification.objects.get()
    assert (last.state, last.requested_by) == ("intact", "peel audit verify")
    assert last.checked == AuditEvent.objects.count()


def test_free_text_in_an_event_is_escaped(auditor: User) -> None:
    report = file_report()
    with transaction.atomic():
        event = audit.record(
            TEST, "work.task_note", report, after={"note": "<script>alert(1)</script>"}
        )
    page = _client(auditor).get(reverse("oversight-event", args=[event.pk])).content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_an_unknown_reference_or_a_bad_object_is_a_message_not_an_error(auditor: User) -> None:
    client = _client(auditor)
    response = client.get(SEARCH, {"log": "audit", "report": "NOPE-1"})
    assert "No report you may see has that reference." in response.content.decode()
    response = client.get(SEARCH, {"log": "audit", "object": "not an object"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert Report.objects.count() == 0


def test_results_come_a_page_at_a_time_newest_first(
    auditor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("peel.oversight.views.PAGE_SIZE", 2)
    file_report()
    client = _client(auditor)
    newest = list(AuditEvent.objects.order_by("-id").values_list("pk", flat=True))
    assert len(newest) > 4
    first = client.get(SEARCH, {"log": "audit"})
    assert _event_ids(first) == newest[:2]
    assert first.context["previous_page"] is None
    assert first.context["next_page"] == "log=audit&page=2"
    second = client.get(f"{SEARCH}?{first.context['next_page']}")
    assert _event_ids(second) == newest[2:4]
    assert second.context["previous_page"] == "log=audit&page=1"


def test_an_account_changed_in_the_admin_is_named_by_its_username(
    auditor: User, operator: User
) -> None:
    """Found by a new user: the results named the account only as "accounts.user 2"."""
    team = Team.objects.create(slug="hub-x", name="Hub X")
    with transaction.atomic():
        audit.record(TEST, "admin.members_changed", operator, after={"relation": "teams"})
        audit.record(TEST, "admin.changed", team, after={"name": "Hub X"})
    response = _client(auditor).get(SEARCH, {"log": "audit", "action": "admin.members_changed"})
    labels = [row.object_label for row in response.context["rows"]]
    assert labels == [f"{operator.username} (user {operator.pk})"]
    response = _client(auditor).get(SEARCH, {"log": "audit", "action": "admin.changed"})
    assert [row.object_label for row in response.context["rows"]] == [f"Hub X (team {team.pk})"]
