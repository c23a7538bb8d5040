"""Load a rule set and apply it to a report's facts. Pure functions: no database writes."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from peel.reports.models import Report

RULESET_DIR = Path(__file__).parent / "rulesets"
_MISSING = object()


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    min_score: int
    review_within_minutes: int


@dataclass(frozen=True)
class Rule:
    fact: str
    points: int
    reason: str
    equals: Any = _MISSING
    less_than: float | None = None

    def applies(self, facts: dict[str, Any]) -> bool:
        value = facts.get(self.fact)
        if self.equals is not _MISSING:
            return bool(value == self.equals)
        if self.less_than is not None:
            return value is not None and value < self.less_than
        return False


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    grades: tuple[Grade, ...]
    rules: tuple[Rule, ...]

    def grade_by_code(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)

    def grade_for(self, score: int) -> Grade:
        for grade in self.grades:
            if score >= grade.min_score:
                return grade
        return self.grades[-1]


@dataclass(frozen=True)
class Factor:
    fact: str
    points: int
    sentence: str


@dataclass(frozen=True)
class Outcome:
    score: int
    grade: Grade
    factors: tuple[Factor, ...]


class RuleSetError(ValueError):
    pass


@cache
def load_ruleset(name: str) -> RuleSet:
    path = RULESET_DIR / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as exc:
        raise RuleSetError(f"No triage rule set named '{name}' in {RULESET_DIR}.") from exc
    grades = tuple(
        sorted((Grade(**g) for g in data["grade"]), key=lambda g: g.min_score, reverse=True)
    )
    rules = []
    for i, raw in enumerate(data["rule"], start=1):
        unknown = set(raw) - {"fact", "points", "reason", "equals", "less_than"}
        if unknown:
            raise RuleSetError(f"Rule {i} in {path.name} has unknown keys: {sorted(unknown)}.")
        rules.append(Rule(**raw))
    return RuleSet(data["name"], data["version"], grades, tuple(rules))


def report_facts(report: Report, now: datetime) -> dict[str, Any]:
    """Everything a rule may read, as plain values (stored with the assessment)."""
    occurred = report.occurred_to or report.occurred_from
    hours = (now - occurred).total_seconds() / 3600 if occurred else None
    return {
        "immediate_danger": report.immediate_danger,
        "still_happening": report.still_happening,
        "weapon_involved": report.weapon_involved,
        "victim_under_18": report.victim_under_18,
        "victim_vulnerable": report.victim_vulnerable,
        "high_harm": report.high_harm,
        "hate_crime": report.hate_crime,
        "threat_or_assault": report.threat_or_assault,
        "suspect_known": report.suspect_known,
        "how_involved": report.how_involved,
        "hours_since_incident": round(hours, 2) if hours is not None else None,
    }


def evaluate(ruleset: RuleSet, facts: dict[str, Any]) -> Outcome:
    factors = tuple(
        Factor(rule.fact, rule.points, f"{rule.reason}: +{rule.points}")
        for rule in ruleset.rules
        if rule.applies(facts)
    )
    score = sum(f.points for f in factors)
    return Outcome(score, ruleset.grade_for(score), factors)
