"""What every intake channel produces: a validated, channel-neutral draft of a report.

Channels map their input (form fields, SDM JSON, email) into a `ReportDraft`; `do_create_report`
turns any draft into rows. Identifiers are already normalised when a draft exists.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass
class PersonDraft:
    roles: list[str]
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    email: str = ""
    phone: str = ""
    description: str = ""
    # SDM victim-vulnerability questions answered "yes" (e.g. "riskOfSelfHarm").
    vulnerabilities: list[str] = field(default_factory=list)


@dataclass
class LocationDraft:
    address_line: str = ""
    town: str = ""
    postcode: str = ""
    description: str = ""


@dataclass
class VehicleDraft:
    vrm: str
    description: str = ""


@dataclass
class ItemDraft:
    """An object linked to the incident: stolen, damaged, a weapon used, or evidence."""

    kind: str  # SDM object kind: vehicle, bicycle, mobile, bankCard, property, weapon, evidence
    link_reason: str  # SDM incident -> object link reason: stolen, damaged, weaponUsed, ...
    description: str = ""
    identifiers: dict[str, str] = field(default_factory=dict)  # IMEI, serial, VRM, card ending
    value: str = ""


@dataclass
class ReportDraft:
    how_involved: str
    description: str
    suspect_known: str
    offence_hint: str = ""
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    # When, as the reporter gave it (SDM attribute -> value verbatim), and how precise the
    # derived instants are: "exact", "time", "range", "date" (no time of day) or "".
    occurred_given: dict[str, str] = field(default_factory=dict)
    occurred_precision: str = ""
    immediate_danger: bool | None = None
    still_happening: bool | None = None
    weapon_involved: bool | None = None
    victim_under_18: bool | None = None
    victim_vulnerable: bool | None = None
    location: LocationDraft | None = None
    people: list[PersonDraft] = field(default_factory=list)
    vehicles: list[VehicleDraft] = field(default_factory=list)
    items: list[ItemDraft] = field(default_factory=list)
    # From the national submission: the public's reference, category and high-harm flag.
    customer_reference: str = ""
    category: str = ""
    high_harm: bool | None = None
    hate_crime: bool | None = None
    threat_or_assault: bool | None = None
    physically_assaulted: bool | None = None
    child_present: bool | None = None
    drugs_or_alcohol: bool | None = None
    # Everything the reporter gave that no canonical field holds: [{section, label, value}].
    other_information: list[dict[str, str]] = field(default_factory=list)
    # Things a person must look at: sources that disagree, values that could not be used.
    flags: list[str] = field(default_factory=list)
    # How the reporter may safely be contacted (reports.ContactPreference); None: not said.
    contact_email: bool | None = None
    contact_phone: bool | None = None
    contact_post: bool | None = None
    contact_times: str = ""
    contact_others_may_read: bool | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
