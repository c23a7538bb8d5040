"""An SDM document as plain text, and back: the body and PDF rendering of a report email.

The text is for people first ("Incident description: ..."), but lossless enough to read back:

    Online crime report
    Submission ID: 5af464ab-ed26-4a6e-b80e-588f35bfe78f

    == incident.1 (incident) ==
    Incident description: My bike was taken
      from the shed.                              <- continuation lines are indented
    How involved in crime: I'm a victim (IVLD_0001)   <- value-list codes kept in brackets
    Links: submission event.submission.2; victim person.victim.3

Labels are the SDM property names in words, so every field in the national model has one with
no table to maintain, and a label the model does not know is kept as part of the value before it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from peel.core.text import label_for
from peel.sdm.document import SCHEMA_BY_KIND, entity_kind
from peel.sdm.schemas import SchemaSet

TITLE = "Online crime report"
HEADING = re.compile(r"^== (?P<id>[^ ]+) \((?P<type>[^)]+)\) ==$")
FIELD = re.compile(r"^(?P<label>[A-Z][A-Za-z0-9 ]*): ?(?P<value>.*)$")
CODE = re.compile(r"\((?P<code>[A-Z]{4}_[A-Za-z0-9]+)\)$")
LIST_SEPARATOR = "; "


def _labels(schemas: SchemaSet, schema_path: str) -> dict[str, str]:
    if schema_path not in schemas.labels:
        names = schemas.known_properties(schema_path)
        schemas.labels[schema_path] = {label_for(name): name for name in names}
    return schemas.labels[schema_path]


def render_text(document: dict[str, Any], schemas: SchemaSet) -> str:
    data = document["data"]
    entities = [data, *document.get("included", [])]
    submission: dict[str, Any] = next((e for e in entities if e.get("type") == "submission"), {})
    lines = [TITLE]
    sid = submission.get("attributes", {}).get("submissionId")
    if sid:
        lines.append(f"Submission ID: {sid}")
    for entity in entities:
        lines += ["", f"== {entity['id']} ({entity['type']}) =="]
        schema_path = SCHEMA_BY_KIND.get(entity_kind(entity["id"], entity["type"]), "")
        for name, value in entity.get("attributes", {}).items():
            text = _render_value(schemas, schema_path, name, value)
            first, *rest = text.split("\n")
            lines.append(f"{label_for(name)}: {first}")
            lines += [f"  {line}" for line in rest]
        links = [
            f"{reason} {target['id']}"
            for reason, relation in entity.get("relationships", {}).items()
            for target in relation.get("data", [])
        ]
        if links:
            lines.append("Links: " + LIST_SEPARATOR.join(links))
    return "\n".join(lines) + "\n"


def _render_value(schemas: SchemaSet, schema_path: str, name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    codes = schemas.value_list(schema_path, name) if schema_path else {}
    if isinstance(value, str) and value in codes:
        return f"{html.unescape(codes[value])} ({value})"
    return str(value)


def describe_value(schemas: SchemaSet, schema_path: str, name: str, value: Any) -> str:
    """A value as a person reads it: Yes/No, and a code as its national description (the same
    words `render_text` gives, without the code)."""
    if isinstance(value, list):
        codes = schemas.item_value_list(schema_path, name) if schema_path else {}
        return LIST_SEPARATOR.join(html.unescape(codes.get(str(v), str(v))) for v in value)
    rendered = _render_value(schemas, schema_path, name, value)
    code = CODE.search(rendered)
    if code and isinstance(value, str) and code["code"] == value:
        return rendered[: code.start()].rstrip()
    return rendered


class NotAReportText(ValueError):
    pass


def parse_text(text: str, schemas: SchemaSet) -> dict[str, Any]:
    """Read a rendered report back into an SDM document (raise NotAReportText if it is not one)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if TITLE not in (line.strip() for line in lines[:5]):
        raise NotAReportText(f"The text does not start with {TITLE!r}.")
    entities: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    last_name = ""
    labels: dict[str, str] = {}
    links_text: dict[str, str] = {}
    for raw_line in lines:
        line = raw_line.rstrip()
        heading = HEADING.match(line.strip())
        if heading:
            current = {
                "id": heading["id"],
                "type": heading["type"],
                "attributes": {},
                "relationships": {},
            }
            entities.append(current)
            schema_path = SCHEMA_BY_KIND.get(entity_kind(heading["id"], heading["type"]), "")
            labels = _labels(schemas, schema_path) if schema_path in schemas.documents else {}
            last_name = ""
            continue
        if current is None or not line.strip():
            continue
        field = FIELD.match(line.strip()) if not line.startswith("  ") else None
        if (field and field["label"] == "Links") or (last_name == "Links" and not field):
            # A PDF wraps long lines: a line after "Links:" that is not a field continues it.
            last_name = "Links"
            links_text[current["id"]] = (
                links_text.get(current["id"], "")
                + " "
                + (field["value"] if field else line.strip())
            )
            continue
        if field and field["label"] in labels:
            last_name = labels[field["label"]]
            current["attributes"][last_name] = field["value"]
        elif last_name:  # a continuation line, or a "Label:" the model does not know
            current["attributes"][last_name] += "\n" + line.strip()
        else:
            unknown = field["label"] if field else line.strip()[:40]
            current["attributes"][unknown] = field["value"] if field else line.strip()
    if not entities or entities[0]["type"] != "incident":
        raise NotAReportText("The text has no incident section.")
    types = {entity["id"]: entity["type"] for entity in entities}
    for entity in entities:
        for link in links_text.get(entity["id"], "").split(LIST_SEPARATOR.strip()):
            reason, _, target = link.strip().partition(" ")
            if reason and target:
                relation = entity["relationships"].setdefault(reason, {"data": []})
                relation["data"].append({"id": target.strip(), "type": ""})
        for relation in entity["relationships"].values():
            for target in relation["data"]:
                target["type"] = types.get(target["id"], target["type"])
        schema_path = SCHEMA_BY_KIND.get(entity_kind(entity["id"], entity["type"]), "")
        entity["attributes"] = {
            name: _parse_value(schemas, schema_path, name, value)
            for name, value in entity["attributes"].items()
        }
        if not entity["relationships"]:
            del entity["relationships"]
    return {"data": entities[0], "included": entities[1:]}


def _parse_value(schemas: SchemaSet, schema_path: str, name: str, value: str) -> Any:
    kind = schemas.property_type(schema_path, name) if schema_path in schemas.documents else None
    if kind == "boolean" and value in ("Yes", "No"):
        return value == "Yes"
    if kind == "array":
        return [v for v in value.split(LIST_SEPARATOR) if v]
    if kind in ("number", "integer"):
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() else number
    code = CODE.search(value)
    if code and code["code"] in schemas.value_list(schema_path, name):
        return code["code"]
    return value
