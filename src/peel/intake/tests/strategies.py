"""Hypothesis strategies for what the public sends: SDM documents derived from the national JSON
schemas (types, value lists, lengths, formats), and answers across the whole public form.

hypothesis-jsonschema is not installable offline, so the builder is here: for each attribute
it reads the schema node (through `SchemaSet`) and draws a value of that type, from that value
list, within those lengths, in that format. A drawn value the schema still refuses (a format
this builder does not know) is left out, so every document is one the Standard API accepts.
"""

from __future__ import annotations

import datetime as dt
import string
import uuid
from typing import Any

from hypothesis import strategies as st

from peel.intake.wizard import FormDefinition, form_field, load_definition
from peel.sdm.document import SCHEMA_BY_KIND
from peel.sdm.schemas import SchemaSet, national_schemas

# Letters beyond ASCII, digits, and the characters that break careless HTML and CSV.
ALPHABET = string.ascii_letters + string.digits + "ÀÉÎÕÜßàéîõüŁłŻżĳ" + " .,'&<>\"-!?/()£:#"
TIME_WORDS = ("10pm", "about 6.30am", "between 9 and 11pm", "22:15", "noon", "last night",
              "in the morning", "11pm to 2am", "at 9")  # fmt: skip
POSTCODES = ("LS1 4AP", "WF1 1AB", "SW1A 1AA", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT")
TODAY = dt.date(2026, 11, 30)  # a fixed "today": dates in examples are in the past

PERSON_KINDS = {
    "victim": "models/person/victim.json",
    "witness": "models/person/witness.json",
    "knownSuspect": "models/person/suspect.json",
    "unknownSuspect": "models/person/suspect.json",
    "personReporting": "models/person/personBase.json",
}
ITEM_LINKS = ("stolen", "damaged", "weaponUsed", "incidentEvidence")
OBJECT_KINDS = ("vehicle", "bicycle", "mobile", "property", "bankCard", "weapon", "evidence",
                "passport", "business", "socialMedia", "publicTransportCard", "drivingLicence",
                "identification", "media", "channelShift")  # fmt: skip
OTHER_PEOPLE = ("offender", "officer", "guardian", "nextOfKin")


def text(min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[str]:
    """One line of public text: no leading, trailing or doubled spaces (forms strip them)."""
    top = max(min_size, min(max_size, 120))
    return (
        st.text(ALPHABET, min_size=min_size, max_size=top)
        .map(lambda s: " ".join(s.split()))
        .filter(lambda s: min_size <= len(s) <= max_size and s.strip() == s and s != "")
    )


def phrase(max_size: int = 200) -> st.SearchStrategy[str]:
    """Free text with a distinctive start, so finding it means finding this answer."""
    return st.builds(
        lambda n, rest: f"Q{n} {rest}"[:max_size].rstrip(),
        st.integers(100, 999),
        text(1, max(1, min(max_size - 6, 80))),
    )


def postcode() -> st.SearchStrategy[tuple[str, str]]:
    """(as typed, canonical)."""
    return st.sampled_from(POSTCODES).flatmap(
        lambda p: st.sampled_from([p, p.lower(), p.replace(" ", "")]).map(lambda typed: (typed, p))
    )


def phone() -> st.SearchStrategy[tuple[str, str]]:
    """(as typed, E.164): a UK mobile or a Leeds number in Ofcom's drama range."""
    return st.integers(0, 999).flatmap(
        lambda n: st.sampled_from(
            [
                (f"07911 123{n:03d}", f"+447911123{n:03d}"),
                (f"0113 496 0{n:03d}", f"+441134960{n:03d}"),
            ]
        )
    )


def vrm() -> st.SearchStrategy[str]:
    return st.builds(
        lambda a, n, b: f"{a}{n:02d} {b}",
        st.sampled_from(["AB", "LS", "YX", "MA", "BD"]),
        st.sampled_from([12, 21, 66, 70, 73]),
        st.text("ABCDEFGHJKLMNPRSTUVWXY", min_size=3, max_size=3),
    )


def _node(schemas: SchemaSet, path: str, name: str) -> dict[str, Any]:
    return next(iter(schemas._property_schemas(path, name)), {})


def value_for(schemas: SchemaSet, path: str, name: str) -> st.SearchStrategy[Any]:
    """A value the national schema allows for this attribute."""
    node = _node(schemas, path, name)
    codes = schemas.value_list(path, name)
    if codes:
        return st.sampled_from(sorted(codes))
    kind = node.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind in ("number", "integer"):
        low, high = int(node.get("minimum", 0)), int(node.get("maximum", 100000))
        return st.integers(low, min(high, 100000))
    if kind == "array":
        item_codes = schemas.item_value_list(path, name)
        items = st.sampled_from(sorted(item_codes)) if item_codes else text(1, 35)
        return st.lists(items, min_size=1, max_size=3, unique=True)
    fmt = node.get("format")
    if fmt == "date":
        return st.dates(dt.date(1930, 1, 1), TODAY).map(dt.date.isoformat)
    if fmt == "date-time":
        naive = (dt.datetime(2024, 1, 1), dt.datetime(2026, 11, 29))  # noqa: DTZ001 (+ "Z")
        return st.datetimes(*naive).map(lambda d: d.replace(microsecond=0).isoformat() + "Z")
    if fmt == "time":
        return st.times().map(lambda t: t.replace(microsecond=0).isoformat() + "Z")
    if fmt == "email":
        return (
            text(1, 20)
            .map(lambda s: "".join(c for c in s.lower() if c.isalnum()) or "x")
            .map(lambda s: f"{s}@example.org")
        )
    low, high = int(node.get("minLength", 1)), int(node.get("maxLength", 4000))
    if name.endswith(("Details", "Description")) or high >= 200:
        return phrase(high)
    return text(max(low, 1), high)


def attributes(
    schemas: SchemaSet, path: str, fixed: dict[str, Any] | None = None, most: int = 8
) -> st.SearchStrategy[dict[str, Any]]:
    """Some attributes of one entity (which ones, drawn), each valid on its own."""
    names = sorted(schemas.known_properties(path))
    required = sorted(
        {name for _file, node in schemas._nodes(path) for name in node.get("required", [])}
    )

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        chosen = required + draw(st.lists(st.sampled_from(names), max_size=most, unique=True))
        values: dict[str, Any] = dict(fixed or {})
        for name in chosen:
            if name in values:
                continue
            candidate = {**values, name: draw(value_for(schemas, path, name))}
            if schemas.is_valid(path, candidate):  # together, not only on its own
                values = candidate
        return values

    return build()


@st.composite
def sdm_documents(draw: st.DrawFn, people: int = 3, objects: int = 3) -> dict[str, Any]:
    """A Standard API request across the whole model: the incident, its submission, people in
    every role (with email and phone), the place, objects of every kind under every link reason,
    and people the canonical report has no role for."""
    schemas = national_schemas()
    n = 0

    def new_id(pole: str, kind: str) -> str:
        nonlocal n
        n += 1
        return f"{pole}.{kind}.{n}"

    incident = draw(
        attributes(
            schemas,
            SCHEMA_BY_KIND["incident"],
            {"incidentDescription": draw(phrase(4000))},
            most=12,
        )
    )
    when = draw(st.sampled_from(["exact", "words", "date", "none"]))
    for key in ("incidentStartDateTime", "incidentEndDateTime", "incidentApproximateDate",
                "incidentApproximateTime"):  # fmt: skip
        incident.pop(key, None)
    day = draw(st.dates(dt.date(2025, 1, 1), TODAY))
    if when == "exact":
        start = dt.datetime.combine(day, draw(st.times()).replace(microsecond=0, second=0))
        offset = draw(st.sampled_from(["Z", "+01:00", "-05:00", ""]))
        incident["incidentStartDateTime"] = start.isoformat() + offset
    elif when in ("words", "date"):
        incident["incidentApproximateDate"] = day.isoformat()
        if when == "words":
            incident["incidentApproximateTime"] = draw(st.sampled_from(TIME_WORDS) | text(1, 20))
    data: dict[str, Any] = {"id": "incident.1", "type": "incident", "attributes": incident}
    links: dict[str, list[str]] = {}
    included: list[dict[str, Any]] = []

    def add(pole: str, kind: str, attrs: dict[str, Any], owner: dict[str, list[str]], reason: str):
        entity_id = new_id(pole, kind)
        entity: dict[str, Any] = {
            "id": entity_id,
            "type": kind if pole == "event" else pole,
            "attributes": attrs,
        }
        included.append(entity)
        owner.setdefault(reason, []).append(entity_id)
        return entity

    submission = draw(
        attributes(
            schemas, SCHEMA_BY_KIND["submission"], {"submissionId": str(uuid.uuid4())}, most=6
        )
    )
    add("event", "submission", submission, links, "submission")
    for _ in range(draw(st.integers(1, people))):
        role = draw(st.sampled_from(sorted(PERSON_KINDS) + list(OTHER_PEOPLE)))
        path = PERSON_KINDS.get(role) or SCHEMA_BY_KIND[role]
        attrs = draw(attributes(schemas, path, most=10))
        attrs.pop("emailAddress", None)
        person = add("person", role, attrs, links, role)
        person_links: dict[str, list[str]] = {}
        if draw(st.booleans()):
            email = draw(value_for(schemas, SCHEMA_BY_KIND["emailAddress"], "emailAddress"))
            add("object", "emailAddress", {"emailAddress": email}, person_links, "personalEmail")
        if draw(st.booleans()):
            typed, _ = draw(phone())
            add("object", "phoneNumber", {"telephoneNumberFull": typed}, person_links,
                "personalTelephone")  # fmt: skip
        if person_links:
            person["relationships"] = {
                reason: {"data": [{"id": i, "type": "object"} for i in ids]}
                for reason, ids in person_links.items()
            }
    if draw(st.booleans()):
        place = draw(attributes(schemas, SCHEMA_BY_KIND["location"], most=8))
        place["postcode"] = draw(postcode())[0]
        add("location", "incidentLocation", place, links, "incidentLocation")
    for _ in range(draw(st.integers(0, objects))):
        kind = draw(st.sampled_from(OBJECT_KINDS))
        path = SCHEMA_BY_KIND[kind]
        attrs = draw(attributes(schemas, path, most=8))
        if kind == "vehicle" and draw(st.booleans()):
            attrs["vehicleVRM"] = draw(vrm())
        if kind == "bankCard" and draw(st.booleans()):
            attrs["bankCardLongNumber"] = "4" + "".join(
                str(d) for d in draw(st.lists(st.integers(0, 9), min_size=15, max_size=15))
            )
        add("object", kind, attrs, links, draw(st.sampled_from(ITEM_LINKS)))
    data["relationships"] = {
        reason: {"data": [{"id": i, "type": i.split(".")[0]} for i in ids]}
        for reason, ids in links.items()
    }
    for entity in included:  # a link's type is the entity's type
        for relation in entity.get("relationships", {}).values():
            for target in relation["data"]:
                target["type"] = "object"
    for relation in data["relationships"].values():
        for target in relation["data"]:
            target["type"] = next(e["type"] for e in included if e["id"] == target["id"])
    return {"data": data, "included": included}


@st.composite
def form_answers(draw: st.DrawFn, definition: FormDefinition | None = None) -> dict[str, Any]:
    """Answers to every question of every page (the pages that apply are the walker's)."""
    definition = definition or load_definition()
    schemas = national_schemas()
    answers: dict[str, Any] = {}
    for page in definition.pages:
        for question in page.questions:
            field = form_field(question, schemas, answers)
            choices = [key for key, _label in getattr(field, "choices", []) if key != ""]
            if question.kind == "multichoice":
                value: Any = draw(st.lists(st.sampled_from(choices), max_size=3, unique=True))
            elif choices:
                value = draw(st.sampled_from(choices))
            elif question.kind == "postcode":
                value = draw(postcode())[0]
            elif question.kind == "phone":
                value = draw(phone())[0]
            elif question.kind == "vrm":
                value = draw(vrm())
            elif question.kind == "email":  # Django's EmailField takes ASCII local parts
                value = draw(
                    st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=20)
                )
                value = f"{value}@example.org"
            elif question.name == "incidentApproximateTime":
                value = draw(st.sampled_from(TIME_WORDS) | text(1, 20))
            elif "Date" in question.name:
                value = draw(st.dates(dt.date(1930, 1, 1), TODAY)).isoformat()
            else:
                limit = getattr(field, "max_length", None) or 4000
                value = draw(phrase(limit) if limit >= 40 else text(1, limit))
            if not question.required and question.kind != "multichoice" and draw(st.booleans()):
                value = ""  # an optional question left blank
            answers[question.name] = value
    return answers
