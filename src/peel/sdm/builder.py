"""Build a Standard API request document: used by the public form, the demo and the tests.

doc = SdmBuilder(submission_id)
victim = doc.add("person", "victim", {"givenName": "Ada"}, link="victim")
doc.link(victim, "personalEmail", doc.add("object", "emailAddress", {...}))
body = doc.as_dict()
"""

from __future__ import annotations

from typing import Any


class SdmBuilder:
    def __init__(self, submission_id: str, incident: dict[str, Any] | None = None) -> None:
        self._count = 0
        self._entities: dict[str, dict[str, Any]] = {}
        self.incident_id = "incident.1"
        self._root: dict[str, Any] = {
            "id": self.incident_id,
            "type": "incident",
            "attributes": {k: v for k, v in (incident or {}).items() if v not in (None, "")},
            "relationships": {},
        }
        self.submission_id = submission_id
        self.add("event", "submission", {"submissionId": submission_id}, link="submission")

    @property
    def incident(self) -> dict[str, Any]:
        attributes: dict[str, Any] = self._root["attributes"]
        return attributes

    def attributes(self, entity_id: str) -> dict[str, Any]:
        attributes: dict[str, Any] = self._entities[entity_id]["attributes"]
        return attributes

    @property
    def submission(self) -> dict[str, Any]:
        return self.attributes(self._root["relationships"]["submission"]["data"][0]["id"])

    def add(self, pole: str, kind: str, attributes: dict[str, Any], link: str = "") -> str:
        """Add an entity (`pole`: person, object, location, event) and optionally link it."""
        self._count += 1
        entity_id = f"{pole}.{kind}.{self._count}"
        entity_type = kind if pole == "event" else pole
        self._entities[entity_id] = {
            "id": entity_id,
            "type": entity_type,
            "attributes": {k: v for k, v in attributes.items() if v not in (None, "")},
            "relationships": {},
        }
        if link:
            self.link(self.incident_id, link, entity_id)
        return entity_id

    def link(self, source_id: str, reason: str, target_id: str) -> None:
        source = self._root if source_id == self.incident_id else self._entities[source_id]
        target_type = self._entities[target_id]["type"]
        relation = source["relationships"].setdefault(reason, {"data": []})
        relation["data"].append({"id": target_id, "type": target_type})

    def as_dict(self) -> dict[str, Any]:
        included = []
        for entity in self._entities.values():
            copy = dict(entity)
            if not copy["relationships"]:
                copy.pop("relationships")
            included.append(copy)
        return {"data": self._root, "included": included}
