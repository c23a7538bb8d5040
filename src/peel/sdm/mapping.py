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
from peel.sdm.document import Entity, SdmDocument

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
# victimVulnerable.json questions whose "yes" makes a victim vulnerable.
VULNERABILITY_QUESTIONS = (
    "alcoholDependency", "disability", "drugOrSubstanceDependency", "knownMentalDisability",
    "knownMentalHealthIssues", "riskDueToUnsuitableAttire", "riskOfAllegedSexualOffending",
    "riskOfBeingBullied", "riskOfBeingPhysicallyHarmed", "riskOfBeingUnableToLookAfterThemselves",
    "riskOfBeingVictimOfDomesticAbuse", "riskOfBeingVictimOfSexualExploitation",
    "riskOfCommittingDomesticAbuse", "riskOfSelfHarm", "riskOfViolentBehaviour", "welfareRisk",
    "under18",
)  # fmt: skip
TRUE_WORDS = {"true", "yes", "y", "1"}


def to_draft(document: SdmDocument) -> ReportDraft:
    incident = document.incident.attributes
    submission = document.submission.attributes
    flags: list[str] = []
    people = _people(document, flags)
    items, vehicles = _items(document, flags)
    victims = [p for p in people if Role.VICTIM in p.roles]
    suspects = document.linked(document.incident, Role.KNOWN_SUSPECT) + document.linked(
        document.incident, Role.UNKNOWN_SUSPECT
    )
    return ReportDraft(
        how_involved=_how_involved(document, people),
        description=str(incident.get("incidentDescription", "")),
        suspect_known=_suspect_known(document, suspects),
        offence_hint=str(incident.get("crimeType") or submission.get("categorySubcode") or "")[:80],
        occurred_from=_occurred_from(incident, flags),
        occurred_to=_datetime(incident.get("incidentEndDateTime")),
        immediate_danger=None,  # asked before the national form starts (it sends people to 999)
        still_happening=_bool(incident.get("incidentStillHappening")),
        weapon_involved=True
        if document.linked(document.incident, "weaponUsed")
        else _bool(incident.get("hadWeapon")),
        victim_under_18=_any_answer(victims, "under18"),
        victim_vulnerable=True if any(v.vulnerabilities for v in victims) else None,
        location=_location(document, flags),
        people=people,
        vehicles=vehicles,
        items=items,
        customer_reference=str(submission.get("customerReferenceNumber", ""))[:40],
        category="/".join(
            str(submission[k]) for k in ("category", "categorySubcode") if submission.get(k)
        )[:40],
        high_harm=_bool(submission.get("highHarmFlag")),
        hate_crime=_bool(incident.get("subjectedToHateCrime")),
        threat_or_assault=_either(
            incident.get("subjectedToThreatAbuseOrAssault"), incident.get("physicallyAssaulted")
        ),
        physically_assaulted=_bool(incident.get("physicallyAssaulted")),
        child_present=_bool(incident.get("childPresent")),
        drugs_or_alcohol=_bool(incident.get("incidentInfluencedByDrugsOrAlcohol")),
        flags=flags,
        **contact_preferences(document),
    )


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


def _either(*values: Any) -> bool | None:
    answers = [_bool(v) for v in values]
    if any(a is True for a in answers):
        return True
    return False if any(a is False for a in answers) else None


def _datetime(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _occurred_from(incident: dict[str, Any], flags: list[str]) -> dt.datetime | None:
    exact = _datetime(incident.get("incidentStartDateTime"))
    if exact:
        return exact
    approximate = incident.get("incidentApproximateDate")
    if isinstance(approximate, str) and approximate:
        try:
            day = dt.date.fromisoformat(approximate)
        except ValueError:
            flags.append(f"The incident date {approximate!r} could not be read.")
            return None
        return dt.datetime.combine(day, dt.time(12, 0), tzinfo=dt.UTC)
    return None


def _how_involved(document: SdmDocument, people: list[PersonDraft]) -> str:
    code = document.incident.attributes.get(
        "incidentInvolvement"
    ) or document.submission.attributes.get("howInvolvedInCrime")
    if code in HOW_INVOLVED:
        return HOW_INVOLVED[code].value
    reporter_roles = {r for p in people if Role.PERSON_REPORTING in p.roles for r in p.roles}
    if Role.VICTIM in reporter_roles:
        return HowInvolved.VICTIM.value
    if Role.WITNESS in reporter_roles:
        return HowInvolved.WITNESS.value
    return HowInvolved.ON_BEHALF_OF_VICTIM.value


def _suspect_known(document: SdmDocument, suspects: list[Entity]) -> str:
    for suspect in suspects:
        code = suspect.attributes.get("suspectKnown")
        if code in SUSPECT_KNOWN:
            return SUSPECT_KNOWN[code].value
    if document.linked(document.incident, Role.KNOWN_SUSPECT):
        return SuspectKnown.KNOWN.value
    if document.linked(document.incident, Role.UNKNOWN_SUSPECT):
        return SuspectKnown.DESCRIBED.value
    return SuspectKnown.UNKNOWN.value


def _any_answer(people: list[PersonDraft], question: str) -> bool | None:
    return True if any(question in p.vulnerabilities for p in people) else None


def _people(document: SdmDocument, flags: list[str]) -> list[PersonDraft]:
    by_id: dict[str, PersonDraft] = {}
    for role in PERSON_ROLES:
        for entity in document.linked(document.incident, role):
            if entity.id not in by_id:
                by_id[entity.id] = _person(document, entity, flags)
            by_id[entity.id].roles.append(role.value)
    return list(by_id.values())


def _person(document: SdmDocument, entity: Entity, flags: list[str]) -> PersonDraft:
    a = entity.attributes
    dob = None
    if isinstance(a.get("dateOfBirth"), str):
        try:
            dob = dt.date.fromisoformat(a["dateOfBirth"])
        except ValueError:
            flags.append(f"{entity.id}: date of birth {a['dateOfBirth']!r} could not be read.")
    email = _first_attribute(document, entity, EMAIL_LINKS, "emailAddress") or str(
        a.get("emailAddress", "")
    )
    # telephoneNumber is typed as a number of at most 35 in the national model: use the full one.
    phone = _first_attribute(document, entity, PHONE_LINKS, "telephoneNumberFull") or str(
        _first_attribute(document, entity, PHONE_LINKS, "telephoneNumber")
    )
    phone = _usable(
        phone, normalise_phone, flags, f"{entity.id}: phone number {{!r}} is not a valid number."
    )
    description = " ".join(
        str(a[k])
        for k in ("personDescription", "physicalCharacteristics", "clothingAtTimeOfIncident")
        if a.get(k)
    )
    return PersonDraft(
        roles=[],
        given_name=_given_names(a.get("givenName"))[:80],
        family_name=str(a.get("surname", ""))[:80],
        date_of_birth=dob,
        email=email[:120],
        phone=phone,
        description=description,
        vulnerabilities=[q for q in VULNERABILITY_QUESTIONS if _bool(a.get(q)) is True],
    )


def _given_names(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v)
    return str(value or "")


def _first_attribute(
    document: SdmDocument, entity: Entity, reasons: tuple[str, ...], name: str
) -> str:
    for reason in reasons:
        for linked in document.linked(entity, reason):
            value = linked.attributes.get(name)
            if value not in (None, ""):
                return str(value)
    return ""


def _location(document: SdmDocument, flags: list[str]) -> LocationDraft | None:
    places = document.linked(document.incident, "incidentLocation")
    if not places:
        return None
    a = places[0].attributes
    line = " ".join(
        str(a[k])
        for k in ("subBuildingName", "buildingName", "buildingNumber", "street")
        if a.get(k)
    ) or str(a.get("fullAddress", ""))
    postcode = _usable(
        str(a.get("postcode", "") or ""),
        normalise_postcode,
        flags,
        "Incident location: {!r} is not a valid UK postcode.",
    )
    return LocationDraft(
        address_line=line[:200],
        town=str(a.get("cityOrTown", ""))[:80],
        postcode=postcode,
        description=str(a.get("mapLocationAdditionalDetails", ""))[:500],
    )


def _items(document: SdmDocument, flags: list[str]) -> tuple[list[ItemDraft], list[VehicleDraft]]:
    items: list[ItemDraft] = []
    vehicles: list[VehicleDraft] = []
    for reason in ITEM_LINKS:
        for entity in document.linked(document.incident, reason):
            item = _item(entity, reason)
            items.append(item)
            vrm = entity.attributes.get("vehicleVRM")
            if entity.kind == "vehicle" and isinstance(vrm, str) and vrm:
                try:
                    vehicles.append(
                        VehicleDraft(vrm=normalise_vrm(vrm), description=item.description)
                    )
                except InvalidIdentifier:
                    flags.append(f"{entity.id}: {vrm!r} is not a valid registration mark.")
    return items, vehicles


def _item(entity: Entity, reason: str) -> ItemDraft:
    a = entity.attributes
    description = " ".join(
        str(a[k])
        for k in (
            "vehicleMake", "vehicleModel", "vehicleColour", "vehicleDescription",
            "bicycleType", "bicycleColour", "bicycleDescription", "propertyMake", "propertyModel",
            "propertyDescription", "weaponType", "weaponDetails", "evidenceAtSceneDetails",
            "bankCardIssuingBank",
        )
        if a.get(k)
    )  # fmt: skip
    identifiers = {
        k: str(a[k])
        for k in (
            "vehicleVRM",
            "vehicleVin",
            "propertyUniqueNumber",
            "bicycleFrameNumber",
            "mobileImei",
        )
        if a.get(k)
    }
    card = str(a.get("bankCardLongNumber", "") or "")
    if card:
        # Never keep a full card number (PCI DSS): the ending is enough to match reports.
        identifiers["cardEnding"] = "".join(ch for ch in card if ch.isdigit())[-4:]
    return ItemDraft(
        kind=entity.kind,
        link_reason=reason,
        description=description[:500],
        identifiers=identifiers,
        value=str(a.get("propertyApproxValue", "") or a.get("vehicleValue", "") or "")[:40],
    )
