"""Reference data for the decision: Home Office offences, incident categories and qualifiers.

The offence table ships as `reference/offences.csv` (from the police.uk offence-category
mappings, with search words added); the incident categories as `reference/incident_codes.toml`,
a sample in the NSIR shape. A force points PEEL_OFFENCES or PEEL_INCIDENT_CODES at its own files;
each is checked whole on first read and by `peel check`, and every mistake is named.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(__file__).parent / "reference"
OFFENCE_COLUMNS = ("code", "description", "group", "subgroup", "police_uk_category", "recordable")
_CODE = re.compile(r"^[0-9]{1,3}(\.[0-9]{1,2})?[A-Z]?$")
_INCIDENT_CODE = re.compile(r"^[0-9]{3}$")
_WORD = re.compile(r"[a-z0-9.]+")


class ReferenceDataError(ValueError):
    pass


@dataclass(frozen=True)
class Offence:
    code: str  # Home Office offence code, e.g. "28E"
    description: str
    group: str  # offence group and subgroup: the classification shown with the code
    subgroup: str
    police_uk_category: str
    recordable: bool  # False for outcome-only codes and fraud (recorded by Action Fraud)
    words: frozenset[str]  # what a search matches: code, description, group, keywords
    strong: frozenset[str]  # the words that rank a match: code, description, keywords

    @property
    def classification(self) -> str:
        if self.subgroup and self.subgroup != self.group:
            return f"{self.group}: {self.subgroup}"
        return self.group

    @property
    def label(self) -> str:
        return f"{self.code} {self.description}"


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    group: str
    opening: bool
    closing: bool
    offence_groups: tuple[str, ...] = ()  # offence groups or subgroups this category opens


@dataclass(frozen=True)
class IncidentCodes:
    version: str
    categories: dict[str, Category]
    qualifiers: dict[str, str]  # code -> label

    def opening(self) -> list[Category]:
        return [c for c in self.categories.values() if c.opening]

    def closing(self) -> list[Category]:
        return [c for c in self.categories.values() if c.closing]


def _words(*texts: str) -> frozenset[str]:
    return frozenset(w for text in texts for w in _WORD.findall(text.lower()))


def parse_offences(text: str, source: str) -> dict[str, Offence]:
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in OFFENCE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReferenceDataError(f"{source}: missing column(s) {', '.join(missing)}.")
    offences: dict[str, Offence] = {}
    for line, row in enumerate(reader, start=2):
        code = row["code"].strip().upper()
        if not _CODE.match(code):
            raise ReferenceDataError(f"{source} line {line}: '{code}' is not an offence code.")
        if code in offences:
            raise ReferenceDataError(f"{source} line {line}: offence {code} is listed twice.")
        if row["recordable"] not in ("yes", "no"):
            raise ReferenceDataError(f"{source} line {line}: recordable must be yes or no.")
        if not row["description"].strip():
            raise ReferenceDataError(f"{source} line {line}: offence {code} has no description.")
        offences[code] = Offence(
            code=code,
            description=row["description"].strip(),
            group=row["group"].strip(),
            subgroup=row["subgroup"].strip(),
            police_uk_category=row["police_uk_category"].strip(),
            recordable=row["recordable"] == "yes",
            words=_words(code, row["description"], row["group"], row.get("keywords") or ""),
            strong=_words(code, row["description"], row.get("keywords") or ""),
        )
    if not offences:
        raise ReferenceDataError(f"{source}: no offences.")
    return offences


def parse_incident_codes(text: str, source: str) -> IncidentCodes:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ReferenceDataError(f"{source}: not valid TOML: {exc}") from None
    categories: dict[str, Category] = {}
    for n, entry in enumerate(data.get("category", []), start=1):
        code = str(entry.get("code", ""))
        if not _INCIDENT_CODE.match(code):
            raise ReferenceDataError(f"{source} category {n}: code '{code}' is not three digits.")
        if code in categories:
            raise ReferenceDataError(f"{source} category {n}: code {code} is listed twice.")
        if not entry.get("label"):
            raise ReferenceDataError(f"{source} category {n}: code {code} has no label.")
        categories[code] = Category(
            code=code,
            label=str(entry["label"]),
            group=str(entry.get("group", "")),
            opening=bool(entry.get("opening", True)),
            closing=bool(entry.get("closing", True)),
            offence_groups=tuple(str(g) for g in entry.get("offence_groups", [])),
        )
    qualifiers: dict[str, str] = {}
    for n, entry in enumerate(data.get("qualifier", []), start=1):
        code, label = str(entry.get("code", "")), str(entry.get("label", ""))
        if not code or not label:
            raise ReferenceDataError(f"{source} qualifier {n}: needs a code and a label.")
        if code in qualifiers:
            raise ReferenceDataError(f"{source} qualifier {n}: code {code} is listed twice.")
        qualifiers[code] = label
    if not categories:
        raise ReferenceDataError(f"{source}: no incident categories.")
    return IncidentCodes(str(data.get("version", "")), categories, qualifiers)


def _read(setting: str, shipped: str) -> tuple[str, str]:
    path = Path(settings.PEEL[setting] or REFERENCE_DIR / shipped)
    return path.read_text(encoding="utf-8"), str(path)


@cache
def offences() -> dict[str, Offence]:
    return parse_offences(*_read("OFFENCES", "offences.csv"))


@cache
def incident_codes() -> IncidentCodes:
    return parse_incident_codes(*_read("INCIDENT_CODES", "incident_codes.toml"))


def search_offences(query: str, *, recordable_only: bool = True) -> list[Offence]:
    """Offences matching every word of the query (a word matches the start of any word of the
    offence, so "burg att" finds "Attempted Burglary Residential"), best first."""
    terms = _WORD.findall(query.lower())
    if not terms:
        return []
    scored = []
    for offence in offences().values():
        if recordable_only and not offence.recordable:
            continue
        if all(any(w.startswith(t) for w in offence.words) for t in terms):
            scored.append((_score(offence, terms, query), offence))
    scored.sort(key=lambda pair: -pair[0])  # stable: ties keep the table's order
    return [offence for _, offence in scored]


def _score(offence: Offence, terms: list[str], query: str) -> int:
    if offence.code.lower() == query.strip().lower():
        return 1000
    return sum(t in offence.strong for t in terms) * 10 + sum(t in offence.words for t in terms)


def suggest_offence(hint: str) -> Offence | None:
    """The offence a reporter's own words point to, only when one offence is clearly best."""
    terms = _WORD.findall(hint.lower())
    found = [
        o
        for o in search_offences(hint)
        if all(any(w.startswith(t) for w in o.strong) for t in terms)
    ]
    if not found:
        return None
    if len(found) > 1 and _score(found[0], terms, hint) == _score(found[1], terms, hint):
        return None
    return found[0]


def suggest_category(offence: Offence | None) -> Category | None:
    """The opening category whose `offence_groups` name the offence's subgroup, else group."""
    if offence is None:
        return None
    opening = incident_codes().opening()
    for name in (offence.subgroup, offence.group):
        for category in opening:
            if name in category.offence_groups:
                return category
    return None
