"""Where every value the public gives Peel goes: one declared destination each.

Every attribute of every national schema Peel accepts (`document.SCHEMA_BY_KIND`) and every
answer of the public form has exactly one destination here:

- a field of the canonical report (`Report.description`, `Person.given_name`, ...), which the
  mapping fills and screens show in their own place;
- "other information": a named section of the report ("Victim", "Stolen bicycle") with the
  attribute's label ("Welfare risk details", "Property make details"), shown verbatim;
- contact preferences, which are canonical fields of the notifications work.

The mapping (`sdm.mapping`) may only `take` an attribute into a canonical field this registry
names, and only when the field holds it exactly. Whatever it does not take - a second email
address, an answer the field cannot carry, a value longer than its column, a contact preference
not yet mapped - goes to other information. So nothing accepted is silently dropped: a test
walks every schema and every form answer against this registry.
"""

from __future__ import annotations

from dataclasses import dataclass

OTHER = "other information"
CONTACT = "contact preferences (canonical, see notifications)"

PERSON_SCHEMAS = (
    "models/person/personBase.json",
    "models/person/victim.json",
    "models/person/witness.json",
    "models/person/suspect.json",
    "models/person/offender.json",
    "models/person/officer.json",
)

# victimVulnerable.json questions: "yes" joins Person.vulnerabilities; "no" is other information.
VULNERABILITY_QUESTIONS = (
    "alcoholDependency", "disability", "drugOrSubstanceDependency", "knownMentalDisability",
    "knownMentalHealthIssues", "riskDueToUnsuitableAttire", "riskOfAllegedSexualOffending",
    "riskOfBeingBullied", "riskOfBeingPhysicallyHarmed", "riskOfBeingUnableToLookAfterThemselves",
    "riskOfBeingVictimOfDomesticAbuse", "riskOfBeingVictimOfSexualExploitation",
    "riskOfCommittingDomesticAbuse", "riskOfSelfHarm", "riskOfViolentBehaviour", "welfareRisk",
    "under18",
)  # fmt: skip

_INCIDENT = {
    "incidentDescription": "Report.description",
    "incidentStartDateTime": "Report.occurred_given (as given) and Report.occurred_from",
    "incidentEndDateTime": "Report.occurred_given (as given) and Report.occurred_to",
    "incidentApproximateDate": "Report.occurred_given (as given) and Report.occurred_from",
    "incidentApproximateTime": "Report.occurred_given (the reporter's words) and the instants "
    "Report.occurred_from/occurred_to where the words can be read",
    "crimeType": "Report.offence_hint",
    "incidentInvolvement": "Report.how_involved",
    "incidentStillHappening": "Report.still_happening",
    "hadWeapon": "Report.weapon_involved",
    "subjectedToHateCrime": "Report.hate_crime",
    "subjectedToThreatAbuseOrAssault": "Report.threat_or_assault",
    "physicallyAssaulted": "Report.physically_assaulted",
    "childPresent": "Report.child_present",
    "incidentInfluencedByDrugsOrAlcohol": "Report.drugs_or_alcohol",
}
_SUBMISSION = {
    "customerReferenceNumber": "Report.customer_reference",
    "category": "Report.category",
    "categorySubcode": "Report.category",
    "highHarmFlag": "Report.high_harm",
    "howInvolvedInCrime": "Report.how_involved",
}
_PERSON = {
    "givenName": "Person.given_name",
    "surname": "Person.family_name",
    "dateOfBirth": "Person.date_of_birth",
    "personDescription": "Person.description",
    "physicalCharacteristics": "Person.description",
    "clothingAtTimeOfIncident": "Person.description",
    "suspectKnown": "Report.suspect_known",
    "contactPreference": CONTACT,
    **{q: "Person.vulnerabilities (yes answers)" for q in VULNERABILITY_QUESTIONS},
    "under18": "Report.victim_under_18 (victims) and Person.vulnerabilities (yes answers)",
}
_ITEM_IDENTIFIERS = {
    "vehicleVRM": "Vehicle.vrm and Item.identifiers",
    "vehicleVin": "Item.identifiers",
    "propertyUniqueNumber": "Item.identifiers",
    "bicycleFrameNumber": "Item.identifiers",
    "bankCardLongNumber": "Item.identifiers (the last four digits only: never a full card "
    "number, PCI DSS)",
}
_ITEM_VALUE = {"propertyApproxValue": "Item.value", "vehicleValue": "Item.value"}
# Joined, in words, as the item's one-line description (codes as their national descriptions).
ITEM_DESCRIPTION = (
    "vehicleMake", "vehicleModel", "vehicleColour", "vehicleDescription", "bicycleType",
    "bicycleColour", "bicycleDescription", "propertyMake", "propertyMakeDetails",
    "propertyModel", "propertyModelDetails", "propertyDescription", "weaponType",
    "weaponDetails", "evidenceAtSceneDetails", "bankCardIssuingBank",
)  # fmt: skip
ADDRESS_LINE = ("subBuildingName", "buildingName", "buildingNumber", "street")
_LOCATION = {
    **{name: "Location.address_line" for name in ADDRESS_LINE},
    "fullAddress": "Location.address_line (when no street address parts are given)",
    "postcode": "Location.postcode",
    "cityOrTown": "Location.town",
    "mapLocationAdditionalDetails": "Location.description",
}
# Schema -> attribute -> canonical destination. Attributes not named here are other information.
CANONICAL: dict[str, dict[str, str]] = {
    "models/event/incident.json": _INCIDENT,
    "models/event/submission.json": _SUBMISSION,
    **{path: _PERSON for path in PERSON_SCHEMAS},
    "models/object/email.json": {"emailAddress": "Person.email"},
    "models/object/telephone.json": {"telephoneNumberFull": "Person.phone"},
    "models/location/location.json": _LOCATION,
    **{
        f"models/object/{kind}.json": {
            **{name: "Item.description (in words)" for name in ITEM_DESCRIPTION},
            **_ITEM_IDENTIFIERS,
            **_ITEM_VALUE,
        }
        for kind in ("vehicle", "bicycle", "mobile", "property", "bankCard", "weapon", "evidence")
    },
}

# Public form answers with no SDM attribute (`fact.*` targets in the form definition).
FORM_FACTS = {
    "immediate_danger": "Report.immediate_danger",
    "contact_email": CONTACT,
    "contact_phone": CONTACT,
    "contact_times": CONTACT,
    "contact_others_may_read": CONTACT,
    "stolen_item_types": OTHER,  # the items themselves are SDM objects, filed as Item rows
    "anything_damaged": OTHER,
}


@dataclass(frozen=True)
class Destination:
    where: str  # "Person.given_name", OTHER, or CONTACT

    @property
    def canonical(self) -> bool:
        return self.where not in (OTHER, CONTACT)


def destination(schema_path: str, attribute: str) -> Destination:
    """Where an attribute of this schema goes. Every attribute has one."""
    return Destination(CANONICAL.get(schema_path, {}).get(attribute, OTHER))


def canonical(schema_path: str, attribute: str) -> bool:
    return destination(schema_path, attribute).canonical


def fact_destination(name: str) -> Destination | None:
    where = FORM_FACTS.get(name)
    return Destination(where) if where else None
