from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from peel.audit import log as audit
from peel.audit.actors import Actor
from peel.notifications.actions import do_queue_email
from peel.notifications.messages import REPORTER_MESSAGES
from peel.notifications.models import OutboundEmail
from peel.reports.choices import ReportStatus, Role
from peel.reports.drafts import ReportDraft
from peel.reports.models import (
    ContactPreference,
    Involvement,
    Item,
    Location,
    Person,
    Report,
    Vehicle,
)

# No 0/O or 1/I: references are read out over the phone.
_REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def new_reference(received_at: datetime) -> str:
    suffix = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
    return f"PEEL-{received_at:%y%m%d}-{suffix}"


def do_create_report(
    actor: Actor, draft: ReportDraft, channel: str, received_at: datetime
) -> Report:
    """Write a draft as a canonical report with its people, place and vehicles."""
    with transaction.atomic():
        location = None
        if draft.location is not None:
            location = Location.objects.create(**draft.location.__dict__)
        fields = {
            name: getattr(draft, name)
            for name in (
                "how_involved", "description", "suspect_known", "offence_hint",
                "occurred_from", "occurred_to", "occurred_given", "occurred_precision",
                "immediate_danger", "still_happening",
                "weapon_involved", "victim_under_18", "victim_vulnerable", "hate_crime",
                "threat_or_assault", "physically_assaulted", "child_present", "drugs_or_alcohol",
                "customer_reference", "category", "high_harm", "other_information", "flags",
            )
        }  # fmt: skip
        for _attempt in range(5):  # a reference collision is ~1 in 10^9; retry, never fail
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        reference=new_reference(received_at),
                        channel=channel,
                        received_at=received_at,
                        location=location,
                        **fields,
                    )
                break
            except IntegrityError:
                continue
        else:
            raise RuntimeError("Could not allocate a unique report reference.")
        for person_draft in draft.people:
            data = {k: v for k, v in person_draft.__dict__.items() if k != "roles"}
            data["email"] = data["email"].strip().lower()  # matched exactly by triage history
            person = Person.objects.create(**data)
            Involvement.objects.bulk_create(
                Involvement(report=report, person=person, role=role) for role in person_draft.roles
            )
        Vehicle.objects.bulk_create(
            Vehicle(report=report, vrm=v.vrm, description=v.description) for v in draft.vehicles
        )
        Item.objects.bulk_create(Item(report=report, **item.__dict__) for item in draft.items)
        ContactPreference.objects.create(
            report=report, email_ok=draft.contact_email, phone_ok=draft.contact_phone,
            post_ok=draft.contact_post, safe_times=draft.contact_times.strip()[:200],
            others_may_read=draft.contact_others_may_read,
        )  # fmt: skip
        audit.record(actor, "report.created", report, after={"channel": channel, **draft.as_dict()})
    return report


def do_set_report_status(actor: Actor, report: Report, status: ReportStatus) -> None:
    with transaction.atomic():
        before = report.status
        if before == status:
            return
        report.status = status
        report.save(update_fields=["status"])
        audit.record(actor, "report.status_changed", report, {"status": before}, {"status": status})


# Called, in the same transaction, after a report's restriction changes: apps above reports
# register here in their AppConfig.ready() (the work queue routes the report's open work to the
# restricting team). Each is `follower(actor, report, reason)` and audits what it changes.
RestrictionFollower = Callable[[Actor, Report, str], object]
_RESTRICTION_FOLLOWERS: list[RestrictionFollower] = []


def follow_restrictions(follower: RestrictionFollower) -> RestrictionFollower:
    if follower not in _RESTRICTION_FOLLOWERS:
        _RESTRICTION_FOLLOWERS.append(follower)
    return follower


def do_restrict_report(actor: Actor, report: Report, team: Any, reason: str) -> None:
    """Make a report visible only to one team (a report about a colleague, say), or lift the
    restriction with team=None. Its open work follows (see the registered followers)."""
    if not reason.strip():
        raise ValueError("Give a reason: it is kept in the audit log.")
    with transaction.atomic():
        before = {"restricted_to": report.restricted_to_id}
        report.restricted_to = team
        report.save(update_fields=["restricted_to"])
        audit.record(
            actor, "report.restricted", report, before,
            {"restricted_to": report.restricted_to_id, "reason": reason.strip()},
        )  # fmt: skip
        for follower in _RESTRICTION_FOLLOWERS:
            follower(actor, report, reason.strip())


def reporter_email(report: Report) -> str:
    person = (
        report.involvements.filter(role=Role.PERSON_REPORTING).exclude(person__email="").first()
    )
    return person.person.email if person else ""


def do_message_reporter(
    actor: Actor, report: Report, purpose: str, *, status_url: str = ""
) -> OutboundEmail | None:
    """Send the reporter one of the registered messages (notifications/messages.py), if they
    gave an address and it is safe to use. None when nothing is sent (the outbox audits a
    withheld message: contact.withhold_from_reporter is one of its rules)."""
    message = REPORTER_MESSAGES.get(purpose)
    if message is None:
        raise ValueError(f"'{purpose}' is not a registered reporter message (messages.py).")
    to = reporter_email(report)
    if not to:
        return None
    subject, body = message.render(report.reference, status_url)
    return do_queue_email(actor, to=to, subject=subject, body=body, purpose=purpose, about=report)
