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
class ReportDraft:
    how_involved: str
    description: str
    suspect_known: str
    offence_hint: str = ""
    occurred_from: datetime | None = None
    occurred_to: datetime | None = None
    immediate_danger: bool | None = None
    still_happening: bool | None = None
    weapon_involved: bool | None = None
    victim_under_18: bool | None = None
    victim_vulnerable: bool | None = None
    location: LocationDraft | None = None
    people: list[PersonDraft] = field(default_factory=list)
    vehicles: list[VehicleDraft] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
