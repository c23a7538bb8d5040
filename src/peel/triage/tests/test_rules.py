"""The rule engine and the example harness: a force changes rules and sees what moved."""

from __future__ import annotations

import pytest

from peel.triage.examples import BASELINE, load_examples, run_examples
from peel.triage.rules import (
    RULESET_DIR,
    THRIVE,
    RuleSetError,
    evaluate,
    load_ruleset_file,
    parse_ruleset,
)

SHIPPED = load_ruleset_file("default")
EXAMPLES = load_examples()


def test_the_harness_has_examples_for_every_grade() -> None:
    assert {e.grade for e in EXAMPLES} == {"P1", "P2", "P3", "P4"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_each_example_report_gets_its_expected_grade_and_reasons(example) -> None:
    (result,) = run_examples(SHIPPED, [example])
    assert result.passed, f"{example.name}: {result.problems}; sentences {result.sentences}"


def test_a_rule_change_that_moves_an_example_is_caught() -> None:
    shipped_source = (RULESET_DIR / "default.toml").read_text()
    weaker = shipped_source.replace(
        'fact = "victim_under_18"\nequals = true\npoints = 30',
        'fact = "victim_under_18"\nequals = true\npoints = 5',
    )
    assert weaker != shipped_source
    failed = [r for r in run_examples(parse_ruleset(weaker), EXAMPLES) if not r.passed]
    assert [r.example.name for r in failed] == ["child-victim"]
    assert failed[0].problems == ("graded P4, expected P2",)


def test_each_factor_is_a_plain_sentence_with_its_points() -> None:
    outcome = evaluate(SHIPPED, {**BASELINE, "victim_under_18": True, "repeat_victim_reports": 3})
    assert [f.sentence for f in outcome.factors] == [
        "The victim is named in 3 other report(s) in the last 12 months: +20",
        "Victim is under 18: +30",
    ]
    assert (outcome.score, outcome.grade.code) == (50, "P1")


def test_the_outcome_is_a_thrive_assessment_under_all_six_headings() -> None:
    outcome = evaluate(
        SHIPPED,
        {
            **BASELINE,
            "weapon_involved": True,
            "suspect_known": "known",
            "reporter_contactable": False,
        },
    )
    assert list(outcome.thrive) == list(THRIVE)
    assert outcome.thrive["threat"]["level"] == "high"
    assert outcome.thrive["threat"]["reasons"] == ["A weapon was involved: +30"]
    assert outcome.thrive["investigation"]["level"] == "medium"
    assert outcome.thrive["engagement"]["reasons"] == [
        "No email or phone number was given: the reporter cannot be contacted"
    ]
    assert outcome.thrive["harm"]["level"] == "none identified"


def test_dash_professional_judgement_raises_the_grade_whatever_the_score() -> None:
    outcome = evaluate(SHIPPED, {**BASELINE, "dash_professional_judgement": True})
    assert outcome.score == 0
    assert outcome.grade.code == "P2"
    assert outcome.referral_grade == "AMBER"


def test_fourteen_dash_yes_answers_is_high_risk_and_asks_for_a_red_referral(settings) -> None:
    from peel.triage.dash import risk_level

    assert [risk_level(n) for n in (9, 10, 13, 14, 24)] == [
        "standard", "medium", "medium", "high", "high",
    ]  # fmt: skip
    outcome = evaluate(SHIPPED, {**BASELINE, "dash_risk": "high", "domestic_abuse": True})
    assert outcome.grade.code == "P1"
    assert outcome.referral_grade == "RED"


def test_each_sdm_vulnerability_question_has_its_own_rule() -> None:
    from peel.sdm.mapping import VULNERABILITY_QUESTIONS

    covered = {r.operand for r in SHIPPED.rules if r.fact == "victim_vulnerabilities"}
    # under18 is its own fact (victim_under_18), so it is not counted twice.
    assert covered == set(VULNERABILITY_QUESTIONS) - {"under18"}


def test_dont_know_never_fires_a_rule() -> None:
    unknown = {name: None for name in BASELINE}
    assert evaluate(SHIPPED, unknown).factors == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("equals = true\npoints = 30", "needs exactly one of"),
        ('thrive = "vulnerability"', "thrive must be one of"),
        ('reason = "Victim is under 18"', "the reason may use only {value}"),
        ("points = 30\nthrive", "unknown keys: ['equls']"),
    ],
)
def test_a_mistake_in_a_rule_is_named_with_its_rule_number(change: str, message: str) -> None:
    good = (
        'name = "t"\nversion = "1"\n[[grade]]\ncode = "P4"\nlabel = "Low"\nmin_score = 0\n'
        '[[rule]]\nfact = "victim_under_18"\nequals = true\npoints = 30\n'
        'thrive = "vulnerability"\nreason = "Victim is under 18"\n'
    )
    broken = {
        "needs exactly one of": good.replace(change, "equals = true\nless_than = 3\npoints = 30"),
        "thrive must be one of": good.replace(change, 'thrive = "vibes"'),
        "the reason may use only {value}": good.replace(change, 'reason = "Victim {age}"'),
        "unknown keys: ['equls']": good.replace(change, "points = 30\nequls = 1\nthrive"),
    }[message]
    parse_ruleset(good)
    with pytest.raises(RuleSetError, match=r"Rule 1 in rule set") as caught:
        parse_ruleset(broken)
    assert message in str(caught.value)


def test_peel_triage_check_fails_a_rule_set_that_moves_an_example(tmp_path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = tmp_path / "proposal.toml"
    path.write_text(
        (RULESET_DIR / "default.toml").read_text().replace("min_score = 50", "min_score = 80")
    )
    with pytest.raises(CommandError, match="of 14 examples pass"):
        call_command("triage", "check", str(path))


def test_peel_check_names_a_broken_service_level_file(tmp_path, settings) -> None:
    from peel.workqueue.checks import service_level_file
    from peel.workqueue.service_levels import service_levels

    broken = tmp_path / "levels.toml"
    broken.write_text('[[level]]\nkind = "review_report"\ngrades = ["*"]\ndeadlines = []\n')
    settings.PEEL = {**settings.PEEL, "SERVICE_LEVELS": str(broken)}
    try:
        (error,) = service_level_file()
        assert "has no deadlines" in error.msg
    finally:
        settings.PEEL = {**settings.PEEL, "SERVICE_LEVELS": ""}
        service_levels.cache_clear()
