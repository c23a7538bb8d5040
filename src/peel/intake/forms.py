"""The public online crime report: a short version of the national form (SOH)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.utils import timezone

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.reports.drafts import LocationDraft, PersonDraft, ReportDraft, VehicleDraft

YES_NO_UNKNOWN = [("yes", "Yes"), ("no", "No"), ("unknown", "I don't know")]
OFFENCE_HINTS = [
    ("", "Choose the closest"),
    ("Theft", "Theft"),
    ("Burglary", "Burglary (someone entered a building)"),
    ("Vehicle crime", "Vehicle crime"),
    ("Bicycle theft", "Bicycle theft"),
    ("Criminal damage", "Criminal damage"),
    ("Violence", "Assault or violence"),
    ("Harassment", "Harassment or threats"),
    ("Fraud", "Fraud"),
    ("Other", "Something else"),
]


def _yes_no(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=YES_NO_UNKNOWN, widget=forms.RadioSelect)


def _as_bool(answer: str) -> bool | None:
    return {"yes": True, "no": False}.get(answer)


class PublicReportForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)

    # Risk first: these decide how fast a person looks at the report.
    immediate_danger = _yes_no("Is anyone in immediate danger?")
    still_happening = _yes_no("Is it still happening?")
    weapon_involved = _yes_no("Was a weapon involved or mentioned?")
    victim_under_18 = _yes_no("Is the victim under 18?")
    victim_vulnerable = _yes_no(
        "Is the victim vulnerable (for example through illness, disability, age or abuse)?"
    )

    how_involved = forms.ChoiceField(
        label="How are you involved?", choices=HowInvolved.choices, widget=forms.RadioSelect
    )
    given_name = forms.CharField(label="Your first name", max_length=80)
    family_name = forms.CharField(label="Your last name", max_length=80)
    email = forms.EmailField(label="Your email address", max_length=120)
    phone = forms.CharField(label="Your phone number (optional)", max_length=30, required=False)
    victim_given_name = forms.CharField(
        label="Victim's first name (if you are reporting for someone else)",
        max_length=80, required=False,
    )  # fmt: skip
    victim_family_name = forms.CharField(label="Victim's last name", max_length=80, required=False)

    offence_hint = forms.ChoiceField(label="What kind of crime was it?", choices=OFFENCE_HINTS)
    description = forms.CharField(
        label="What happened?",
        help_text="Tell us in your own words. Include anything that could help find who did it.",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    occurred_date = forms.DateField(
        label="When did it happen?", widget=forms.DateInput(attrs={"type": "date"})
    )
    occurred_time = forms.TimeField(
        label="At what time (if you know)?",
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}),
    )
    address_line = forms.CharField(label="Where did it happen? Street address", max_length=200)
    town = forms.CharField(label="Town or city", max_length=80)
    postcode = forms.CharField(label="Postcode", max_length=10)

    suspect_known = forms.ChoiceField(
        label="Do you know who did it?", choices=SuspectKnown.choices, widget=forms.RadioSelect
    )
    suspect_given_name = forms.CharField(
        label="Suspect's first name (if known)", max_length=80, required=False
    )
    suspect_family_name = forms.CharField(
        label="Suspect's last name (if known)", max_length=80, required=False
    )
    suspect_description = forms.CharField(
        label="Describe the suspect (if you can)",
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    vehicle_vrm = forms.CharField(
        label="Registration of any vehicle involved (optional)", max_length=12, required=False
    )

    @classmethod
    def blank(cls) -> PublicReportForm:
        return cls(initial={"submission_token": uuid.uuid4()})

    def clean_postcode(self) -> str:
        return self._identifier("postcode", normalise_postcode)

    def clean_phone(self) -> str:
        return self._identifier("phone", normalise_phone)

    def clean_vehicle_vrm(self) -> str:
        return self._identifier("vehicle_vrm", normalise_vrm)

    def _identifier(self, name: str, normalise: Any) -> str:
        value = self.cleaned_data.get(name, "").strip()
        if not value:
            return ""
        try:
            return str(normalise(value))
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_occurred_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["occurred_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date cannot be in the future.")
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("how_involved") == HowInvolved.ON_BEHALF_OF_VICTIM and not (
            data.get("victim_given_name") or data.get("victim_family_name")
        ):
            self.add_error("victim_given_name", "Tell us the victim's name.")
        return data

    def to_draft(self) -> ReportDraft:
        d = self.cleaned_data
        occurred = None
        if d["occurred_date"]:
            occurred = timezone.make_aware(
                dt.datetime.combine(d["occurred_date"], d.get("occurred_time") or dt.time(12, 0))
            )
        reporter_roles = [Role.PERSON_REPORTING.value]
        if d["how_involved"] == HowInvolved.VICTIM:
            reporter_roles.append(Role.VICTIM.value)
        elif d["how_involved"] == HowInvolved.WITNESS:
            reporter_roles.append(Role.WITNESS.value)
        people = [
            PersonDraft(
                roles=reporter_roles,
                given_name=d["given_name"],
                family_name=d["family_name"],
                email=d["email"],
                phone=d["phone"],
            )
        ]
        if d["how_involved"] == HowInvolved.ON_BEHALF_OF_VICTIM:
            people.append(
                PersonDraft(
                    roles=[Role.VICTIM.value],
                    given_name=d["victim_given_name"],
                    family_name=d["victim_family_name"],
                )
            )
        if d["suspect_known"] != SuspectKnown.UNKNOWN or d["suspect_description"]:
            known = d["suspect_known"] == SuspectKnown.KNOWN
            people.append(
                PersonDraft(
                    roles=[(Role.KNOWN_SUSPECT if known else Role.UNKNOWN_SUSPECT).value],
                    given_name=d["suspect_given_name"],
                    family_name=d["suspect_family_name"],
                    description=d["suspect_description"],
                )
            )
        return ReportDraft(
            how_involved=d["how_involved"],
            description=d["description"],
            suspect_known=d["suspect_known"],
            offence_hint=d["offence_hint"],
            occurred_from=occurred,
            immediate_danger=_as_bool(d["immediate_danger"]),
            still_happening=_as_bool(d["still_happening"]),
            weapon_involved=_as_bool(d["weapon_involved"]),
            victim_under_18=_as_bool(d["victim_under_18"]),
            victim_vulnerable=_as_bool(d["victim_vulnerable"]),
            location=LocationDraft(
                address_line=d["address_line"], town=d["town"], postcode=d["postcode"]
            ),
            people=people,
            vehicles=[VehicleDraft(vrm=d["vehicle_vrm"])] if d["vehicle_vrm"] else [],
        )
