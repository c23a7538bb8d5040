"""Example reports with the grades a force expects; change a rule and these say what moved."""

import datetime as dt

import pytest
from django.utils import timezone

from peel.core.testing import file_report
from peel.triage.rules import RuleSetError, evaluate, load_ruleset

BASE = {
    "immediate_danger": False,
    "still_happening": False,
    "weapon_involved": False,
    "victim_under_18": False,
    "victim_vulnerable": False,
    "suspect_known": "unknown",
    "hours_since_incident": 72.0,
}

EXAMPLES = [
    ("old theft, no risk", {}, "P4", []),
    (
        "recent theft",
        {"hours_since_incident": 3.0},
        "P3",
        ["It happened in the last 24 hours: +10"],
    ),
    ("child victim", {"victim_under_18": True}, "P2", ["Victim is under 18: +30"]),
    (
        "assault still happening with a weapon",
        {"still_happening": True, "weapon_involved": True},
        "P1",
        ["The incident may still be happening: +40", "A weapon was involved: +30"],
    ),
    ("danger alone", {"immediate_danger": True}, "P1", ["Someone may be in immediate danger: +50"]),
    ("don't know is not yes", {"immediate_danger": None, "weapon_involved": None}, "P4", []),
]


@pytest.mark.parametrize(("name", "changes", "grade", "sentences"), EXAMPLES)
def test_example_reports_get_the_expected_grade_and_reasons(
    name: str, changes: dict[str, object], grade: str, sentences: list[str]
) -> None:
    outcome = evaluate(load_ruleset("default"), {**BASE, **changes})
    assert outcome.grade.code == grade, name
    assert [f.sentence for f in outcome.factors] == sentences


def test_a_rule_with_an_unknown_key_is_refused(tmp_path, monkeypatch) -> None:
    (tmp_path / "broken.toml").write_text(
        'name="broken"\nversion="1"\n[[grade]]\ncode="P4"\nlabel="Low"\nmin_score=0\n'
        'review_within_minutes=60\n[[rule]]\nfact="x"\nequls=true\npoints=1\nreason="typo"\n'
    )
    monkeypatch.setattr("peel.triage.rules.RULESET_DIR", tmp_path)
    load_ruleset.cache_clear()
    try:
        with pytest.raises(RuleSetError, match="unknown keys: \\['equls'\\]"):
            load_ruleset("broken")
    finally:
        load_ruleset.cache_clear()


@pytest.mark.django_db
def test_a_filed_report_is_assessed_with_the_ruleset_version_and_its_facts() -> None:
    report = file_report(
        victim_under_18=True,
        occurred_from=timezone.now() - dt.timedelta(hours=2),
    )
    assessment = report.assessments.get()
    assert assessment.grade == "P2"
    assert assessment.score == 40
    assert assessment.ruleset_version == load_ruleset("default").version
    assert assessment.facts["victim_under_18"] is True
    assert [f["sentence"] for f in assessment.factors] == [
        "Victim is under 18: +30",
        "It happened in the last 24 hours: +10",
    ]
