"""The rule-set harness: example reports with the grades a force expects.

Each file in `triage/examples/` (or a force's own folder) is one example: its `facts` (any left
out take the calm values in BASELINE), the `grade` it must get, and optionally the rule sentences
that must appear (`reasons`) or must not (`not_reasons`). `make test` runs them against the
shipped rule set; facts answered "don't know" go in a list called `unknown`. The Triage rules page runs them against a proposed one before it can be
switched on; `peel triage check FILE` does the same from the command line.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peel.triage.rules import RuleSet, evaluate

EXAMPLES_DIR = Path(__file__).parent / "examples"

# A report with nothing worrying in it: the starting point of every example.
BASELINE: dict[str, Any] = {
    "immediate_danger": False,
    "still_happening": False,
    "weapon_involved": False,
    "threat_or_assault": False,
    "physically_assaulted": False,
    "hate_crime": False,
    "high_harm": False,
    "victim_under_18": False,
    "victim_vulnerable": False,
    "victim_vulnerabilities": [],
    "child_present": False,
    "drugs_or_alcohol": False,
    "domestic_abuse": None,
    "dash_completed": False,
    "dash_yes_count": None,
    "dash_risk": None,
    "dash_professional_judgement": None,
    "repeat_victim_reports": 0,
    "repeat_suspect_reports": 0,
    "repeat_location_reports": 0,
    "repeat_vehicle_reports": 0,
    "suspect_known": "unknown",
    "how_involved": "victim",
    "hours_since_incident": 72.0,
    "witnesses": 0,
    "evidence_items": 0,
    "vehicle_identified": False,
    "reporter_contactable": True,
}


@dataclass(frozen=True)
class Example:
    name: str
    description: str
    facts: dict[str, Any]
    grade: str
    reasons: tuple[str, ...]
    not_reasons: tuple[str, ...]


@dataclass(frozen=True)
class ExampleResult:
    example: Example
    grade: str
    sentences: tuple[str, ...]
    problems: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.problems


def load_examples(folder: Path = EXAMPLES_DIR) -> list[Example]:
    examples = []
    for path in sorted(folder.glob("*.toml")):
        data = tomllib.loads(path.read_text())
        dont_know = {name: None for name in data.get("unknown", [])}
        given = {**data.get("facts", {}), **dont_know}
        if strange := set(given) - set(BASELINE):
            raise ValueError(f"{path.name}: no such facts {sorted(strange)}.")
        examples.append(
            Example(
                name=path.stem,
                description=data.get("description", ""),
                facts={**BASELINE, **given},
                grade=data["grade"],
                reasons=tuple(data.get("reasons", [])),
                not_reasons=tuple(data.get("not_reasons", [])),
            )
        )
    return examples


def run_examples(ruleset: RuleSet, examples: list[Example]) -> list[ExampleResult]:
    results = []
    for example in examples:
        outcome = evaluate(ruleset, example.facts)
        sentences = tuple(f.sentence for f in outcome.factors)
        problems = []
        if outcome.grade.code != example.grade:
            problems.append(f"graded {outcome.grade.code}, expected {example.grade}")
        problems += [f"missing reason: {r}" for r in example.reasons if not _said(r, sentences)]
        problems += [f"unwanted reason: {r}" for r in example.not_reasons if _said(r, sentences)]
        results.append(ExampleResult(example, outcome.grade.code, sentences, tuple(problems)))
    return results


def _said(reason: str, sentences: tuple[str, ...]) -> bool:
    """A reason matches a sentence that starts with it (points may differ between versions)."""
    return any(s.startswith(reason) for s in sentences)
