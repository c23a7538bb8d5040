"""Read and check one Standard API request document (`models/request/Request.yaml`).

The document is JSON:API-shaped: `data` is the incident, `included` holds every related entity,
and `relationships` name the link reasons. `parse_document` checks the envelope, every link and
every entity (against the schema for its type, plus fields the schema does not know) and returns
either an `SdmDocument` or the list of problems, each naming the entity and the property.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jsonschema.exceptions import ValidationError

from peel.sdm.schemas import SchemaSet

# Entity type (or the role in its id, "person.victim.1") -> the schema that describes it.
SCHEMA_BY_KIND = {
    "incident": "models/event/incident.json",
    "submission": "models/event/submission.json",
    "victim": "models/person/victim.json",
    "witness": "models/person/witness.json",
    "suspect": "models/person/suspect.json",
    "knownSuspect": "models/person/suspect.json",
    "unknownSuspect": "models/person/suspect.json",
    "offender": "models/person/offender.json",
    "officer": "models/person/officer.json",
    "person": "models/person/personBase.json",
    "personReporting": "models/person/personBase.json",
    "guardian": "models/person/personBase.json",
    "nextOfKin": "models/person/personBase.json",
    "location": "models/location/location.json",
    "address": "models/location/location.json",
    "stolenFromLocation": "models/location/stolenFromLocation.json",
    "attachment": "models/object/attachment.json",
    "bankCard": "models/object/bankCard.json",
    "bicycle": "models/object/bicycle.json",
    "business": "models/object/business.json",
    "channelShift": "models/object/channelShift.json",
    "drivingLicence": "models/object/drivingLicence.json",
    "email": "models/object/email.json",
    "emailAddress": "models/object/email.json",
    "evidence": "models/object/evidence.json",
    "identification": "models/object/identification.json",
    "media": "models/object/media.json",
    "mobile": "models/object/mobile.json",
    "passport": "models/object/passport.json",
    "property": "models/object/property.json",
    "publicTransportCard": "models/object/publicTransportCard.json",
    "socialMedia": "models/object/socialMedia.json",
    "telephone": "models/object/telephone.json",
    "phoneNumber": "models/object/telephone.json",
    "vehicle": "models/object/vehicle.json",
    "weapon": "models/object/weapon.json",
}
# Generic POLE types: the entity's kind is then the second part of its id.
POLE_TYPES = {"person", "object", "location", "event"}
LOCATION_ROLES = {
    "homeAddress", "currentAddress", "permanentAddress", "registeredGpAddress",
    "incidentLocation", "businessAddress", "contactAddress",
}  # fmt: skip

# Fields Peel cannot file a report without (the national schemas mark none as required).
REQUIRED = {
    "submission": ("submissionId",),
    "incident": ("incidentDescription",),
}
MAX_ENTITIES = 500


@dataclass(frozen=True)
class Problem:
    title: str
    detail: str
    source: str = ""  # the entity id (JSON:API `source` in the Standard API's errors)
    field: str = ""  # "incident.newField": what a supervisor's alert counts

    def as_dict(self) -> dict[str, str]:
        return {
            "title": self.title,
            "detail": self.detail,
            "source": self.source,
            "field": self.field,
        }


@dataclass
class Entity:
    id: str
    type: str
    kind: str  # what SCHEMA_BY_KIND knows it as
    attributes: dict[str, Any]
    links: dict[str, list[str]] = field(default_factory=dict)  # link reason -> entity ids


@dataclass
class SdmDocument:
    incident: Entity
    entities: dict[str, Entity]

    @property
    def submission(self) -> Entity:
        return self.linked(self.incident, "submission")[0]

    @property
    def submission_id(self) -> str:
        return str(self.submission.attributes["submissionId"])

    def linked(self, entity: Entity, reason: str) -> list[Entity]:
        return [self.entities[i] for i in entity.links.get(reason, []) if i in self.entities]


class InvalidDocument(ValueError):
    def __init__(self, problems: list[Problem], submission_id: str = "") -> None:
        super().__init__("; ".join(p.detail for p in problems))
        self.problems = problems
        self.submission_id = submission_id


def entity_kind(entity_id: str, entity_type: str) -> str:
    if entity_type in POLE_TYPES or entity_type in LOCATION_ROLES:
        parts = entity_id.split(".")
        role = parts[1] if len(parts) >= 3 else entity_type
        if role in LOCATION_ROLES:
            return "location"
        return role if role in SCHEMA_BY_KIND else entity_type
    return entity_type


def parse_document(body: Any, schemas: SchemaSet) -> SdmDocument:
    """Check a decoded request body; raise InvalidDocument naming every problem found."""
    problems: list[Problem] = []
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise InvalidDocument(
            [Problem("Not a Standard API request", "The body has no `data` object.")]
        )
    included = body.get("included", [])
    if not isinstance(included, list):
        raise InvalidDocument([Problem("Invalid document", "`included` must be an array.")])
    if len(included) > MAX_ENTITIES:
        raise InvalidDocument(
            [
                Problem(
                    "Too many entities",
                    f"`included` has {len(included)} entities; the limit is {MAX_ENTITIES}.",
                )
            ]
        )
    entities: dict[str, Entity] = {}
    for position, raw in enumerate([body["data"], *included]):
        where = "data" if position == 0 else f"included[{position - 1}]"
        entity = _read_entity(raw, where, problems)
        if entity is None:
            continue
        if entity.id in entities:
            problems.append(
                Problem("Duplicate entity", f"Entity id {entity.id} appears twice.", entity.id)
            )
            continue
        entities[entity.id] = entity
    root_id = body["data"].get("id")
    incident = entities.get(root_id) if isinstance(root_id, str) else None
    if incident is not None and incident.kind != "incident":
        problems.append(
            Problem(
                "Invalid root entity", "`data` must be the incident (type `incident`).", incident.id
            )
        )
    submission_id = ""
    if incident is not None:
        _check_links(entities, problems)
        submission_id = _check_submission(incident, entities, problems)
    for entity in entities.values():
        _check_entity(entity, schemas, problems)
    if problems or incident is None:
        raise InvalidDocument(problems, submission_id)
    return SdmDocument(incident=incident, entities=entities)


def _read_entity(raw: Any, where: str, problems: list[Problem]) -> Entity | None:
    if not isinstance(raw, dict):
        problems.append(Problem("Invalid entity", f"{where} is not an object."))
        return None
    entity_id, entity_type, attributes = raw.get("id"), raw.get("type"), raw.get("attributes", {})
    if not isinstance(entity_id, str) or not entity_id:
        problems.append(Problem("Missing id", f"{where} has no `id`."))
        return None
    if not isinstance(entity_type, str) or not entity_type:
        problems.append(Problem("Missing type", f"Entity {entity_id} has no `type`.", entity_id))
        return None
    if not isinstance(attributes, dict):
        problems.append(
            Problem(
                "Invalid attributes",
                f"Entity {entity_id}: `attributes` must be an object.",
                entity_id,
            )
        )
        return None
    links: dict[str, list[str]] = {}
    relationships = raw.get("relationships", {})
    if not isinstance(relationships, dict):
        problems.append(
            Problem(
                "Invalid relationships",
                f"Entity {entity_id}: `relationships` must be an object.",
                entity_id,
            )
        )
        relationships = {}
    for reason, relation in relationships.items():
        targets = relation.get("data") if isinstance(relation, dict) else None
        if isinstance(targets, dict):  # JSON:API allows a single resource identifier
            targets = [targets]
        if not isinstance(targets, list) or not all(
            isinstance(t, dict) and isinstance(t.get("id"), str) for t in targets
        ):
            problems.append(
                Problem(
                    "Invalid relationship",
                    f"Entity {entity_id}: relationship `{reason}` needs `data` with an `id` for each link.",
                    entity_id,
                    reason,
                )
            )
            continue
        links[reason] = [t["id"] for t in targets]
    return Entity(entity_id, entity_type, entity_kind(entity_id, entity_type), attributes, links)


def _check_links(entities: dict[str, Entity], problems: list[Problem]) -> None:
    for entity in entities.values():
        for reason, targets in entity.links.items():
            for target in targets:
                if target not in entities:
                    problems.append(
                        Problem(
                            "Broken link",
                            f"Entity {entity.id}: `{reason}` links to {target}, which is not in `included`.",
                            entity.id,
                            reason,
                        )
                    )


def _check_submission(
    incident: Entity, entities: dict[str, Entity], problems: list[Problem]
) -> str:
    targets = incident.links.get("submission", [])
    if not targets:
        problems.append(
            Problem(
                "Missing submission",
                "The incident has no `submission` relationship.",
                incident.id,
                "submission",
            )
        )
        return ""
    submission = entities.get(targets[0])
    if submission is None:
        return ""
    if submission.kind != "submission":
        problems.append(
            Problem(
                "Invalid submission",
                f"{submission.id} is linked as the submission but has type {submission.type}.",
                submission.id,
            )
        )
        return ""
    value = submission.attributes.get("submissionId")
    return value if isinstance(value, str) else ""


def _check_entity(entity: Entity, schemas: SchemaSet, problems: list[Problem]) -> None:
    schema_path = SCHEMA_BY_KIND.get(entity.kind)
    if schema_path is None or schema_path not in schemas.documents:
        problems.append(
            Problem(
                "Unknown entity type",
                f"Entity {entity.id} has type `{entity.type}`, which the Standard Data Model does not define.",
                entity.id,
                f"type:{entity.type}",
            )
        )
        return
    known = schemas.known_properties(schema_path)
    for name in entity.attributes:
        if name not in known:
            problems.append(
                Problem(
                    "Unknown field",
                    f"Property {name}. Not a field of {entity.kind} in the Standard Data Model.",
                    entity.id,
                    f"{entity.kind}.{name}",
                )
            )
    for name in REQUIRED.get(entity.kind, ()):
        if entity.attributes.get(name) in (None, ""):
            problems.append(
                Problem(
                    "Missing required field",
                    f"Property {name}. Required.",
                    entity.id,
                    f"{entity.kind}.{name}",
                )
            )
    if schemas.is_valid(schema_path, entity.attributes):
        return
    for error in schemas.validator(schema_path).iter_errors(entity.attributes):
        problems.append(_schema_problem(entity, error))


def _schema_problem(entity: Entity, error: ValidationError) -> Problem:
    path = [str(p) for p in error.absolute_path]
    name = path[0] if path else ""
    value = error.instance
    if (
        error.validator == "oneOf"
        and isinstance(error.validator_value, list)
        and all(isinstance(o, dict) and "const" in o for o in error.validator_value)
    ):
        title, detail = "Value not in list", f"Property {name}. {value!r} is not in its value list."
    elif error.validator == "maxLength" and isinstance(value, str):
        title = "String too long"
        detail = (
            f"Property {name}. Max Length: {error.validator_value}, Actual Length: {len(value)}"
        )
    elif error.validator == "minLength" and isinstance(value, str):
        title = "String too short"
        detail = (
            f"Property {name}. Min Length: {error.validator_value}, Actual Length: {len(value)}"
        )
    elif error.validator == "type":
        title, detail = (
            "Wrong type",
            f"Property {name}. Expected {error.validator_value}, got {type(value).__name__}.",
        )
    elif error.validator == "format":
        title, detail = (
            "Invalid format",
            f"Property {name}. {value!r} is not a valid {error.validator_value}.",
        )
    else:
        title, detail = "Invalid value", f"Property {name or '(entity)'}. {error.message[:200]}"
    return Problem(title, detail, entity.id, f"{entity.kind}.{name}" if name else entity.kind)
