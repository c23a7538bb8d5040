"""Turn a checked SDM document into Peel's canonical report draft.

Link reasons follow `national/docs/relationships.md`: incident -> person (victim, witness,
knownSuspect, unknownSuspect, personReporting), incident -> object (stolen, damaged, weaponUsed,
incidentEvidence), incident -> location (incidentLocation), person -> email/telephone.
A value Peel cannot use (a postcode that is not one) never loses the report: it is kept in the
raw evidence and named in the draft's flags for the operator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from peel.core.identifiers import (
    InvalidIdentifier,
    normalise_phone,
    normalise_postcode,
    normalise_vrm,
)
from peel.reports.choices import HowInvolved, Role, SuspectKnown
from peel.reports.drafts import ItemDraft, LocationDraft, PersonDraft, ReportDraft, VehicleDraft
from peel.sdm.contact import contact_preferences
from peel.sdm.destinations import ADDRESS_LINE, ITEM_DESCRIPTION, VULNERABILITY_QUESTIONS
from peel.sdm.document import SCHEMA_BY_KIND, Entity, SdmDocument
from peel.sdm.other import Taken, other_information
from peel.sdm.schemas import national_schemas
from peel.sdm.text import describe_value
from peel.sdm.when import read_when

HOW_INVOLVED = {
    "IVLD_0001": HowInvolved.VICTIM,
    "IVLD_0002": HowInvolved.WITNESS,
    "IVLD_0003": HowInvolved.ON_BEHALF_OF_VICTIM,
    "IVLD_0004": HowInvolved.ON_BEHALF_OF_BUSINESS,
}
SUSPECT_KNOWN = {
    "SKWN_0001": SuspectKnown.UNKNOWN,
    "SKWN_0002": SuspectKnown.DESCRIBED,
    "SKWN_0003": SuspectKnown.KNOWN,
}
PERSON_ROLES = (
    Role.PERSON_REPORTING, Role.VICTIM, Role.WITNESS, Role.KNOWN_SUSPECT, Role.UNKNOWN_SUSPECT,
)  # fmt: skip
ITEM_LINKS = ("stolen", "damaged", "weaponUsed", "incidentEvidence")
EMAIL_LINKS = ("preferredContactMethod", "personalEmail", "businessEmail", "emailAddress")
PHONE_LINKS = ("preferredContactMethod", "personalTelephone", "daytimeTelephone",
               "eveningTelephone", "businessTelephone", "phoneNumber")  # fmt: skip
TRUE_WORDS = {"true", "yes", "y", "1"}


def to_draft(document: SdmDocument) -> ReportDraft:
    """The canonical draft. Every attribute is either taken into a canonical field (as the
    destinations registry allows) or kept verbatim as other information."""
    taken = Taken()
    incident, submission = document.incident, document.submission
    flags: list[str] = []
    people = _people(document, taken, flags)
    items, vehicles = _items(document, taken, flags)
    suspects = document.linked(incident, Role.KNOWN_SUSPECT) + document.linked(
        incident, Role.UNKNOWN_SUSPECT
    )
    when = read_when(incident.attributes)
    flags.extend(when.problems)
    for name in when.given:
        taken.take(incident, name)
    hint = taken.text(incident, "crimeType", 80) or taken.text(submission, "categorySubcode", 80)
    category = "/".join(
        str(submission.attributes[k])
        for k in ("category", "categorySubcode")
        if submission.attributes.get(k) not in (None, "")
    )
    if len(category) <= 40:
        taken.take(submission, "category")
        taken.take(submission, "categorySubcode")
    victims = [e for e in document.linked(incident, Role.VICTIM) if e.kind in PERSON_KINDS]
    vulnerable = _victim_vulnerable(document, people)
    contact = contact_preferences(document, taken)  # before other_information reads `taken`
    return ReportDraft(
        how_involved=_how_involved(document, people, taken),
        description=str(taken.take(incident, "incidentDescription") or ""),
        suspect_known=_suspect_known(document, suspects, taken),
        offence_hint=hint,
        occurred_from=when.start,
        occurred_to=when.end,
        occurred_given=when.given,
        occurred_precision=when.precision,
        immediate_danger=None,  # asked before the national form starts (it sends people to 999)
        still_happening=taken.boolean(incident, "incidentStillHappening"),
        weapon_involved=taken.boolean(
            incident, "hadWeapon", also=bool(document.linked(incident, "weaponUsed"))
        ),
        victim_under_18=_victim_under_18(victims, taken),
        victim_vulnerable=vulnerable,
        location=_location(document, taken, flags),
        people=people,
        vehicles=vehicles,
        items=items,
        customer_reference=taken.text(submission, "customerReferenceNumber", 40),
        category=category[:40],
        high_harm=taken.boolean(submission, "highHarmFlag"),
        hate_crime=taken.boolean(incident, "subjectedToHateCrime"),
        threat_or_assault=taken.boolean(
            incident,
            "subjectedToThreatAbuseOrAssault",
            also=_bool(incident.attributes.get("physicallyAssaulted")) is True,
        ),
        physically_assaulted=taken.boolean(incident, "physicallyAssaulted"),
        child_present=taken.boolean(incident, "childPresent"),
        drugs_or_alcohol=taken.boolean(incident, "incidentInfluencedByDrugsOrAlcohol"),
        other_information=other_information(document, taken, national_schemas()),
        flags=flags,
        **contact,
    )


def _victim_vulnerable(document: SdmDocument, people: list[PersonDraft]) -> bool | None:
    """Yes if any victim answered yes to a vulnerability question. No only when every victim
    answered at least one of them besides "under 18" and answered all of them no: a blank
    answer is not a no."""
    if any(p.vulnerabilities for p in people if Role.VICTIM in p.roles):
        return True
    victims = document.linked(document.incident, Role.VICTIM)
    for victim in victims:
        answers = {q: _bool(victim.attributes.get(q)) for q in VULNERABILITY_QUESTIONS}
        given = {q: a for q, a in answers.items() if a is not None}
        if not (set(given) - {"under18"}) or any(given.values()):
            return None
    return False if victims else None


def _usable(value: str, normalise: Callable[[str], str], flags: list[str], message: str) -> str:
    """The normalised identifier, or "" with a flag: a bad identifier never loses a report."""
    if not value:
        return ""
    try:
        return normalise(value)
    except InvalidIdentifier:
        flags.append(message.format(value))
        return ""


def _bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip():
        return value.strip().lower() in TRUE_WORDS
    return None


def _how_involved(document: SdmDocument, people: list[PersonDraft], taken: Taken) -> str:
    for entity, name in (
        (document.incident, "incidentInvolvement"),
        (document.submission, "howInvolvedInCrime"),
    ):
        code = entity.attributes.get(name)
        if code in HOW_INVOLVED:
            chosen = HOW_INVOLVED[code]
            for other, other_name in (
                (document.incident, "incidentInvolvement"),
                (document.submission, "howInvolvedInCrime"),
            ):
                if HOW_INVOLVED.get(str(other.attributes.get(other_name))) == chosen:
                    taken.take(other, other_name)  # the same answer: shown as how involved
            return chosen.value
    reporter_roles = {r for p in people if Role.PERSON_REPORTING in p.roles for r in p.roles}
    if Role.VICTIM in reporter_roles:
        return HowInvolved.VICTIM.value
    if Role.WITNESS in reporter_roles:
        return HowInvolved.WITNESS.value
    return HowInvolved.ON_BEHALF_OF_VICTIM.value


def _suspect_known(document: SdmDocument, suspects: list[Entity], taken: Taken) -> str:
    for suspect in suspects:
        code = suspect.attributes.get("suspectKnown")
        if code in SUSPECT_KNOWN:
            taken.take(suspect, "suspectKnown")
            return SUSPECT_KNOWN[code].value
    if document.linked(document.incident, Role.KNOWN_SUSPECT):
        return SuspectKnown.KNOWN.value
    if document.linked(document.incident, Role.UNKNOWN_SUSPECT):
        return SuspectKnown.DESCRIBED.value
    return SuspectKnown.UNKNOWN.value


def _victim_under_18(victims: list[Entity], taken: Taken) -> bool | None:
    """Yes if any victim is under 18, No if every answer given is no, else not known."""
    answers = [_bool(v.attributes.get("under18")) for v in victims]
    if any(a is True for a in answers):
        result: bool | None = True
    elif any(a is False for a in answers):
        result = False
    else:
        return None
    for victim in victims:
        if _bool(victim.attributes.get("under18")) is result:
            taken.take(victim, "under18")
    return result


def _people(document: SdmDocument, taken: Taken, flags: list[str]) -> list[PersonDraft]:
    by_id: dict[str, PersonDraft] = {}
    for role in PERSON_ROLES:
        for entity in document.linked(document.incident, role):
            if entity.kind not in PERSON_KINDS:
                continue  # an entity of another kind under a person's link: other information
            if entity.id not in by_id:
                by_id[entity.id] = _person(document, entity, taken, flags)
            by_id[entity.id].roles.append(role.value)
    return list(by_id.values())


PERSON_KINDS = {kind for kind, path in SCHEMA_BY_KIND.items() if path.startswith("models/person/")}


def _person(document: SdmDocument, entity: Entity, taken: Taken, flags: list[str]) -> PersonDraft:
    a = entity.attributes
    dob = None
    if isinstance(a.get("dateOfBirth"), str):
        try:
            dob = dt.date.fromisoformat(a["dateOfBirth"])
            taken.take(entity, "dateOfBirth")
        except ValueError:
            flags.append(f"{entity.id}: date of birth {a['dateOfBirth']!r} could not be read.")
    email = _first_attribute(document, entity, EMAIL_LINKS, "emailAddress", taken, 120)
    phone_entity, phone = _first_phone(document, entity)
    if phone_entity is not None:
        phone = _usable(
            phone,
            normalise_phone,
            flags,
            f"{entity.id}: phone number {{!r}} is not a valid number.",
        )
        if phone:
            taken.take(phone_entity, "telephoneNumberFull")
    description = taken.joined(
        entity, ("personDescription", "physicalCharacteristics", "clothingAtTimeOfIncident")
    )
    vulnerabilities = [q for q in VULNERABILITY_QUESTIONS if _bool(a.get(q)) is True]
    for question in vulnerabilities:
        if question != "under18":
            taken.take(entity, question)
    return PersonDraft(
        roles=[],
        given_name=_given_names(entity, taken),
        family_name=taken.text(entity, "surname", 80),
        date_of_birth=dob,
        email=email,
        phone=phone,
        description=description,
        vulnerabilities=vulnerabilities,
    )


def _given_names(entity: Entity, taken: Taken) -> str:
    value = entity.attributes.get("givenName")
    names = " ".join(str(v) for v in value if v) if isinstance(value, list) else str(value or "")
    if len(names) > 80:
        return names[:80]  # the whole answer stays in other information
    taken.take(entity, "givenName")
    return names


def _first_attribute(
    document: SdmDocument,
    entity: Entity,
    reasons: tuple[str, ...],
    name: str,
    taken: Taken,
    limit: int,
) -> str:
    for reason in reasons:
        for linked in document.linked(entity, reason):
            value = linked.attributes.get(name)
            if value in (None, ""):
                continue
            if str(value) == str(value).strip().lower():
                return taken.text(linked, name, limit) or str(value)[:limit]
            return str(value)[:limit]  # kept lower-case for matching; as given in other information
    return ""


def _first_phone(document: SdmDocument, entity: Entity) -> tuple[Entity | None, str]:
    # telephoneNumber is typed as a number of at most 35 in the national model: use the full
    # one; the short one, if given, is other information.
    for reason in PHONE_LINKS:
        for linked in document.linked(entity, reason):
            value = linked.attributes.get("telephoneNumberFull")
            if value not in (None, ""):
                return linked, str(value)
    return None, ""


def _location(document: SdmDocument, taken: Taken, flags: list[str]) -> LocationDraft | None:
    places = document.linked(document.incident, "incidentLocation")
    if not places:
        return None
    place = places[0]
    a = place.attributes
    line = taken.joined(place, ADDRESS_LINE, 200)
    if not line and not any(a.get(k) for k in ADDRESS_LINE):
        line = taken.text(place, "fullAddress", 200)
    postcode = _usable(
        str(a.get("postcode", "") or ""),
        normalise_postcode,
        flags,
        "Incident location: {!r} is not a valid UK postcode.",
    )
    if postcode:
        taken.take(place, "postcode")  # in its canonical form ("ls14ap" -> "LS1 4AP")
    return LocationDraft(
        address_line=line,
        town=taken.text(place, "cityOrTown", 80),
        postcode=postcode,
        description=taken.text(place, "mapLocationAdditionalDetails", 500),
    )


def _items(
    document: SdmDocument, taken: Taken, flags: list[str]
) -> tuple[list[ItemDraft], list[VehicleDraft]]:
    items: list[ItemDraft] = []
    vehicles: list[VehicleDraft] = []
    for reason in ITEM_LINKS:
        for entity in document.linked(document.incident, reason):
            if entity.kind in PERSON_KINDS or entity.kind in ("incident", "submission"):
                continue
            item = _item(entity, reason, taken)
            if _says_there_is_none(entity, reason, item):
                continue  # "Is there any evidence?" "No": the answer is kept, no item is made
            items.append(item)
            vrm = entity.attributes.get("vehicleVRM")
            if entity.kind == "vehicle" and isinstance(vrm, str) and vrm:
                try:
                    vehicles.append(
                        VehicleDraft(vrm=normalise_vrm(vrm), description=item.description[:200])
                    )
                except InvalidIdentifier:
                    flags.append(f"{entity.id}: {vrm!r} is not a valid registration mark.")
    return items, vehicles


def _says_there_is_none(entity: Entity, reason: str, item: ItemDraft) -> bool:
    """An evidence object that only answers "no evidence at scene": listing it as an item of
    evidence would tell the operator and the legacy record the opposite of what was said."""
    return (
        reason == "incidentEvidence"
        and entity.attributes.get("evidenceAtScene") is False
        and not (item.description or item.identifiers or item.value)
    )


def _item(entity: Entity, reason: str, taken: Taken) -> ItemDraft:
    a = entity.attributes
    schemas = national_schemas()
    path = SCHEMA_BY_KIND.get(entity.kind, "")
    words = [
        describe_value(schemas, path, k, a[k])
        for k in ITEM_DESCRIPTION
        if a.get(k) not in (None, "")
    ]
    description = " ".join(words)
    if len(description) <= 500:
        for k in ITEM_DESCRIPTION:
            if a.get(k) not in (None, ""):
                taken.take(entity, k)
    identifiers = {}
    for k in ("vehicleVRM", "vehicleVin", "propertyUniqueNumber", "bicycleFrameNumber"):
        if a.get(k) not in (None, ""):
            identifiers[k] = str(a[k])
            taken.take(entity, k)
    card = str(a.get("bankCardLongNumber", "") or "")
    if card:
        # Never keep a full card number (PCI DSS): the ending is enough to match reports.
        identifiers["cardEnding"] = "".join(ch for ch in card if ch.isdigit())[-4:]
        taken.take(entity, "bankCardLongNumber")
    value = taken.text(entity, "propertyApproxValue", 40) or taken.text(entity, "vehicleValue", 40)
    return ItemDraft(
        kind=entity.kind,
        link_reason=reason,
        description=description[:500],
        identifiers=identifiers,
        value=value,
    )
