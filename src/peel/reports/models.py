"""The canonical report: one incident with its people, place and vehicles (POLE).

Every channel (web form, Standard API, email) is turned into these rows by intake, so triage,
the work queue and review never need to know where a report came from.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from peel.reports.choices import (
    Channel,
    HowInvolved,
    OccurredPrecision,
    ReportStatus,
    Role,
    SuspectKnown,
)
from peel.reports.grants import team_rule, visibility


class Location(models.Model):
    address_line = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=8, blank=True, db_index=True)  # canonical "LS1 4AP"
    description = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address_line, self.town, self.postcode) if p)


class ReportQuerySet(models.QuerySet["Report"]):
    def visible_to(self, user: Any) -> ReportQuerySet:
        """The reports this person may read (see grants.py): every list and page starts here.
        Per-object reads go through `reports.access`, which also logs them."""
        return self.filter(visibility(user))

    def not_restricted_from(self, user: Any) -> ReportQuerySet:
        """Only the team restriction: for what the report in hand shows of others (its linked
        history, its possible duplicates), whose reader may already read the report in hand."""
        return self.filter(team_rule(user))


class Report(models.Model):
    reference = models.CharField(max_length=24, unique=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=20, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    how_involved = models.CharField(max_length=30, choices=HowInvolved.choices)
    offence_hint = models.CharField(max_length=80, blank=True)  # what the reporter says it was
    description = models.TextField()  # the reporter's own words: untrusted, always escaped
    occurred_from = models.DateTimeField(null=True, blank=True)
    occurred_to = models.DateTimeField(null=True, blank=True)
    # When, as the reporter gave it: the SDM attributes verbatim ("10pm", an ISO time with its
    # offset). occurred_from/_to are what Peel derived; with precision "date" they hold the day
    # only and no screen or record may show a time of day.
    occurred_given = models.JSONField(default=dict, blank=True)
    occurred_precision = models.CharField(
        max_length=8, choices=OccurredPrecision.choices, blank=True
    )
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT)
    suspect_known = models.CharField(max_length=10, choices=SuspectKnown.choices)
    # Risk questions: True yes, False no, None "don't know".
    immediate_danger = models.BooleanField(null=True)
    still_happening = models.BooleanField(null=True)
    weapon_involved = models.BooleanField(null=True)
    victim_under_18 = models.BooleanField(null=True)
    victim_vulnerable = models.BooleanField(null=True)
    hate_crime = models.BooleanField(null=True)
    threat_or_assault = models.BooleanField(null=True)
    physically_assaulted = models.BooleanField(null=True)
    child_present = models.BooleanField(null=True)
    drugs_or_alcohol = models.BooleanField(null=True)
    # From the national submission (SDM submission entity).
    customer_reference = models.CharField(max_length=40, blank=True, db_index=True)
    category = models.CharField(max_length=40, blank=True)
    high_harm = models.BooleanField(null=True)
    # What the reporter gave that no canonical field holds, verbatim: [{section, label, value}]
    # (see sdm/destinations.py). Untrusted public text, always escaped.
    other_information = models.JSONField(default=list, blank=True)
    # Plain sentences for the operator: sources that disagree, values that could not be used.
    flags = models.JSONField(default=list, blank=True)
    # A sensitive report (about a colleague, say) is seen only by this team's members.
    restricted_to = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set while this report is merged into another report of the same incident.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_reports"
    )

    objects = ReportQuerySet.as_manager()

    class Meta:
        permissions = [
            ("view_any_report", "Can read any report, not only the one in hand"),
            ("restrict_report", "Can restrict a report to one team"),
        ]

    def __str__(self) -> str:
        return self.reference


class Person(models.Model):
    given_name = models.CharField(max_length=80, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(null=True, blank=True, db_index=True)
    email = models.EmailField(max_length=120, blank=True, db_index=True)  # lower case
    phone = models.CharField(max_length=20, blank=True, db_index=True)  # E.164
    description = models.TextField(blank=True)  # for people the reporter can only describe
    vulnerabilities = models.JSONField(default=list, blank=True)  # SDM questions answered yes

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "Unknown person"


class Involvement(models.Model):
    """One typed link between the incident and a person (SDM link reason)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="involvements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="involvements")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "person", "role"], name="one_link_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class Vehicle(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="vehicles")
    vrm = models.CharField(max_length=11, db_index=True)  # no spaces (POLE DS_065)
    description = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.vrm


class Item(models.Model):
    """An object linked to the incident: stolen or damaged property, a weapon, evidence."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=30)  # SDM object kind (vehicle, mobile, bankCard, ...)
    link_reason = models.CharField(max_length=30)  # SDM link reason (stolen, damaged, ...)
    description = models.CharField(max_length=500, blank=True)
    identifiers = models.JSONField(default=dict, blank=True)  # never a full card number
    value = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"{self.kind} ({self.link_reason})"


class ContactPreference(models.Model):
    """How the person reporting may safely be contacted about this report.

    Asked on the public form and read from the national document (person contactPreference,
    CPNC codes). None means it was not said. Every message Peel sends the reporter is checked
    against it in one place (notifications.actions); operators see it at the top of the report.
    """

    report = models.OneToOneField(
        Report, on_delete=models.CASCADE, related_name="contact_preference"
    )
    email_ok = models.BooleanField(null=True)
    phone_ok = models.BooleanField(null=True)
    post_ok = models.BooleanField(null=True)  # only the national document states this
    safe_times = models.CharField(max_length=200, blank=True)  # the reporter's own words
    others_may_read = models.BooleanField(null=True)  # someone else may read or hear messages

    def __str__(self) -> str:
        return f"Contact preference for {self.report}"
