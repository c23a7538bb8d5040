"""The operator's decision and what follows it; merging duplicates; supervisors' quality checks.

Each action is atomic and audited. The decision records the incident log and, for a crime, the
crime record with its number; then creates the next work (deployment, investigation, referral),
asks the reporter for more information, and tells the reporter there is an update.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from peel.accounts.models import User
from peel.audit import log as audit
from peel.audit.actors import PUBLIC
from peel.notifications.messages import DECISION_UPDATE
from peel.reports.access import may_read_report, team_allows, visible_related
from peel.reports.actions import do_message_reporter, do_set_report_status
from peel.reports.choices import ReportStatus
from peel.reports.models import Report
from peel.review import clock
from peel.review.choices import CrimeFlag, CrimeStatus, NextAction, Outcome, Verdict
from peel.review.models import CrimeRecord, Decision, InfoRequest, QualityCheck, ReportMerge
from peel.review.reference import incident_codes, offences
from peel.review.robot_handover import decision_record
from peel.robots.actions import do_enqueue_robot_tasks
from peel.workqueue.actions import (
    OPEN_STATUSES,
    do_cancel_report_items,
    do_complete_item,
    do_enqueue,
    do_enqueue_report,
    do_refer_to_safeguarding,
)
from peel.workqueue.models import WorkItem, WorkKind
from peel.workqueue.service_levels import service_levels

# A non-crime and a crime-related incident must say why (NCRS: the log must show the reasons).
RATIONALE_REQUIRED = {Outcome.NOT_A_CRIME, Outcome.CRIME_RELATED_INCIDENT}
CLOSING_ACTIONS = {NextAction.RESOLVE, NextAction.NO_FURTHER_ACTION}
DEPLOY_GRADES = ("P1", "P2", "P3", "P4")
REFERRAL_GRADES = ("RED", "AMBER", "GREEN")


class DecisionError(ValueError):
    """The decision cannot be recorded; `problems` maps a field name ("" for the whole form)
    to what is wrong with it."""

    def __init__(self, problems: dict[str, str]):
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass
class DecisionInput:
    outcome: str
    opening_code: str
    closing_code: str
    actions: list[str]
    rationale: str = ""
    offence_code: str = ""
    crime_flags: list[str] = field(default_factory=list)
    qualifiers: list[str] = field(default_factory=list)
    victim_message: str = ""
    deploy_grade: str = ""
    referral_grade: str = ""
    action_rationale: str = ""
    info_request: str = ""


def decision_problems(data: DecisionInput) -> dict[str, str]:
    """Everything wrong with a decision, by field, so the form can show each beside its input."""
    problems: dict[str, str] = {}
    if data.outcome not in Outcome.values:
        return {"outcome": f"'{data.outcome}' is not a decision Peel knows."}
    outcome = Outcome(data.outcome)
    if outcome in RATIONALE_REQUIRED:
        if not data.rationale.strip():
            problems["rationale"] = f"Give the rationale for '{outcome.label}'."
        if not data.victim_message.strip():
            problems["victim_message"] = "Tell the victim why no crime was recorded."
    if outcome == Outcome.CRIME:
        offence = offences().get(data.offence_code.strip().upper())
        if offence is None:
            problems["offence_code"] = "Choose the Home Office offence for the crime."
        elif not offence.recordable:
            problems["offence_code"] = f"{offence.label} cannot be recorded as a new crime."
    unknown_flags = set(data.crime_flags) - set(CrimeFlag.values)
    if unknown_flags:
        problems["crime_flags"] = f"Unknown crime flag(s): {', '.join(sorted(unknown_flags))}."
    codes = incident_codes()
    if data.opening_code not in {c.code for c in codes.opening()}:
        problems["opening_code"] = "Choose the incident's opening category."
    if data.closing_code not in {c.code for c in codes.closing()}:
        problems["closing_code"] = "Choose the incident's closing category."
    unknown = set(data.qualifiers) - set(codes.qualifiers)
    if unknown:
        problems["qualifiers"] = f"Unknown qualifier(s): {', '.join(sorted(unknown))}."
    problems.update(_action_problems(data, outcome))
    return problems


def _action_problems(data: DecisionInput, outcome: Outcome) -> dict[str, str]:
    actions = set(data.actions)
    if not actions:
        return {"actions": "Choose what happens next."}
    if actions - set(NextAction.values):
        return {"actions": "Choose what happens next from the list."}
    problems = {}
    if actions & CLOSING_ACTIONS and actions & {NextAction.DEPLOY, NextAction.INVESTIGATE}:
        problems["actions"] = (
            "Resolving or taking no further action rules out deploying or investigating."
        )
    elif NextAction.RESOLVE in actions and NextAction.NO_FURTHER_ACTION in actions:
        problems["actions"] = "Choose either resolve without deployment or no further action."
    elif NextAction.INVESTIGATE in actions and outcome != Outcome.CRIME:
        problems["actions"] = "Only a recorded crime goes to the investigation unit."
    if NextAction.DEPLOY in actions and data.deploy_grade not in DEPLOY_GRADES:
        problems["deploy_grade"] = "Choose the deployment grade."
    if NextAction.REFER in actions and data.referral_grade not in REFERRAL_GRADES:
        problems["referral_grade"] = "Choose the referral's risk rating."
    if NextAction.NO_FURTHER_ACTION in actions and not data.action_rationale.strip():
        problems["action_rationale"] = "Say why no further action is taken."
    if NextAction.REQUEST_INFO in actions and not data.info_request.strip():
        problems["info_request"] = "Write the question for the reporter."
    return problems


def do_record_decision(user: User, item: WorkItem, data: DecisionInput) -> Decision:
    if not user.has_perm("review.record_decision"):
        raise PermissionError("This account may not record crime-recording decisions.")
    if item.report is None:
        raise DecisionError({"": "This work item has no report to decide."})
    if problems := decision_problems(data):
        raise DecisionError(problems)
    report = item.report
    now = timezone.now()
    codes = incident_codes()
    with transaction.atomic():
        do_complete_item(user, item)  # raises NotYourItem if the lease was lost
        superseded = list(
            Decision.objects.select_for_update().filter(report=report, superseded_at=None)
        )
        Decision.objects.filter(pk__in=[d.pk for d in superseded]).update(superseded_at=now)
        crime = _record_crime(user, report, data, now)
        opening, closing = codes.categories[data.opening_code], codes.categories[data.closing_code]
        offence = offences().get(data.offence_code.strip().upper()) if crime else None
        decision = Decision.objects.create(
            report=report,
            work_item=item,
            outcome=data.outcome,
            rationale=data.rationale.strip(),
            offence_code=offence.code if offence else "",
            offence_description=offence.description if offence else "",
            classification=offence.classification if offence else "",
            crime_flags=sorted(set(data.crime_flags)),
            crime=crime,
            opening_code=opening.code,
            opening_label=opening.label,
            closing_code=closing.code,
            closing_label=closing.label,
            qualifiers=[
                {"code": q, "label": codes.qualifiers[q]} for q in sorted(set(data.qualifiers))
            ],
            victim_message=data.victim_message.strip(),
            actions=[a for a in NextAction.values if a in data.actions],
            deploy_grade=data.deploy_grade if NextAction.DEPLOY in data.actions else "",
            action_rationale=data.action_rationale.strip(),
            decided_by=user,
            decided_at=now,
            within_clock=clock.within_clock(report.received_at, now),
        )
        audit.record(user, "review.decided", decision, after=_decision_snapshot(decision))
        for earlier in superseded:  # the decision they were before this one replaced them
            audit.record(
                user, "review.decision_superseded", earlier,
                before={"superseded_at": None},
                after={"superseded_at": now, "by": decision.pk},
            )  # fmt: skip
        _start_follow_ups(user, decision, data)
        do_enqueue_robot_tasks(user, decision_record(decision))
        do_set_report_status(user, report, ReportStatus.DECIDED)
        # Only that there is news; withheld if the reporter said email is not safe.
        do_message_reporter(user, report, DECISION_UPDATE.purpose)
    return decision


def _decision_snapshot(decision: Decision) -> dict[str, object]:
    return {
        "report": decision.report.reference,
        "outcome": decision.outcome,
        "rationale": decision.rationale,
        "offence": decision.offence_code,
        "crime_number": decision.crime.crime_number if decision.crime else None,
        "crime_flags": decision.crime_flags,
        "opening": decision.opening_code,
        "closing": decision.closing_code,
        "qualifiers": [q["code"] for q in decision.qualifiers],
        "victim_message": decision.victim_message,
        "actions": decision.actions,
        "deploy_grade": decision.deploy_grade,
        "action_rationale": decision.action_rationale,
        "within_clock": decision.within_clock,
    }


def _record_crime(user: User, report: Report, data: DecisionInput, now: Any) -> CrimeRecord | None:
    """Record the crime, or reclassify the one already recorded; a later non-crime decision
    cancels it (the number stays, never reused)."""
    existing = CrimeRecord.objects.select_for_update().filter(report=report).first()
    if data.outcome != Outcome.CRIME:
        if existing is not None and existing.status == CrimeStatus.RECORDED:
            existing.status = CrimeStatus.CANCELLED
            existing.save(update_fields=["status"])
            audit.record(user, "crime.cancelled", existing, after={"outcome": data.outcome})
        return None
    offence = offences()[data.offence_code.strip().upper()]
    values = {
        "offence_code": offence.code,
        "offence_description": offence.description,
        "classification": offence.classification,
        "flags": sorted(set(data.crime_flags)),
        "status": CrimeStatus.RECORDED,
    }
    if existing is not None:
        before = {k: getattr(existing, k) for k in values}
        for name, value in values.items():
            setattr(existing, name, value)
        existing.save(update_fields=list(values))
        if before != values:
            audit.record(user, "crime.reclassified", existing, before, values)
        return existing
    crime = CrimeRecord.objects.create(report=report, recorded_by=user, recorded_at=now, **values)
    prefix = settings.PEEL["CRIME_NUMBER_PREFIX"]
    crime.crime_number = f"{prefix}-{crime.pk:07d}-{timezone.localtime(now):%y}"
    crime.save(update_fields=["crime_number"])
    audit.record(
        user, "crime.recorded", crime, after={**values, "crime_number": crime.crime_number}
    )
    return crime


def _start_follow_ups(user: User, decision: Decision, data: DecisionInput) -> None:
    report, actions = decision.report, set(decision.actions)
    what = decision.offence_description or decision.closing_label
    if NextAction.DEPLOY in actions:
        do_enqueue(
            user, WorkKind.DEPLOYMENT, decision.deploy_grade, report=report,
            summary=f"Attend {report.reference}: {what} at {report.location or 'no address given'}",
        )  # fmt: skip
    if NextAction.INVESTIGATE in actions and decision.crime is not None:
        do_enqueue(
            user, WorkKind.CRIME_INVESTIGATION, decision.work_item.grade, report=report,
            summary=f"Allocate crime {decision.crime.crime_number}: {what}",
        )  # fmt: skip
    if NextAction.REFER in actions:  # joins the referral already open, if there is one
        do_refer_to_safeguarding(
            user, report, data.referral_grade,
            f"Referral from the review of {report.reference}: {what}",
        )  # fmt: skip
    if NextAction.REQUEST_INFO in actions:
        request = InfoRequest.objects.create(
            report=report, decision=decision, question=data.info_request.strip(),
            asked_by=user, asked_at=decision.decided_at,
        )  # fmt: skip
        audit.record(user, "review.info_requested", request, after={"question": request.question})


# ---- The reporter answers a request for information --------------------------------------------


def do_answer_info_request(report: Report, answer: str) -> InfoRequest:
    """The reporter's answer, from the status page: kept, and the report goes back for review."""
    answer = answer.strip()
    if not answer:
        raise ValueError("Write your answer before sending it.")
    with transaction.atomic():
        request = (
            InfoRequest.objects.select_for_update()
            .filter(report=report, answered_at=None)
            .order_by("-asked_at")
            .first()
        )
        if request is None:
            raise ValueError("We have not asked you anything about this report.")
        request.answer, request.answered_at = answer[:4000], timezone.now()
        request.save(update_fields=["answer", "answered_at"])
        audit.record(PUBLIC, "review.info_answered", request, after={"length": len(answer)})
        if not WorkItem.objects.filter(
            report=report, kind=WorkKind.REVIEW_REPORT, status__in=OPEN_STATUSES
        ).exists():
            do_enqueue_report(
                PUBLIC, report, _report_grade(report),
                summary="The reporter answered a request for information.",
            )  # fmt: skip
    return request


def _report_grade(report: Report) -> str:
    assessment = report.assessments.first()
    return assessment.grade if assessment else "P3"


# ---- Duplicates: merge and undo ------------------------------------------------------------------


def do_merge_reports(user: User, kept: Report, duplicate: Report, reason: str) -> ReportMerge:
    """Join a second report of the same incident to the one kept. The duplicate's open work is
    cancelled; nothing is deleted, and `do_unmerge` puts it all back on the queue."""
    if not reason.strip():
        raise ValueError("Say why these are the same incident.")
    if kept.pk == duplicate.pk:
        raise ValueError("A report cannot be merged into itself.")
    with transaction.atomic():
        kept, duplicate = (
            Report.objects.select_for_update().get(pk=kept.pk),
            Report.objects.select_for_update().get(pk=duplicate.pk),
        )
        if duplicate.merged_into_id is not None or kept.merged_into_id is not None:
            raise ValueError("One of these reports is already merged into another.")
        if Decision.objects.filter(report=duplicate, superseded_at=None).exists():
            raise ValueError(f"{duplicate.reference} already has a decision; it cannot be merged.")
        merge = ReportMerge.objects.create(
            duplicate=duplicate, kept=kept, reason=reason.strip(),
            merged_by=user, merged_at=timezone.now(),
        )  # fmt: skip
        before = {"status": duplicate.status, "merged_into": None}
        duplicate.merged_into, duplicate.status = kept, ReportStatus.MERGED
        duplicate.save(update_fields=["merged_into", "status"])
        do_cancel_report_items(user, duplicate, f"merged into {kept.reference}")
        audit.record(
            user, "review.merged", duplicate, before,
            {"status": duplicate.status, "merged_into": kept.reference, "reason": merge.reason},
        )  # fmt: skip
    return merge


def do_unmerge(user: User, merge_id: int, reason: str) -> ReportMerge:
    if not reason.strip():
        raise ValueError("Say why the merge is undone.")
    with transaction.atomic():
        merge = ReportMerge.objects.select_for_update().select_related("duplicate").get(pk=merge_id)
        if merge.undone_at is not None:
            raise ValueError("That merge has already been undone.")
        merge.undone_by, merge.undone_at, merge.undo_reason = user, timezone.now(), reason.strip()
        merge.save(update_fields=["undone_by", "undone_at", "undo_reason"])
        duplicate = Report.objects.select_for_update().get(pk=merge.duplicate_id)
        duplicate.merged_into, duplicate.status = None, ReportStatus.RECEIVED
        duplicate.save(update_fields=["merged_into", "status"])
        do_enqueue_report(user, duplicate, _report_grade(duplicate))
        audit.record(
            user, "review.unmerged", duplicate, {"merged_into": merge.kept_id},
            {"merged_into": None, "status": duplicate.status, "reason": merge.undo_reason},
        )  # fmt: skip
    return merge


# ---- Quality checks ------------------------------------------------------------------------------


def do_sample_decisions(
    supervisor: User, count: int, since: Any, operator: Any = None
) -> list[QualityCheck]:
    """Draw `count` decisions made since `since` (optionally by one operator) that have not
    been drawn before, at random, for a supervisor to check."""
    if not supervisor.has_perm("review.check_quality"):
        raise PermissionError("Only a supervisor may sample decisions.")
    if not 1 <= count <= 200:
        raise ValueError("Sample between 1 and 200 decisions.")
    pool = Decision.objects.filter(
        decided_at__gte=since, superseded_at=None, quality_check=None
    ).exclude(decided_by=supervisor)
    # Only decisions this supervisor may read: a restricted report's is checked inside its team.
    pool = visible_related(supervisor, pool, "report")
    if operator is not None:
        pool = pool.filter(decided_by=operator)
    ids = list(pool.values_list("pk", flat=True))
    chosen = random.sample(ids, min(count, len(ids)))
    now = timezone.now()
    with transaction.atomic():
        checks = []
        for pk in sorted(chosen):
            check = QualityCheck.objects.create(
                decision_id=pk, sampled_by=supervisor, sampled_at=now
            )
            audit.record(supervisor, "review.sampled", check, after={"decision": pk})
            checks.append(check)
    return checks


def do_agree(supervisor: User, check_id: int, comment: str = "") -> QualityCheck:
    with transaction.atomic():
        check = _pending_check(supervisor, check_id)
        check.verdict, check.comment = Verdict.AGREED, comment.strip()
        check.checked_by, check.checked_at = supervisor, timezone.now()
        check.save(update_fields=["verdict", "comment", "checked_by", "checked_at"])
        audit.record(supervisor, "review.quality_agreed", check, after={"comment": check.comment})
    return check


def do_send_back(supervisor: User, check_id: int, comment: str) -> QualityCheck:
    """Send a decision back to the operator who made it: a review item kept for them, first on
    their next Get Work, carrying the supervisor's comment."""
    if not comment.strip():
        raise ValueError("Say what the operator should look at again.")
    with transaction.atomic():
        check = _pending_check(supervisor, check_id)
        decision = check.decision
        item = do_enqueue(
            supervisor, WorkKind.REVIEW_REPORT, decision.work_item.grade, report=decision.report,
            summary=f"Sent back by {supervisor.get_username()}: {comment.strip()}",
            # Kept for its operator, unless the report is now restricted to a team they are
            # not in: then it goes to anyone in that team (kept for them it would wait forever).
            reserved_for=(
                decision.decided_by if team_allows(decision.decided_by, decision.report) else None
            ),
        )  # fmt: skip
        check.verdict, check.comment = Verdict.SENT_BACK, comment.strip()
        check.checked_by, check.checked_at, check.sent_back_item = supervisor, timezone.now(), item
        check.save(
            update_fields=["verdict", "comment", "checked_by", "checked_at", "sent_back_item"]
        )
        audit.record(
            supervisor, "review.sent_back", check,
            after={"comment": check.comment, "item": item.pk, "operator": decision.decided_by_id},
        )  # fmt: skip
    return check


def _pending_check(supervisor: User, check_id: int) -> QualityCheck:
    if not supervisor.has_perm("review.check_quality"):
        raise PermissionError("Only a supervisor may check decisions.")
    check = (
        QualityCheck.objects.select_for_update()
        .select_related("decision__report", "decision__work_item")
        .get(pk=check_id)
    )
    if not may_read_report(supervisor, check.decision.report_id):
        # A restricted report's decision is checked inside its team; outside it, it is not there.
        raise QualityCheck.DoesNotExist("No such quality check.")
    if check.verdict != Verdict.PENDING:
        raise ValueError("That decision has already been checked.")
    return check


def deploy_grade_choices() -> list[tuple[str, str]]:
    levels = service_levels()
    return [(g, f"{g}: {levels.grades[g].label}") for g in DEPLOY_GRADES if g in levels.grades]
