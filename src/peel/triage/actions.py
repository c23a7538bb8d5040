from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from peel.accounts.models import User
from peel.audit import log as audit
from peel.audit.actors import SYSTEM, Actor, command
from peel.reports.models import Report
from peel.triage import dash
from peel.triage.examples import load_examples, run_examples
from peel.triage.facts import report_facts
from peel.triage.history import History, linked_history
from peel.triage.locks import lock_identities, lock_report
from peel.triage.models import Assessment, DashAssessment, RuleSetStatus, RuleSetVersion
from peel.triage.rules import Outcome, RuleSet, RuleSetError, evaluate, parse_ruleset
from peel.triage.store import SHIPPED, active_ruleset
from peel.workqueue.actions import OPEN_STATUSES, do_enqueue_report, do_refer_to_safeguarding
from peel.workqueue.actions import do_regrade_report_items as _regrade_items
from peel.workqueue.models import WorkItem, WorkKind


def _save(
    report: Report, ruleset: RuleSet, outcome: Outcome, facts: dict[str, Any], reason: str,
    previous: Assessment | None,
) -> Assessment:  # fmt: skip
    return Assessment.objects.create(
        report=report,
        assessed_at=timezone.now(),
        reason=reason[:200],
        previous=previous,
        ruleset_name=ruleset.name,
        ruleset_version=ruleset.version,
        score=outcome.score,
        grade=outcome.grade.code,
        grade_label=outcome.grade.label,
        factors=[asdict(f) for f in outcome.factors],
        thrive=outcome.thrive,
        referral_grade=outcome.referral_grade or "",
        facts=facts,
    )


def do_assess_report(actor: Actor, report: Report, history: History | None = None) -> Assessment:
    """The first assessment of a newly filed report."""
    ruleset = active_ruleset()
    facts = report_facts(report, timezone.now(), history)
    outcome = evaluate(ruleset, facts)
    with transaction.atomic():
        assessment = _save(report, ruleset, outcome, facts, "Report filed", None)
        audit.record(
            actor, "triage.assessed", assessment,
            after={"report": report.reference, "ruleset": f"{ruleset.name} {ruleset.version}",
                   **outcome.explanation()},
        )  # fmt: skip
    return assessment


def do_triage_new_report(actor: Actor, report: Report) -> Assessment:
    """Assess a newly filed report, queue it for review (and referral if due), and re-score the
    open reports that share a person, place or vehicle with it: their history just changed."""
    with transaction.atomic():
        lock_identities(report)  # a filing sharing an identity with this one commits first
        history = linked_history(report)
        assessment = do_assess_report(actor, report, history)
        do_enqueue_report(actor, report, assessment.grade)
        _refer_if_due(actor, report, assessment)
        for other in _open_reports(history.all()):
            do_rescore_report(
                actor, other, f"Linked history changed: new report {report.reference}"
            )
    return assessment


def _open_reports(report_ids: set[int]) -> list[Report]:
    if not report_ids:
        return []
    open_ids = WorkItem.objects.filter(
        report_id__in=report_ids, kind=WorkKind.REVIEW_REPORT, status__in=OPEN_STATUSES
    ).values("report_id")
    return list(Report.objects.filter(pk__in=open_ids).order_by("pk"))


def do_rescore_report(actor: Actor, report: Report, reason: str) -> Assessment | None:
    """Re-assess with the rule set in use now. If the outcome changed, keep both explanations in
    the audit log and move the report's open work to the new grade. None when nothing changed."""
    # Deferred, so the chain's lock comes after the report's and its work items' row locks.
    with transaction.atomic(), audit.deferred():
        lock_report(report)  # another re-score of it commits first; its facts are read after
        ruleset = active_ruleset()
        facts = report_facts(report, timezone.now())
        outcome = evaluate(ruleset, facts)
        previous = report.assessments.select_for_update().order_by("-assessed_at", "-id").first()
        if previous is not None and _same(previous, ruleset, outcome):
            return None
        assessment = _save(report, ruleset, outcome, facts, reason, previous)
        before = _explanation_of(previous) if previous else None
        audit.record(
            actor, "triage.rescored", assessment, before,
            {"report": report.reference, "reason": reason,
             "ruleset": f"{ruleset.name} {ruleset.version}", **outcome.explanation()},
        )  # fmt: skip
        _regrade_items(actor, report, outcome.grade.code, f"Re-scored: {reason}")
        _refer_if_due(actor, report, assessment)
    return assessment


def _same(previous: Assessment, ruleset: RuleSet, outcome: Outcome) -> bool:
    return (
        previous.ruleset_version == ruleset.version
        and previous.score == outcome.score
        and previous.grade == outcome.grade.code
        and [f["sentence"] for f in previous.factors] == [f.sentence for f in outcome.factors]
    )


def _explanation_of(assessment: Assessment) -> dict[str, Any]:
    return {
        "grade": assessment.grade,
        "score": assessment.score,
        "factors": [f["sentence"] for f in assessment.factors],
        "ruleset": f"{assessment.ruleset_name} {assessment.ruleset_version}",
    }


def _refer_if_due(actor: Actor, report: Report, assessment: Assessment) -> None:
    """Queue one safeguarding referral for the report the first time triage asks for it."""
    if not assessment.referral_grade:
        return
    if WorkItem.objects.filter(report=report, kind=WorkKind.SAFEGUARDING_REFERRAL).exists():
        return
    reasons = "; ".join(f["sentence"] for f in assessment.factors if f.get("refer"))
    # One open referral per report, whichever road (the operator may have referred already).
    do_refer_to_safeguarding(
        actor, report, assessment.referral_grade, f"Triage asked for a referral: {reasons}"
    )


def do_rescore_stale(limit: int = 200) -> int:
    """Re-score open reports last assessed with another rule-set version (after a switch).
    Run by `peel worker`; returns how many were looked at."""
    active = active_ruleset()
    latest_version = Subquery(
        Assessment.objects.filter(report=OuterRef("pk"))
        .order_by("-assessed_at", "-id")
        .values("ruleset_version")[:1]
    )
    open_ids = WorkItem.objects.filter(
        kind=WorkKind.REVIEW_REPORT, status__in=OPEN_STATUSES
    ).values("report_id")
    stale = list(
        Report.objects.filter(pk__in=open_ids)
        .annotate(version=latest_version)
        .exclude(version=active.version)
        .order_by("pk")[:limit]
    )
    for report in stale:
        do_rescore_report(SYSTEM, report, f"Rule set {active.version} switched on")
    return len(stale)


# ---- DASH ------------------------------------------------------------------------------------


def do_record_dash(
    user: User, report: Report, answers: dict[str, str], professional_judgement_high: bool,
    rationale: str,
) -> DashAssessment:  # fmt: skip
    """Keep a completed DASH checklist and re-score the report with it."""
    if not user.has_perm("triage.record_dash"):
        raise PermissionError("This account may not record DASH assessments.")
    missing = [key for key in dash.KEYS if answers.get(key) not in ("yes", "no", "not_known")]
    if missing:
        raise ValueError(f"Answer every question (yes, no or not known); missing: {missing}.")
    if professional_judgement_high and not rationale.strip():
        raise ValueError("Say why your professional judgement is that the risk is high.")
    yes_count = sum(1 for key in dash.KEYS if answers[key] == "yes")
    # Deferred: the re-score's lock (triage.locks) is taken before the audit chain's.
    with transaction.atomic(), audit.deferred():
        record = DashAssessment.objects.create(
            report=report,
            answers={key: answers[key] for key in dash.KEYS},
            yes_count=yes_count,
            risk=dash.risk_level(yes_count),
            professional_judgement_high=professional_judgement_high,
            rationale=rationale.strip(),
            completed_by=user,
            completed_at=timezone.now(),
        )
        audit.record(
            user, "triage.dash_recorded", record,
            after={"report": report.reference, "yes_count": yes_count, "risk": record.risk,
                   "professional_judgement_high": professional_judgement_high,
                   "rationale": record.rationale},
        )  # fmt: skip
        do_rescore_report(user, report, "DASH risk assessment completed")
    return record


# ---- Rule sets -------------------------------------------------------------------------------


def do_propose_ruleset(user: User, source: str) -> RuleSetVersion:
    """Save a new draft version (checked, but not in use)."""
    if not user.has_perm("triage.manage_rules"):
        raise PermissionError("This account may not change triage rules.")
    ruleset = parse_ruleset(source, "The proposed rule set")
    if RuleSetVersion.objects.filter(name=ruleset.name, version=ruleset.version).exists():
        raise RuleSetError(
            f"Version {ruleset.version} of '{ruleset.name}' already exists: change `version`."
        )
    with transaction.atomic():
        row = RuleSetVersion.objects.create(
            name=ruleset.name,
            version=ruleset.version,
            source=source,
            sha256=ruleset.sha256,
            created_at=timezone.now(),
            created_by=user,
        )
        audit.record(
            user,
            "triage.ruleset_proposed",
            row,
            after={"version": row.version, "sha256": row.sha256},
        )
    return row


def do_activate_ruleset(user: User, version_id: int) -> RuleSetVersion:
    """Switch a version on, if every example still gets its expected grade. Open reports are
    re-scored by the worker (`do_rescore_stale`), each change audited."""
    if not user.has_perm("triage.manage_rules"):
        raise PermissionError("This account may not change triage rules.")
    with transaction.atomic():
        row = RuleSetVersion.objects.select_for_update().get(pk=version_id)
        if row.status == RuleSetStatus.ACTIVE:
            raise ValueError(f"{row} is already in use.")
        failures = [
            r for r in run_examples(parse_ruleset(row.source), load_examples()) if not r.passed
        ]
        if failures:
            names = ", ".join(r.example.name for r in failures)
            raise ValueError(f"{len(failures)} example(s) would get the wrong grade: {names}.")
        current = (
            RuleSetVersion.objects.select_for_update().filter(status=RuleSetStatus.ACTIVE).first()
        )
        if current is not None:
            current.status = RuleSetStatus.RETIRED
            current.save(update_fields=["status"])
        row.status, row.activated_at, row.activated_by = RuleSetStatus.ACTIVE, timezone.now(), user
        row.save(update_fields=["status", "activated_at", "activated_by"])
        audit.record(
            user, "triage.ruleset_activated", row,
            {"version": current.version if current else None}, {"version": row.version},
        )  # fmt: skip
    return row


def do_install_shipped_ruleset(actor: Actor, using: str = "default") -> RuleSetVersion:
    """Add the shipped rule set's version; switch it on if the one in use was also shipped
    (a force's own version, created by someone, stays on until they switch)."""
    source = SHIPPED.read_text()
    ruleset = parse_ruleset(source, SHIPPED.name)
    versions = RuleSetVersion.objects.using(using)
    with transaction.atomic(using=using):
        row, created = versions.get_or_create(
            name=ruleset.name,
            version=ruleset.version,
            defaults={"source": source, "sha256": ruleset.sha256, "created_at": timezone.now()},
        )
        if created:
            audit.record(actor, "triage.ruleset_installed", row, after={"version": row.version})
        active = versions.filter(status=RuleSetStatus.ACTIVE).first()
        if active is None or (active.created_by_id is None and active.pk != row.pk and created):
            if active is not None:
                active.status = RuleSetStatus.RETIRED
                active.save(update_fields=["status"])
            row.status, row.activated_at = RuleSetStatus.ACTIVE, timezone.now()
            row.save(update_fields=["status", "activated_at"])
            audit.record(actor, "triage.ruleset_activated", row, after={"version": row.version})
    return row


def install_shipped_after_migrate(sender: Any = None, **kwargs: Any) -> None:
    """post_migrate receiver: every upgrade brings the shipped rule set with it."""
    do_install_shipped_ruleset(command("upgrade"), using=kwargs.get("using", "default"))
