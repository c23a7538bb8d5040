"""Documents built from the national model's own examples, and malformed variants of good ones."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from peel.sdm.document import SCHEMA_BY_KIND, InvalidDocument, parse_document
from peel.sdm.samples import sample_document
from peel.sdm.schemas import load_schema_set
from peel.sdm.text import parse_text, render_text

SCHEMAS = load_schema_set()
EXAMPLE_KINDS = sorted(
    {kind for kind, path in SCHEMA_BY_KIND.items() if SCHEMAS.documents[path].get("examples")}
    - {"incident", "submission"}
)


def test_the_national_defects_are_reported_not_fatal() -> None:
    assert len(SCHEMAS.defects) == 2
    assert any("attachmentDetails.json" in d and "null" in d for d in SCHEMAS.defects)
    assert any("linkNodes.json" in d and "does not exist" in d for d in SCHEMAS.defects)


@pytest.mark.parametrize("kind", EXAMPLE_KINDS)
def test_each_national_example_is_accepted_or_refused_naming_its_properties(kind: str) -> None:
    """Several national examples fail their own schema: Peel must say exactly where."""
    path = SCHEMA_BY_KIND[kind]
    example = SCHEMAS.documents[path]["examples"][0]
    document = sample_document(seed=1)
    document["included"].append({"id": f"object.{kind}.99", "type": kind, "attributes": example})
    expected = {
        e.absolute_path[0] for e in SCHEMAS.validator(path).iter_errors(example) if e.absolute_path
    }
    expected |= set(example) - SCHEMAS.known_properties(path)
    if not expected and SCHEMAS.validator(path).is_valid(example):
        assert parse_document(document, SCHEMAS).entities[f"object.{kind}.99"].attributes == example
        return
    with pytest.raises(InvalidDocument) as raised:
        parse_document(document, SCHEMAS)
    named = {
        p.field.split(".", 1)[1]
        for p in raised.value.problems
        if p.source == f"object.{kind}.99" and "." in p.field
    }
    assert expected <= named


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(document: dict[str, Any]) -> None:
        document["data"]["attributes"][path] = value

    return change


MALFORMED: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "boolean as text": (_set("incidentStillHappening", "yes"), "Property incidentStillHappening. Expected boolean"),
    "description too long": (_set("incidentDescription", "x" * 4001), "Max Length: 4000, Actual Length: 4001"),
    "code not in list": (_set("incidentInvolvement", "IVLD_0042"), "'IVLD_0042' is not in its value list"),
    "unknown field": (_set("incidentMood", "calm"), "Property incidentMood. Not a field of incident"),
    "missing description": (lambda d: d["data"]["attributes"].pop("incidentDescription"), "Property incidentDescription. Required."),
    "bad date-time": (_set("incidentStartDateTime", "yesterday"), "'yesterday' is not a valid date-time"),
    "no submission": (lambda d: d["data"]["relationships"].pop("submission"), "no `submission` relationship"),
    "root not an incident": (lambda d: d["data"].update(type="person"), "`data` must be the incident"),
    "duplicate id": (lambda d: d["included"].append(copy.deepcopy(d["included"][0])), "appears twice"),
    "entity without id": (lambda d: d["included"].append({"type": "person", "attributes": {}}), "has no `id`"),
    "unknown entity type": (lambda d: d["included"].append({"id": "x.1", "type": "spaceship", "attributes": {}}), "type `spaceship`"),
    "included not a list": (lambda d: d.update(included={}), "`included` must be an array"),
    # Found by schemathesis: an object as the root id once raised TypeError (a 500).
    "root id an object": (lambda d: d["data"].update(id={"x": 1}), "data has no `id`"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_variants_are_refused_with_the_problem_named(name: str) -> None:
    change, words = MALFORMED[name]
    document = sample_document(seed=2)
    change(document)
    with pytest.raises(InvalidDocument) as raised:
        parse_document(document, SCHEMAS)
    assert any(words in p.detail for p in raised.value.problems), [
        p.detail for p in raised.value.problems
    ]


@pytest.mark.parametrize("seed", range(5))
def test_the_text_rendering_reads_back_to_the_same_document(seed: int) -> None:
    document = sample_document(seed=seed)
    document["data"]["attributes"]["incidentDescription"] = (
        "First line.\nNote: a second line with a colon."
    )
    assert parse_text(render_text(document, SCHEMAS), SCHEMAS) == document


def test_an_override_directory_replaces_a_national_file(tmp_path: Any) -> None:
    target = tmp_path / "models" / "event" / "components" / "incident"
    target.mkdir(parents=True)
    (target / "incidentDetails.json").write_text(
        '{"type": "object", "properties": {"incidentDescription": {"type": "string", "maxLength": 10}}}'
    )
    from peel.sdm.schemas import NATIONAL_DIR, PATCHES_DIR

    schemas = load_schema_set(NATIONAL_DIR, PATCHES_DIR, tmp_path)
    document = sample_document(seed=3)
    with pytest.raises(InvalidDocument, match="Max Length: 10"):
        parse_document(document, schemas)
