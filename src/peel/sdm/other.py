"""What the mapping took into canonical fields, and everything else as "other information".

`Taken` records each (entity, attribute) the mapping put into a canonical field, and refuses
an attribute the destinations registry does not send there. `other_information` then lists
every attribute not taken, in sections named after the entity's part in the report ("Victim",
"Stolen bicycle"), with the attribute's label and its value as the reporter gave it (codes as
their national descriptions): verbatim, so nothing accepted is lost.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peel.core.text import label_for
from peel.sdm.destinations import OTHER, destination
from peel.sdm.document import SCHEMA_BY_KIND, Entity, SdmDocument
from peel.sdm.schemas import SchemaSet
from peel.sdm.text import describe_value

TRUE_WORDS = {"true", "yes", "y", "1"}


# {"section": "Victim", "label": "Welfare risk details", "value": as given (codes as words)}
OtherInformation = dict[str, str]


class Taken:
    def __init__(self) -> None:
        self.ids: set[tuple[str, str]] = set()

    def take(self, entity: Entity, name: str) -> Any:
        """Mark an attribute as held by a canonical field; return its value."""
        path = SCHEMA_BY_KIND.get(entity.kind, "")
        if destination(path, name).where == OTHER:  # canonical, or contact preferences
            raise ValueError(f"{path} {name} has no canonical destination (sdm/destinations.py)")
        self.ids.add((entity.id, name))
        return entity.attributes.get(name)

    def text(self, entity: Entity, name: str, limit: int) -> str:
        """The value for a text field of `limit` characters. A longer value is cut for the
        field and kept whole in other information (it is then not taken)."""
        value = entity.attributes.get(name)
        if value in (None, ""):
            return ""
        text = str(value)
        if len(text) <= limit:
            self.take(entity, name)
        return text[:limit]

    def joined(self, entity: Entity, names: Iterable[str], limit: int | None = None) -> str:
        """Several attributes as one field (a person's description), each taken if it fits."""
        given = [
            str(entity.attributes[n]) for n in names if entity.attributes.get(n) not in (None, "")
        ]
        text = " ".join(given)
        if limit is None or len(text) <= limit:
            for name in names:
                if entity.attributes.get(name) not in (None, ""):
                    self.take(entity, name)
            return text
        return text[:limit]

    def boolean(self, entity: Entity, name: str, also: bool = False) -> bool | None:
        """A yes/no/don't-know answer; `also` makes it yes whatever was answered (a weapon
        linked to the incident). The reporter's own answer is taken only if it is the result."""
        value = entity.attributes.get(name)
        answer: bool | None
        if isinstance(value, bool):
            answer = value
        elif isinstance(value, str) and value.strip():
            answer = value.strip().lower() in TRUE_WORDS
        else:
            answer = None
        result = True if also else answer
        if answer is not None and answer is result and isinstance(value, bool):
            self.take(entity, name)
        return result


def other_information(
    document: SdmDocument, taken: Taken, schemas: SchemaSet
) -> list[OtherInformation]:
    sections = section_names(document)
    out: list[OtherInformation] = []
    for entity in [
        document.incident,
        *(e for e in document.entities.values() if e is not document.incident),
    ]:
        path = SCHEMA_BY_KIND.get(entity.kind, "")
        for name, value in entity.attributes.items():
            if (entity.id, name) in taken.ids or value in (None, "", []):
                continue
            out.append(
                {
                    "section": sections[entity.id],
                    "label": label_for(name),
                    "value": describe_value(schemas, path, name, value),
                }
            )
    return out


def section_names(document: SdmDocument) -> dict[str, str]:
    """Each entity's part in the report, in words: "Incident", "Victim", "Stolen bicycle",
    "Victim: personal email". Two entities with the same part are numbered."""
    incoming: dict[str, list[tuple[str, str]]] = {}
    for parent in document.entities.values():
        for reason, targets in parent.links.items():
            for target in targets:
                incoming.setdefault(target, []).append((parent.id, reason))
    names: dict[str, str] = {}

    def name_of(entity: Entity, depth: int = 0) -> str:
        if entity.id in names:
            return names[entity.id]
        links = incoming.get(entity.id, [])
        kind = label_for(entity.kind)
        if entity is document.incident or not links:
            return kind
        reasons = [label_for(r) for _p, r in links if r != "submission"] or [kind]
        title = " and ".join(
            dict.fromkeys(r if i == 0 else r.lower() for i, r in enumerate(reasons))
        )
        first_word = kind.split()[0].lower()
        if first_word not in title.lower():
            title = f"{title} {kind.lower()}"
        parent = document.entities.get(links[0][0])
        if parent is not None and parent is not document.incident and depth < 3:
            title = f"{name_of(parent, depth + 1)}: {title[0].lower()}{title[1:]}"
        return title

    counts: dict[str, int] = {}
    for entity in document.entities.values():
        base = name_of(entity)
        counts[base] = counts.get(base, 0) + 1
        names[entity.id] = base if counts[base] == 1 else f"{base} {counts[base]}"
    return names
