"""The national Standard Data Model's JSON Schemas, loaded from disk with every `$ref` local.

The copy under `national/` is a real national standard with real defects (a `null` `$ref`, a
reference to a file that does not exist). They are reported as `defects` when the set loads and
the broken reference accepts any value, instead of crashing intake. A force can replace any file
by putting its own copy at the same relative path under `PEEL["SDM_OVERRIDE_DIR"]`; Peel's own
fixes for the national files live the same way in `patches/`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

NATIONAL_DIR = Path(__file__).parent / "national"
PATCHES_DIR = Path(__file__).parent / "patches"
# Every file is known by this base + its relative path. `.invalid` never resolves: no network.
BASE_URI = "https://sdm.peel.invalid/"

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if isinstance(value, str):
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return True


@FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        dt.date.fromisoformat(value)
    return True


def _is_date_time_rs(value: str) -> bool:
    try:
        return _is_date_time(value)
    except ValueError:
        return False


def _is_date_rs(value: str) -> bool:
    try:
        return _is_date(value)
    except ValueError:
        return False


@dataclass
class SchemaSet:
    sources: tuple[Path, ...]
    documents: dict[str, Any] = field(default_factory=dict)  # relative path -> JSON
    defects: list[str] = field(default_factory=list)
    registry: Registry = field(default_factory=Registry)
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict)
    _fast: dict[str, Any] = field(default_factory=dict)
    _types: dict[tuple[str, str], str | None] = field(default_factory=dict)
    _lists: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    _properties: dict[str, frozenset[str]] = field(default_factory=dict)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)  # cache for sdm.text

    def is_valid(self, relative_path: str, instance: Any) -> bool:
        """The fast check (Rust, about 30x quicker); `validator()` explains any failure."""
        if relative_path not in self._fast:
            self._fast[relative_path] = jsonschema_rs.Draft202012Validator(
                {"$ref": BASE_URI + relative_path},
                retriever=self._retrieve,
                validate_formats=True,
                formats={"date-time": _is_date_time_rs, "date": _is_date_rs},
            )
        return bool(self._fast[relative_path].is_valid(instance))

    def _retrieve(self, uri: str) -> Any:
        if not uri.startswith(BASE_URI):
            raise ValueError(f"{uri} is not part of the Standard Data Model (no network lookups)")
        return self.documents[uri[len(BASE_URI) :].split("#")[0]]

    def validator(self, relative_path: str) -> Draft202012Validator:
        if relative_path not in self._validators:
            schema = {"$ref": BASE_URI + relative_path}
            self._validators[relative_path] = Draft202012Validator(
                schema, registry=self.registry, format_checker=FORMATS
            )
        return self._validators[relative_path]

    def known_properties(self, relative_path: str) -> frozenset[str]:
        """Every property name the schema (through allOf/oneOf/anyOf and $ref) defines."""
        if relative_path not in self._properties:
            names = {
                name
                for _path, node in self._nodes(relative_path)
                for name in node.get("properties", {})
            }
            self._properties[relative_path] = frozenset(names)
        return self._properties[relative_path]

    def _nodes(self, relative_path: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each schema object that makes up a file's schema, with the file it is in: through
        allOf/oneOf/anyOf and whole-file `$ref`s, each file once."""
        stack: list[tuple[str, Any]] = [(relative_path, self.documents[relative_path])]
        seen = {relative_path}
        while stack:
            path, node = stack.pop()
            if not isinstance(node, dict):
                continue
            yield path, node
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend((path, sub) for sub in node.get(key, []))
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                target = _join(path, ref.split("#")[0])
                if target in self.documents and target not in seen:
                    seen.add(target)
                    stack.append((target, self.documents[target]))

    def property_type(self, relative_path: str, prop: str) -> str | None:
        """The JSON type of a property ("string", "boolean", "array", ...), if the schema says."""
        key = (relative_path, prop)
        if key not in self._types:
            types = (
                n["type"]
                for n in self._property_schemas(relative_path, prop)
                if isinstance(n.get("type"), str)
            )
            self._types[key] = next(types, None)
        return self._types[key]

    def value_list(self, relative_path: str, prop: str) -> dict[str, str]:
        """Code -> English for a property whose schema is a controlled value list, else {}."""
        key = (relative_path, prop)
        if key not in self._lists:
            self._lists[key] = self._read_value_list(relative_path, prop)
        return self._lists[key]

    def item_value_list(self, relative_path: str, prop: str) -> dict[str, str]:
        """Code -> English for the items of an array property whose items are coded."""
        key = (relative_path, prop + "[]")
        if key not in self._lists:
            codes: dict[str, str] = {}
            for path, node in self._nodes(relative_path):
                items = node.get("properties", {}).get(prop, {})
                items = items.get("items") if isinstance(items, dict) else None
                ref = items.get("$ref") if isinstance(items, dict) else None
                if isinstance(ref, str):
                    file_part, _, pointer = ref.partition("#")
                    items = _pointer(
                        self.documents.get(_join(path, file_part) if file_part else path), pointer
                    )
                for option in items.get("oneOf", []) if isinstance(items, dict) else []:
                    if isinstance(option, dict) and "const" in option:
                        codes[str(option["const"])] = str(option.get("description", ""))
            self._lists[key] = codes
        return self._lists[key]

    def _read_value_list(self, relative_path: str, prop: str) -> dict[str, str]:
        codes: dict[str, str] = {}
        for node in self._property_schemas(relative_path, prop):
            for option in node.get("oneOf", []):
                if isinstance(option, dict) and "const" in option:
                    codes[str(option["const"])] = str(option.get("description", option["const"]))
        return codes

    def _property_schemas(self, relative_path: str, prop: str) -> Iterator[dict[str, Any]]:
        """The schema node(s) that define `prop`, with one level of `$ref` followed."""
        for path, node in self._nodes(relative_path):
            target = node.get("properties", {}).get(prop)
            if not isinstance(target, dict):
                continue
            ref = target.get("$ref")
            if isinstance(ref, str):
                file_part, _, pointer = ref.partition("#")
                resolved = _pointer(
                    self.documents.get(_join(path, file_part) if file_part else path), pointer
                )
                if isinstance(resolved, dict):
                    yield resolved
            else:
                yield target


def _join(base: str, relative: str) -> str:
    """Resolve a relative file reference against the referring file's relative path."""
    parts = base.split("/")[:-1]
    for piece in relative.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if parts:
                parts.pop()
        else:
            parts.append(piece)
    return "/".join(parts)


def _pointer(document: Any, pointer: str) -> Any:
    node = document
    for token in (t for t in pointer.split("/") if t):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _read_tree(sources: tuple[Path, ...]) -> tuple[dict[str, Any], list[str]]:
    documents: dict[str, Any] = {}
    defects: list[str] = []
    for source in sources:  # later sources replace earlier files of the same relative path
        for path in sorted(source.rglob("*.json")):
            relative = path.relative_to(source).as_posix()
            try:
                document = json.loads(path.read_text(encoding="utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                defects.append(f"{relative}: not valid JSON ({exc}); file ignored")
                continue
            if isinstance(document, dict):
                # Some value lists carry a made-up $id (schema.XXX.co.uk): files are known by path.
                document.pop("$id", None)
            documents[relative] = document
    return documents, defects


def _repair_references(documents: dict[str, Any], defects: list[str]) -> None:
    """Replace each broken `$ref` by an empty schema (accept anything) and record why."""

    def walk(path: str, node: Any, where: str) -> None:
        if isinstance(node, dict):
            if "$ref" in node:
                problem = _reference_problem(documents, path, node["$ref"])
                if problem:
                    defects.append(f"{path}: $ref at {where or '/'} {problem}; any value accepted")
                    del node["$ref"]
            for key, value in node.items():
                walk(path, value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(path, value, f"{where}/{index}")

    for path, document in documents.items():
        walk(path, document, "")


def _reference_problem(documents: dict[str, Any], path: str, ref: Any) -> str:
    if not isinstance(ref, str):
        return f"is {json.dumps(ref)}, not a reference"
    file_part, _, pointer = ref.partition("#")
    target = _join(path, file_part) if file_part else path
    if target not in documents:
        return f"points to {file_part}, which does not exist"
    if pointer and _pointer(documents[target], pointer) is None:
        return f"points to {ref}, which is not in that file"
    return ""


def load_schema_set(*sources: Path) -> SchemaSet:
    """Load the files of each source directory in turn; a later file replaces an earlier one."""
    sources = sources or (NATIONAL_DIR, PATCHES_DIR)
    documents, defects = _read_tree(sources)
    _repair_references(documents, defects)
    resources = [
        (BASE_URI + relative, Resource.from_contents(document, default_specification=DRAFT202012))
        for relative, document in documents.items()
    ]
    registry: Registry = Registry().with_resources(resources)
    return SchemaSet(
        sources=sources,
        documents=documents,
        defects=defects,
        registry=registry,
    )


@cache
def national_schemas() -> SchemaSet:
    """The schema set intake uses, built once per process from settings."""
    from django.conf import settings

    override = settings.PEEL.get("SDM_OVERRIDE_DIR")
    sources = (NATIONAL_DIR, PATCHES_DIR) + ((Path(override),) if override else ())
    return load_schema_set(*sources)
