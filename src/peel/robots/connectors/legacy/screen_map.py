"""Screen maps: versioned TOML descriptions of a legacy system's screens (see maps/*.toml).

A target names its map with `screen_map = "chs-classic"` (a shipped map) or a path to a
force's own file. Loading checks the map's shape and that every field is one the canonical
record has, so a mistake shows in `peel check`, not halfway through a record.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from peel.robots.record import FIELDS

MAPS = Path(__file__).with_name("maps")
KINDS = ("text", "textarea", "select")
FORMATS = ("", "dmy")


class ScreenMapError(ValueError):
    pass


@dataclass(frozen=True)
class FieldSpec:
    selector: str
    label: str
    kind: str = "text"
    field: str = ""  # the canonical field typed here, or
    fixed: str = ""  # a constant the screen needs that Peel has no field for
    format: str = ""  # "dmy": an ISO date typed as DD/MM/YYYY
    values: dict[str, str] = dataclasses.field(default_factory=dict)  # Peel's value -> the screen's

    def value(self, values: dict[str, str]) -> str:
        """What to type, from the canonical record."""
        if not self.field:
            return self.fixed
        return screen_value(values.get(self.field, ""), self.format, self.values)


@dataclass(frozen=True)
class PageSpec:
    title: str
    next: str
    fields: list[FieldSpec]


@dataclass(frozen=True)
class ScreenMap:
    name: str
    version: int
    description: str
    page_timeout_ms: int
    error_title: str
    errors: str
    login: dict[str, str]
    menu_title: str
    find: dict[str, str]
    new_path: str
    pages: list[PageSpec]
    confirm: dict[str, str]
    record: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.name} v{self.version}"

    def field_specs(self) -> dict[str, FieldSpec]:
        return {f.field: f for page in self.pages for f in page.fields if f.field}


def screen_value(value: str, fmt: str, mapping: dict[str, str]) -> str:
    if mapping:
        return mapping.get(value, value)
    if fmt == "dmy" and value:
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    return value


def load_screen_map(name_or_path: str) -> ScreenMap:
    path = Path(name_or_path)
    if not path.suffix:
        path = MAPS / f"{name_or_path}.toml"
    if not path.exists():
        shipped = sorted(p.stem for p in MAPS.glob("*.toml"))
        raise ScreenMapError(f"No screen map {name_or_path!r}: shipped maps are {shipped}.")
    return _parse(str(path), path.stat().st_mtime_ns)


@cache
def _parse(path: str, _mtime: int) -> ScreenMap:
    try:
        data = tomllib.loads(Path(path).read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ScreenMapError(f"{path} is not valid TOML: {exc}") from None
    where = Path(path).name
    try:
        pages = [_page(where, i, raw) for i, raw in enumerate(data["page"], start=1)]
        screen_map = ScreenMap(
            name=str(data["name"]),
            version=int(data["version"]),
            description=str(data.get("description", "")),
            page_timeout_ms=int(data.get("page_timeout_ms", 15000)),
            error_title=str(data.get("error_title", "")),
            errors=str(data.get("errors", "")),
            login=_need(data["login"], where, "login", "path title username password submit"),
            menu_title=str(data["menu"]["title"]),
            find=_need(data["find"], where, "find", "path title result none"),
            new_path=str(data["new"]["path"]),
            pages=pages,
            confirm=_need(data["confirm"], where, "confirm", "title submit"),
            record=data["record"],
        )
    except KeyError as exc:
        raise ScreenMapError(f"{where}: {exc.args[0]!r} is missing.") from None
    _need(screen_map.record, where, "record", "title_prefix ref table labels")
    typed = set(screen_map.field_specs())
    unknown = (typed | set(screen_map.record["labels"])) - set(FIELDS)
    if unknown:
        raise ScreenMapError(f"{where}: {sorted(unknown)} are not canonical record fields.")
    if "key" not in typed:
        raise ScreenMapError(f'{where}: no page types the idempotency key (field = "key").')
    unread = typed - set(screen_map.record["labels"])
    if unread:
        raise ScreenMapError(f"{where}: {sorted(unread)} are typed but never read back.")
    return screen_map


def _need(section: dict[str, Any], where: str, name: str, keys: str) -> dict[str, Any]:
    missing = [k for k in keys.split() if k not in section]
    if missing:
        raise ScreenMapError(f"{where}: [{name}] needs {missing}.")
    return section


def _page(where: str, number: int, raw: dict[str, Any]) -> PageSpec:
    fields = []
    for spec in raw["fields"]:
        field_spec = FieldSpec(**spec)
        if field_spec.kind not in KINDS or field_spec.format not in FORMATS:
            raise ScreenMapError(
                f"{where}: page {number}, {field_spec.label}: unknown kind or format."
            )
        if bool(field_spec.field) == bool(field_spec.fixed):
            raise ScreenMapError(
                f"{where}: page {number}, {field_spec.label}: give either field or fixed."
            )
        fields.append(field_spec)
    return PageSpec(title=str(raw["title"]), next=str(raw["next"]), fields=fields)
