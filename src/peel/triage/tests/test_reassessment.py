"""Assessments on real reports: history, re-scoring, DASH, referrals and switching rule sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from peel.audit.models import AuditEvent
from peel.process.testing import file_report
from peel.reports.choices import Role
from peel.reports.drafts import PersonDraft
from peel.triage import dash
from peel.triage.actions import (
    do_activate_ruleset,
    do_propose_ruleset,
    do_record_dash,
    do_rescore_stale,
)
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.rules import RULESET_DIR
from peel.triage.store import active_ruleset
from peel.workqueue.models import WorkItem, WorkKind

pytestmark = pytest.mark.django_db


def victim(email: str = "amira.khan@example.org", **fields) -> list[PersonDraft]:
    return [
        PersonDraft(
            roles=[Role.PERSON_REPORTING.value, Role.VICTIM.value],
            given_name="Amira", family_name="Khan", email=email, **fields,
        )
    ]  # fmt: skip


def review_item(report) -> WorkItem:
    return WorkItem.objects.get(report=report, kind=WorkKind.REVIEW_REPORT)


def test_a_filed_report_is_assessed_with_the_rule_set_in_use_and_its_facts() -> None:
    report = file_report(victim_under_18=True, occurred_from=timezone.now() - dt.timedelta(hours=2))
    assessment = report.assessments.get()
    assert (assessment.grade, assessment.score) == ("P2", 40)
    assert assessment.ruleset_version == active_ruleset().version
    assert assessment.facts["victim_under_18"] is True
    assert [f["sentence"] for f in assessment.factors] == [
        "Victim is under 18: +30",
        "It happened in the last 24 hours: +10",
    ]
    assert assessment.thrive["vulnerability"]["level"] == "high"
    assert review_item(report).grade == "P2"


def test_the_same_victim_again_makes_a_repeat_victim_and_re_scores_the_open_earlier_report() -> (
    None
):
    first = file_report(people=victim())
    assert review_item(first).grade == "P4"
    # Same person, identified by email in a different case: intake lowercases it.
    second = file_report(people=victim("Amira.Khan@Example.org"))
    assert second.assessments.get().facts["repeat_victim_reports"] == 1
    assert second.assessments.get().grade == "P3"
    rescored = first.assessments.first()
    assert rescored.reason == f"Linked history changed: new report {second.reference}"
    assert rescored.previous is not None and rescored.grade == "P3"
    assert review_item(first).grade == "P3"
    event = AuditEvent.objects.filter(action="triage.rescored").get()
    assert event.before["grade"] == "P4" and event.before["factors"] == []
    assert event.after["grade"] == "P3"
    assert event.after["factors"] == [
        "The victim is named in 1 other report(s) in the last 12 months: +20"
    ]
    assert AuditEvent.objects.filter(action="work.regraded").count() == 1


def test_a_different_person_is_not_a_repeat_victim() -> None:
    file_report(people=victim())
    other = file_report(people=victim("someone.else@example.org"))
    assert other.assessments.get().facts["repeat_victim_reports"] == 0


def test_a_report_outside_the_look_back_period_does_not_count(settings) -> None:
    settings.PEEL = {**settings.PEEL, "REPEAT_LOOKBACK_DAYS": 30}
    old = file_report(people=victim())
    type(old).objects.filter(pk=old.pk).update(received_at=timezone.now() - dt.timedelta(days=31))
    new = file_report(people=victim())
    assert new.assessments.get().facts["repeat_victim_reports"] == 0


def test_the_same_address_three_times_is_a_repeat_location() -> None:
    reports = [file_report() for _ in range(3)]
    facts = reports[-1].assessments.get().facts
    assert facts["repeat_location_reports"] == 2
    assert "2 other reports in the last 12 months give the same address: +10" in [
        f["sentence"] for f in reports[-1].assessments.get().factors
    ]


def dash_answers(yes: int) -> dict[str, str]:
    return {key: ("yes" if i < yes else "no") for i, key in enumerate(dash.KEYS)}


def test_a_completed_dash_re_scores_the_report_and_moves_its_item(operator) -> None:
    report = file_report()
    assert review_item(report).grade == "P4"
    record = do_record_dash(operator, report, dash_answers(15), False, "")
    assert (record.yes_count, record.risk) == (15, "high")
    latest = report.assessments.first()
    assert latest.reason == "DASH risk assessment completed"
    assert latest.grade == "P1"
    item = review_item(report)
    assert item.grade == "P1" and item.rank <= 1
    referral = WorkItem.objects.get(report=report, kind=WorkKind.SAFEGUARDING_REFERRAL)
    assert referral.grade == "RED" and referral.team.slug == "safeguarding-hub"
    assert "DASH risk assessment: high risk" in referral.summary


def test_dash_refuses_unanswered_questions_and_judgement_without_a_reason(operator) -> None:
    report = file_report()
    answers = dash_answers(3)
    del answers["strangulation"]
    with pytest.raises(ValueError, match="strangulation"):
        do_record_dash(operator, report, answers, False, "")
    with pytest.raises(ValueError, match="professional judgement"):
        do_record_dash(operator, report, dash_answers(3), True, " ")
    assert not report.dash_assessments.exists()


def test_an_analyst_may_not_record_dash(analyst) -> None:
    with pytest.raises(PermissionError):
        do_record_dash(analyst, file_report(), dash_answers(1), False, "")


def stricter_source(version: str = "2099.1") -> str:
    source = (RULESET_DIR / "default.toml").read_text()
    source = source.replace('version = "2026.11-3"', f'version = "{version}"')
    # Any recent incident now counts for more: old thefts stay P4, recent ones become P2.
    return source.replace("less_than = 24\npoints = 10", "less_than = 24\npoints = 30")


def test_a_proposed_rule_set_that_breaks_an_example_cannot_be_switched_on(supervisor) -> None:
    draft = do_propose_ruleset(supervisor, stricter_source())
    assert draft.status == RuleSetStatus.DRAFT
    with pytest.raises(ValueError, match="recent-theft"):
        do_activate_ruleset(supervisor, draft.pk)
    assert active_ruleset().version == "2026.11-3"


def test_switching_on_a_rule_set_re_scores_open_reports_with_both_explanations(supervisor) -> None:
    recent = file_report(occurred_from=timezone.now() - dt.timedelta(hours=1))
    assert review_item(recent).grade == "P3"
    # A change the examples allow: hate crime counts for more.
    source = (
        (RULESET_DIR / "default.toml")
        .read_text()
        .replace('version = "2026.11-3"', 'version = "2099.2"')
    )
    source = source.replace(
        'fact = "hours_since_incident"\nless_than = 24\npoints = 10',
        'fact = "hours_since_incident"\nless_than = 24\npoints = 12',
    )
    draft = do_propose_ruleset(supervisor, source)
    do_activate_ruleset(supervisor, draft.pk)
    assert RuleSetVersion.objects.get(version="2026.11-3").status == RuleSetStatus.RETIRED
    assert do_rescore_stale() == 1
    assert do_rescore_stale() == 0
    latest = recent.assessments.first()
    assert latest.ruleset_version == "2099.2"
    assert latest.reason == "Rule set 2099.2 switched on"
    event = AuditEvent.objects.filter(action="triage.rescored").latest("id")
    assert event.before["factors"] == ["It happened in the last 24 hours: +10"]
    assert event.after["factors"] == ["It happened in the last 24 hours: +12"]


def test_a_version_number_cannot_be_reused(supervisor) -> None:
    source = (RULESET_DIR / "default.toml").read_text()
    with pytest.raises(ValueError, match="already exists"):
        do_propose_ruleset(supervisor, source)


def test_an_operator_cannot_change_the_rules(operator) -> None:
    with pytest.raises(PermissionError):
        do_propose_ruleset(operator, stricter_source())
