"""The downstream systems robots write into, read from a TOML file (robots/targets.toml, or a
force's own named by PEEL_ROBOT_TARGETS). `peel check` reports every mistake in it."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from peel.robots.record import FIELDS

SHIPPED = Path(__file__).with_name("targets.toml")
CONNECTORS = ("api", "file", "legacy_screen")
WHEN = ("decision", "crime")


class TargetError(ValueError):
    pass


@dataclass(frozen=True)
class Policy:
    """How hard to try: the task's timeout, retries with backoff, and the circuit breaker."""

    max_attempts: int = 5
    timeout_seconds: float = 120
    retry_base_seconds: float = 10
    retry_cap_seconds: float = 600
    breaker_threshold: int = 5  # consecutive failures that open the breaker
    breaker_cooldown_seconds: float = 60  # doubled after each failed probe, up to:
    breaker_max_cooldown_seconds: float = 900


@dataclass(frozen=True)
class Target:
    name: str
    label: str
    connector: str
    when: str
    enabled: bool
    policy: Policy
    options: dict[str, Any] = field(default_factory=dict)  # the connector's own settings

    def wants(self, is_crime: bool) -> bool:
        return self.enabled and (self.when == "decision" or is_crime)

    def option(self, name: str, default: Any = None) -> Any:
        return self.options.get(name, default)

    def secret(self, name: str) -> str:
        """A secret named by `<name>_env` in the file: read from the environment, never the file."""
        variable = self.options.get(f"{name}_env", "")
        value = os.environ.get(variable, "") if variable else ""
        if not value:
            raise TargetError(f"Target {self.name}: set the environment variable {variable}.")
        return value

    def url(self) -> str:
        """`url`, unless the environment variable named by `url_env` is set."""
        variable = self.options.get("url_env", "")
        return (os.environ.get(variable) if variable else None) or str(self.options["url"])


@dataclass(frozen=True)
class Targets:
    version: str
    minutes_saved_per_record: float
    targets: dict[str, Target]

    def wanted(self, is_crime: bool) -> list[Target]:
        return [t for t in self.targets.values() if t.wants(is_crime)]

    def get(self, name: str) -> Target:
        try:
            return self.targets[name]
        except KeyError:
            raise TargetError(f"No robot target named {name!r} in {targets_path()}.") from None


def targets_path() -> Path:
    return Path(settings.PEEL["ROBOT_TARGETS"] or SHIPPED)


def robot_targets() -> Targets:
    path = targets_path()
    return _load(str(path), path.stat().st_mtime_ns)


@cache
def _load(path: str, _mtime: int) -> Targets:
    return parse_targets(Path(path).read_text())


def parse_targets(text: str) -> Targets:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TargetError(f"The robot targets file is not valid TOML: {exc}") from None
    defaults = data.get("defaults", {})
    targets: dict[str, Target] = {}
    for i, raw in enumerate(data.get("target", []), start=1):
        target = _target(i, raw, defaults)
        if target.name in targets:
            raise TargetError(f"Target {i}: the name {target.name!r} is used twice.")
        targets[target.name] = target
    return Targets(
        version=str(data.get("version", "")),
        minutes_saved_per_record=float(data.get("minutes_saved_per_record", 1.5)),
        targets=targets,
    )


def _target(i: int, raw: dict[str, Any], defaults: dict[str, Any]) -> Target:
    name = str(raw.get("name", ""))
    if not name or len(name) > 40:
        raise TargetError(f"Target {i}: give it a name of up to 40 characters.")
    connector = raw.get("connector")
    if connector not in CONNECTORS:
        raise TargetError(f"Target {name}: connector must be one of {list(CONNECTORS)}.")
    when = raw.get("when", "decision")
    if when not in WHEN:
        raise TargetError(f"Target {name}: when must be one of {list(WHEN)}.")
    policy_names = set(Policy.__dataclass_fields__)
    try:
        policy = Policy(**{k: v for k, v in {**defaults, **raw}.items() if k in policy_names})
    except TypeError as exc:
        raise TargetError(f"Target {name}: {exc}") from None
    options = {
        k: v
        for k, v in raw.items()
        if k not in policy_names | {"name", "label", "connector", "when", "enabled"}
    }
    unknown = set(options.get("fields", {})) - set(FIELDS)
    if unknown:
        raise TargetError(
            f"Target {name}: {sorted(unknown)} are not fields of the canonical record "
            f"(see robots/record.py)."
        )
    return Target(
        name=name,
        label=str(raw.get("label", name)),
        connector=connector,
        when=when,
        enabled=bool(raw.get("enabled", True)),
        policy=policy,
        options=options,
    )
