"""Parse a rule set and apply it to a report's facts. Pure functions: no database access.

A rule set is a TOML document (see rulesets/default.toml for the format, explained inline).
Each rule tests one fact; when it holds it adds points, a plain sentence for the operator, and
counts towards one THRIVE heading. A rule can also set a floor on the grade (`raise_to`, e.g. a
DASH assessment of high risk) and ask for a safeguarding referral (`refer`).
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

RULESET_DIR = Path(__file__).parent / "rulesets"
THRIVE = ("threat", "harm", "risk", "investigation", "vulnerability", "engagement")
CONDITIONS = ("equals", "less_than", "at_least", "contains", "one_of")
RULE_KEYS = {"fact", "points", "reason", "thrive", "raise_to", "refer", *CONDITIONS}


class RuleSetError(ValueError):
    pass


@dataclass(frozen=True)
class Grade:
    code: str
    label: str
    min_score: int


@dataclass(frozen=True)
class Rule:
    fact: str
    condition: str
    operand: Any
    points: int
    reason: str
    thrive: str
    raise_to: str | None = None
    refer: bool = False

    def applies(self, facts: dict[str, Any]) -> bool:
        value = facts.get(self.fact)
        if value is None:  # "don't know" never fires a rule
            return False
        if self.condition == "equals":
            return bool(value == self.operand)
        if self.condition == "less_than":
            return bool(value < self.operand)
        if self.condition == "at_least":
            return bool(value >= self.operand)
        if self.condition == "contains":
            return self.operand in value
        return value in self.operand  # one_of

    def sentence(self, facts: dict[str, Any]) -> str:
        text = self.reason.format(value=facts.get(self.fact))
        if self.points:
            text += f": +{self.points}"
        if self.raise_to:
            text += f" (grade at least {self.raise_to})"
        return text


@dataclass(frozen=True)
class RuleSet:
    name: str
    version: str
    grades: tuple[Grade, ...]  # highest first
    rules: tuple[Rule, ...]
    thrive_high: int
    thrive_medium: int
    referral_grades: dict[str, str] = field(default_factory=dict)  # priority -> RAG grade
    sha256: str = ""

    def grade_by_code(self, code: str) -> Grade:
        return next(g for g in self.grades if g.code == code)

    def grade_for(self, score: int) -> Grade:
        for grade in self.grades:
            if score >= grade.min_score:
                return grade
        return self.grades[-1]

    def higher(self, a: Grade, b: Grade) -> Grade:
        return a if self.grades.index(a) <= self.grades.index(b) else b


@dataclass(frozen=True)
class Factor:
    fact: str
    points: int
    sentence: str
    thrive: str
    raise_to: str | None = None
    refer: bool = False


@dataclass(frozen=True)
class Outcome:
    score: int
    grade: Grade
    factors: tuple[Factor, ...]
    thrive: dict[str, dict[str, Any]]  # heading -> {"level", "points", "reasons"}
    referral_grade: str | None  # a RAG grade when a rule asked for a safeguarding referral

    def explanation(self) -> dict[str, Any]:
        """What the audit log keeps of an assessment, so a re-score shows both side by side."""
        return {
            "grade": self.grade.code,
            "score": self.score,
            "factors": [f.sentence for f in self.factors],
        }


def parse_ruleset(text: str, origin: str = "rule set") -> RuleSet:
    """Parse and check a rule set, naming the first mistake (with its rule number)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{origin} is not valid TOML: {exc}.") from exc
    for key in ("name", "version", "grade", "rule"):
        if key not in data:
            raise RuleSetError(f"{origin} has no '{key}'.")
    try:
        grades = tuple(
            sorted(
                (Grade(g["code"], g["label"], int(g["min_score"])) for g in data["grade"]),
                key=lambda g: g.min_score,
                reverse=True,
            )
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleSetError(f"{origin}: each [[grade]] needs code, label and min_score.") from exc
    codes = {g.code for g in grades}
    rules = tuple(_parse_rule(i, raw, codes, origin) for i, raw in enumerate(data["rule"], 1))
    thrive = data.get("thrive", {})
    referral = data.get("referral", {}).get("grades", {})
    if rules and any(r.refer for r in rules) and set(referral) != codes:
        raise RuleSetError(
            f"{origin}: [referral] grades must give a RAG grade for {sorted(codes)}."
        )
    return RuleSet(
        name=str(data["name"]),
        version=str(data["version"]),
        grades=grades,
        rules=rules,
        thrive_high=int(thrive.get("high", 30)),
        thrive_medium=int(thrive.get("medium", 10)),
        referral_grades=dict(referral),
        sha256=hashlib.sha256(text.encode()).hexdigest(),
    )


def _parse_rule(i: int, raw: dict[str, Any], grades: set[str], origin: str) -> Rule:
    where = f"Rule {i} in {origin}"
    if unknown := set(raw) - RULE_KEYS:
        raise RuleSetError(f"{where} has unknown keys: {sorted(unknown)}.")
    for key in ("fact", "points", "reason"):
        if key not in raw:
            raise RuleSetError(f"{where} has no '{key}'.")
    conditions = [c for c in CONDITIONS if c in raw]
    if len(conditions) != 1:
        raise RuleSetError(f"{where} needs exactly one of {list(CONDITIONS)}.")
    condition = conditions[0]
    if condition == "one_of" and not isinstance(raw["one_of"], list):
        raise RuleSetError(f"{where}: one_of must be a list.")
    thrive = raw.get("thrive", "risk")
    if thrive not in THRIVE:
        raise RuleSetError(f"{where}: thrive must be one of {list(THRIVE)}, not {thrive!r}.")
    if raw.get("raise_to") is not None and raw["raise_to"] not in grades:
        raise RuleSetError(f"{where}: raise_to {raw['raise_to']!r} is not a grade.")
    try:
        raw["reason"].format(value="x")
    except (KeyError, IndexError) as exc:
        raise RuleSetError(f"{where}: the reason may use only {{value}}.") from exc
    return Rule(
        fact=raw["fact"],
        condition=condition,
        operand=raw[condition],
        points=int(raw["points"]),
        reason=raw["reason"],
        thrive=thrive,
        raise_to=raw.get("raise_to"),
        refer=bool(raw.get("refer", False)),
    )


@lru_cache(maxsize=32)
def parse_ruleset_cached(text: str, origin: str = "rule set") -> RuleSet:
    return parse_ruleset(text, origin)


def load_ruleset_file(name: str) -> RuleSet:
    """A rule set shipped with Peel, by file name (without .toml)."""
    path = RULESET_DIR / f"{name}.toml"
    try:
        text = path.read_text()
    except FileNotFoundError as exc:
        raise RuleSetError(f"No triage rule set named '{name}' in {RULESET_DIR}.") from exc
    return parse_ruleset_cached(text, path.name)


def evaluate(ruleset: RuleSet, facts: dict[str, Any]) -> Outcome:
    fired = [rule for rule in ruleset.rules if rule.applies(facts)]
    factors = tuple(
        Factor(r.fact, r.points, r.sentence(facts), r.thrive, r.raise_to, r.refer) for r in fired
    )
    score = sum(f.points for f in factors)
    grade = ruleset.grade_for(score)
    for factor in factors:
        if factor.raise_to:
            grade = ruleset.higher(grade, ruleset.grade_by_code(factor.raise_to))
    referral = ruleset.referral_grades.get(grade.code) if any(f.refer for f in factors) else None
    return Outcome(score, grade, factors, _thrive(ruleset, factors), referral)


def _thrive(ruleset: RuleSet, factors: tuple[Factor, ...]) -> dict[str, dict[str, Any]]:
    summary: dict[str, dict[str, Any]] = {}
    for heading in THRIVE:
        mine = [f for f in factors if f.thrive == heading]
        points = sum(f.points for f in mine)
        if points >= ruleset.thrive_high:
            level = "high"
        elif points >= ruleset.thrive_medium:
            level = "medium"
        else:
            level = "low" if mine else "none identified"
        summary[heading] = {"level": level, "points": points, "reasons": [f.sentence for f in mine]}
    return summary
