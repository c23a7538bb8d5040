"""The public online crime report: a short version of the national form (SOH)."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.sdm.builder import SdmBuilder
from peel.sdm.mapping import HOW_INVOLVED, SUSPECT_KNOWN

INVOLVEMENT_CODES = {value: code for code, value in HOW_INVOLVED.items()}
SUSPECT_CODES = {value: code for code, value in SUSPECT_KNOWN.items()}

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


def _names(text: str) -> list[str] | None:
    """SDM givenName is a list of names."""
    return text.split() or None


def _as_bool(answer: str) -> bool | None:
    return {"yes": True, "no": False}.get(answer)


FORM_SALT = "peel.public-form.started"


class PublicReportForm(forms.Form):
    submission_token = forms.UUIDField(widget=forms.HiddenInput)
    # When the form was shown, signed: a "person" who answers in under a few seconds is a bot.
    started = forms.CharField(widget=forms.HiddenInput)
    # A field people never see or fill (hidden by CSS, skipped by keyboard and screen readers).
    website = forms.CharField(
        required=False, label="Leave this empty",
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )  # fmt: skip

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
    given_name = forms.CharField(label="Your first name", max_length=35)
    family_name = forms.CharField(label="Your last name", max_length=35)
    email = forms.EmailField(label="Your email address", max_length=120)
    phone = forms.CharField(label="Your phone number (optional)", max_length=30, required=False)
    victim_given_name = forms.CharField(
        label="Victim's first name (if you are reporting for someone else)",
        max_length=80, required=False,
    )  # fmt: skip
    victim_family_name = forms.CharField(label="Victim's last name", max_length=35, required=False)

    offence_hint = forms.ChoiceField(label="What kind of crime was it?", choices=OFFENCE_HINTS)
    description = forms.CharField(
        label="What happened?",
        help_text="Tell us in your own words. Include anything that could help find who did it.",
        max_length=4000,
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
    address_line = forms.CharField(label="Where did it happen? Street address", max_length=160)
    town = forms.CharField(label="Town or city", max_length=35)
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

    email_receipt = forms.ChoiceField(
        label="Is it safe for us to email you about this report?",
        help_text="If someone else reads your email, choose No. We will not email you.",
        choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect,
    )  # fmt: skip

    @classmethod
    def blank(cls) -> PublicReportForm:
        started = signing.dumps({"t": time.time()}, salt=FORM_SALT)
        return cls(initial={"submission_token": uuid.uuid4(), "started": started})

    def looks_automated(self) -> str:
        """Why this submission looks like a bot's, or "" (call after is_valid)."""
        if self.data.get("website"):
            return "filled the hidden field"
        try:
            started = float(
                signing.loads(self.data.get("started", ""), salt=FORM_SALT, max_age=86400)["t"]
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            return "form start token missing, forged or over a day old"
        if time.time() - started < int(settings.PEEL["FORM_MIN_SECONDS"]):
            return f"answered in {time.time() - started:.1f} s"
        return ""

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

    def extra_facts(self) -> dict[str, bool | None]:
        """Answers the national data model has no field for (asked before its form starts)."""
        return {"immediate_danger": _as_bool(self.cleaned_data["immediate_danger"])}

    def to_sdm(self) -> dict[str, Any]:
        """The same Standard API document the national hub would send for these answers."""
        d = self.cleaned_data
        occurred = dt.datetime.combine(d["occurred_date"], d.get("occurred_time") or dt.time(12, 0))
        occurred = timezone.make_aware(occurred)
        doc = SdmBuilder(
            str(d["submission_token"]),
            {
                "incidentDescription": d["description"],
                "incidentInvolvement": INVOLVEMENT_CODES[d["how_involved"]],
                "crimeType": d["offence_hint"],
                "incidentStillHappening": _as_bool(d["still_happening"]),
                "hadWeapon": _as_bool(d["weapon_involved"]),
                "incidentExactTimeKnown": d.get("occurred_time") is not None,
                "incidentStartDateTime": occurred.isoformat() if d.get("occurred_time") else None,
                "incidentApproximateDate": None
                if d.get("occurred_time")
                else d["occurred_date"].isoformat(),
            },
        )
        doc.submission.update(
            {
                "externalReferenceId": "Peel public form",
                "howInvolvedInCrime": INVOLVEMENT_CODES[d["how_involved"]],
            }
        )
        involvement = d["how_involved"]
        reporter_links = {HowInvolved.VICTIM: "victim", HowInvolved.WITNESS: "witness"}
        # The reporter's entity kind is their main role, so its schema has their questions.
        reporter = doc.add(
            "person", reporter_links.get(involvement, "personReporting"),
            {"givenName": _names(d["given_name"]), "surname": d["family_name"]},
            link="personReporting",
        )  # fmt: skip
        if involvement in reporter_links:
            doc.link(doc.incident_id, reporter_links[involvement], reporter)
        doc.link(
            reporter,
            "personalEmail",
            doc.add("object", "emailAddress", {"emailAddress": d["email"]}),
        )
        if d["phone"]:
            doc.link(
                reporter,
                "personalTelephone",
                doc.add("object", "phoneNumber", {"telephoneNumberFull": d["phone"]}),
            )
        vulnerable = {
            "under18": _as_bool(d["victim_under_18"]),
            "welfareRisk": _as_bool(d["victim_vulnerable"]),
        }
        if involvement == HowInvolved.ON_BEHALF_OF_VICTIM:
            doc.add(
                "person", "victim",
                {"givenName": _names(d["victim_given_name"]), "surname": d["victim_family_name"], **vulnerable},
                link="victim",
            )  # fmt: skip
        elif involvement == HowInvolved.VICTIM:
            doc.attributes(reporter).update({k: v for k, v in vulnerable.items() if v is not None})
        doc.add(
            "location", "incidentLocation",
            {"street": d["address_line"], "cityOrTown": d["town"], "postcode": d["postcode"]},
            link="incidentLocation",
        )  # fmt: skip
        if d["suspect_known"] != SuspectKnown.UNKNOWN or d["suspect_description"]:
            known = d["suspect_known"] == SuspectKnown.KNOWN
            doc.add(
                "person", "suspect",
                {
                    "suspectKnown": SUSPECT_CODES[d["suspect_known"]],
                    "givenName": _names(d["suspect_given_name"]),
                    "surname": d["suspect_family_name"],
                    "personDescription": d["suspect_description"],
                },
                link=Role.KNOWN_SUSPECT if known else Role.UNKNOWN_SUSPECT,
            )  # fmt: skip
        if d["vehicle_vrm"]:
            doc.add("object", "vehicle", {"vehicleVRM": d["vehicle_vrm"]}, link="damaged")
        return doc.as_dict()


class StatusForm(forms.Form):
    reference = forms.CharField(
        label="Your reference", max_length=24, help_text="For example PEEL-261121-ABC234"
    )
    email = forms.EmailField(label="The email address you gave us", max_length=120)
