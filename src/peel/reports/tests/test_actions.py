"""The canonical report's actions: a draft becomes rows with nothing lost, and every change to a
report (status, restriction) is audited in the same transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from peel.accounts.models import Team
from peel.audit.models import AuditEvent
from peel.process.testing import file_report, make_draft
from peel.reports.actions import do_create_report, do_restrict_report, do_set_report_status
from peel.reports.choices import Channel, ReportStatus, Role
from peel.reports.drafts import ItemDraft, LocationDraft, PersonDraft, ReportDraft, VehicleDraft
from peel.reports.models import Report
from peel.workqueue.models import WorkItem, WorkStatus

pytestmark = pytest.mark.django_db

# Draft fields kept in their own rows, checked one by one below; every other field is a column.
NESTED = {"location", "people", "vehicles", "items"}
CONTACT = {
    "contact_email": "email_ok", "contact_phone": "phone_ok", "contact_post": "post_ok",
    "contact_times": "safe_times", "contact_others_may_read": "others_may_read",
}  # fmt: skip


def full_draft() -> ReportDraft:
    """A draft with a value (not a default) in every field, so a field dropped shows."""
    when = dt.datetime(2026, 7, 14, 21, 0, tzinfo=dt.UTC)
    return make_draft(
        how_involved="witness", description="Two men forced the shop door at night.",
        suspect_known="described", offence_hint="Burglary",
        occurred_from=when, occurred_to=when + dt.timedelta(hours=1),
        occurred_given={"incidentDate": "2026-07-14", "incidentTime": "10pm"},
        occurred_precision="range",
        immediate_danger=False, still_happening=False, weapon_involved=True,
        victim_under_18=False, victim_vulnerable=True, hate_crime=False,
        threat_or_assault=True, physically_assaulted=False, child_present=False,
        drugs_or_alcohol=True, customer_reference="CR-123", category="Burglary",
        high_harm=True,
        other_information=[{"section": "Shop", "label": "Alarm", "value": "It did not ring"}],
        flags=["Postcode and town disagree"],
        location=LocationDraft("12 Kirkgate", "Leeds", "LS2 7DJ", "The back door"),
        people=[
            PersonDraft(
                roles=[Role.PERSON_REPORTING, Role.WITNESS], given_name="Rhys", family_name="Owen",
                date_of_birth=dt.date(1990, 2, 3), email="Rhys.Owen@Example.org",
                phone="+447700900123", vulnerabilities=["riskOfSelfHarm"],
            ),
            PersonDraft(roles=[Role.UNKNOWN_SUSPECT], description="Tall, grey hoodie"),
        ],
        vehicles=[VehicleDraft("AB12CDE", "White van")],
        items=[ItemDraft("bicycle", "stolen", "Raleigh", {"serial": "X1"}, "350")],
        contact_email=False, contact_phone=True, contact_post=False,
        contact_times="Weekdays 9am to 5pm", contact_others_may_read=True,
    )  # fmt: skip


def test_a_report_created_from_a_draft_keeps_every_field(operator: Any) -> None:
    draft = full_draft()
    received = timezone.now()
    report = do_create_report(operator, draft, Channel.API, received)
    report = Report.objects.get(pk=report.pk)  # as stored, not as held in memory
    defaults = ReportDraft("", "", "")
    for field in dataclasses.fields(ReportDraft):
        value = getattr(draft, field.name)
        assert value != getattr(defaults, field.name), f"give {field.name} a value in full_draft()"
        if field.name in NESTED:
            continue
        if field.name in CONTACT:
            assert getattr(report.contact_preference, CONTACT[field.name]) == value, field.name
        else:
            assert getattr(report, field.name) == value, field.name
    assert (report.channel, report.received_at) == (Channel.API, received)
    assert report.reference.startswith(f"PEEL-{received:%y%m%d}-")
    assert report.location is not None
    assert dataclasses.asdict(draft.location) == {
        k: getattr(report.location, k) for k in ("address_line", "town", "postcode", "description")
    }
    people = {
        (link.person.given_name, link.person.family_name, link.role)
        for link in report.involvements.select_related("person")
    }
    assert people == {
        ("Rhys", "Owen", "personReporting"), ("Rhys", "Owen", "witness"), ("", "", "unknownSuspect")
    }  # fmt: skip
    rhys = report.involvements.get(role=Role.WITNESS).person
    assert rhys.email == "rhys.owen@example.org"  # lower case: matched exactly later
    assert (rhys.date_of_birth, rhys.phone) == (dt.date(1990, 2, 3), "+447700900123")
    assert rhys.vulnerabilities == ["riskOfSelfHarm"]
    suspect = report.involvements.get(role=Role.UNKNOWN_SUSPECT).person
    assert suspect.description == "Tall, grey hoodie"
    assert [(v.vrm, v.description) for v in report.vehicles.all()] == [("AB12CDE", "White van")]
    item = report.items.get()
    assert (item.kind, item.link_reason, item.description, item.identifiers, item.value) == (
        "bicycle", "stolen", "Raleigh", {"serial": "X1"}, "350",
    )  # fmt: skip


def test_creating_a_report_is_audited_with_the_whole_draft(operator: Any) -> None:
    draft = full_draft()
    report = do_create_report(operator, draft, Channel.API, timezone.now())
    event = AuditEvent.objects.get(action="report.created")
    assert event.object_id == str(report.pk)
    assert event.after["channel"] == "api" and event.after["description"] == draft.description
    assert event.after["people"][0]["given_name"] == "Rhys"


def test_a_report_is_not_half_written_when_its_transaction_fails(operator: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        do_create_report(operator, full_draft(), Channel.WEB, timezone.now())
        raise RuntimeError("the caller's next step failed")
    assert Report.objects.count() == 0
    assert not AuditEvent.objects.filter(action="report.created").exists()


def test_a_status_change_is_audited_once_and_a_repeat_is_not(operator: Any) -> None:
    report = file_report()
    do_set_report_status(operator, report, ReportStatus.DECIDED)
    do_set_report_status(operator, report, ReportStatus.DECIDED)
    report.refresh_from_db()
    assert report.status == ReportStatus.DECIDED
    events = AuditEvent.objects.filter(action="report.status_changed")
    assert [(e.before, e.after) for e in events] == [
        ({"status": "received"}, {"status": "decided"})
    ]


def test_restricting_a_report_moves_its_waiting_work_to_the_team_and_is_audited(
    supervisor: Any,
) -> None:
    waiting = file_report()
    hub = Team.objects.get(slug="safeguarding-hub")
    do_restrict_report(supervisor, waiting, hub, "About a colleague")
    waiting.refresh_from_db()
    assert waiting.restricted_to == hub
    assert WorkItem.objects.get(report=waiting, status=WorkStatus.QUEUED).team == hub
    event = AuditEvent.objects.get(action="report.restricted")
    assert event.object_id == str(waiting.pk)
    assert event.before == {"restricted_to": None}
    assert event.after == {"restricted_to": hub.pk, "reason": "About a colleague"}


def test_a_restriction_needs_a_reason_and_can_be_lifted(supervisor: Any) -> None:
    report = file_report()
    hub = Team.objects.get(slug="safeguarding-hub")
    with pytest.raises(ValueError, match="reason"):
        do_restrict_report(supervisor, report, hub, "  ")
    report.refresh_from_db()
    assert report.restricted_to is None
    do_restrict_report(supervisor, report, hub, "Staff member involved")
    do_restrict_report(supervisor, report, None, "Investigation closed")
    report.refresh_from_db()
    assert report.restricted_to is None
    lifted = AuditEvent.objects.filter(action="report.restricted").order_by("pk").last()
    assert lifted is not None and lifted.after["restricted_to"] is None
