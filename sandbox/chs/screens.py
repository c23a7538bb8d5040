"""The sandbox CHS's screens: which fields each page of the new-contact wizard asks for.

Two layouts exist. `classic` is the one Peel's screen map `chs-classic` describes. `refresh` is
what an unannounced upgrade does to a legacy system: a label renamed, a field's id changed, two
fields swapped, a new compulsory field. Values are stored under the same keys either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

OUTCOMES = ["Crime recorded", "Non-crime incident", "Information report", "No police action"]
CHANNELS = ["Online", "Telephone", "Front counter", "Email"]
CONTACT_TYPES = ["Report", "Enquiry", "Complaint"]


@dataclass(frozen=True)
class Field:
    key: str  # where the value is stored
    label: str
    html_id: str  # the input's id and name on the page
    kind: str = "text"  # text, textarea or select
    required: bool = False
    maxlength: int = 100
    options: list[str] = field(default_factory=list)
    pattern: str = ""  # a regular expression the value must match, when given


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    fields: list[Field]


DATE = r"\d{2}/\d{2}/\d{4}"
TIME = r"\d{2}:\d{2}"

_PERSONS = Page(
    "persons",
    "Persons",
    [
        Field("informant_surname", "Informant surname", "inf_surname", maxlength=60),
        Field("informant_forenames", "Informant forename(s)", "inf_forenames", maxlength=60),
        Field("informant_dob", "Informant date of birth", "inf_dob", maxlength=10, pattern=DATE),
        Field("informant_phone", "Informant telephone", "inf_phone", maxlength=20),
        Field("informant_email", "Informant email", "inf_email", maxlength=120),
        Field("informant_contact", "Contact instructions", "inf_contact", maxlength=200),
        Field("suspect", "Suspect details", "suspect", kind="textarea", maxlength=1000),
    ],
)


def _details(outcome_label: str) -> Page:
    return Page(
        "details",
        "Details",
        [
            Field("summary", "Summary", "summary", "textarea", required=True, maxlength=4000),
            Field("details", "Further details", "details", "textarea", maxlength=16000),
            Field("outcome", outcome_label, "outcome", "select", required=True, options=OUTCOMES),
            Field("offence_code", "HO offence code", "ho_code", maxlength=8),
            Field("crime_number", "Crime number", "crime_no", maxlength=24),
            Field("closing_code", "Closing code", "closing_code", required=True, maxlength=3),
            Field("notes", "Operator notes", "notes", kind="textarea", maxlength=2000),
        ],
    )


_EXT_REF = Field("ext_ref", "External reference", "ext_ref", required=True, maxlength=40)
_CHANNEL = Field("channel", "How received", "channel", "select", options=CHANNELS)
_DATE = Field("occurred_date", "Date occurred", "occ_date", maxlength=10, pattern=DATE)
_TIME = Field("occurred_time", "Time occurred", "occ_time", maxlength=5, pattern=TIME)
_LOCATION = Field("location", "Location", "location", maxlength=200)
_POSTCODE = Field("postcode", "Postcode", "postcode", maxlength=8)
_OPENING = Field("opening_code", "Opening code", "opening_code", required=True, maxlength=3)

LAYOUTS: dict[str, list[Page]] = {
    "classic": [
        Page(
            "incident",
            "Incident",
            [_EXT_REF, _CHANNEL, _DATE, _TIME, _LOCATION, _POSTCODE, _OPENING],
        ),
        _PERSONS,
        _details("Outcome"),
    ],
    "refresh": [
        Page(
            "incident",
            "Incident",
            [
                Field("ext_ref", "Source reference", "source_ref", required=True, maxlength=40),
                Field(
                    "contact_type",
                    "Contact type",
                    "contact_type",
                    "select",
                    required=True,
                    options=CONTACT_TYPES,
                ),
                _CHANNEL,
                _DATE,
                _TIME,
                _POSTCODE,
                _LOCATION,
                _OPENING,
            ],
        ),
        _PERSONS,
        _details("Result"),
    ],
}


def all_fields(layout: str) -> list[Field]:
    return [f for page in LAYOUTS[layout] for f in page.fields]
