from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.reports.access import (
    get_report_for_user,
    log_reads,
    may_read_report,
    restricted_not_shown,
    visible_related,
)
from peel.reports.actions import do_restrict_report
from peel.reports.contact import contact_panel
from peel.reports.display import RISK_ANSWERS
from peel.reports.models import Report
from peel.review import clock
from peel.review.actions import (
    DecisionError,
    do_agree,
    do_merge_reports,
    do_record_decision,
    do_sample_decisions,
    do_send_back,
    do_unmerge,
)
from peel.review.choices import CrimeFlag, NextAction, Verdict
from peel.review.duplicates import possible_duplicates
from peel.review.evidence import attachment_bytes, attachments, rendered_pdf
from peel.review.forms import (
    CheckForm,
    DecisionForm,
    MergeForm,
    ReasonForm,
    RestrictForm,
    SampleForm,
)
from peel.review.linked import linked_records
from peel.review.models import QualityCheck, ReportMerge
from peel.review.reference import suggest_category, suggest_offence
from peel.workqueue.actions import NotYourItem, open_referral
from peel.workqueue.forms import set_aside_context
from peel.workqueue.models import WorkItem


def _held_item(request: HttpRequest, item_id: int) -> WorkItem | None:
    item = get_object_or_404(WorkItem.objects.select_related("report"), pk=item_id)
    if not item.is_held_by(request.user):
        messages.error(request, "That work item is not allocated to you. Press Get Work.")
        return None
    return item


def _initial(report: Report) -> dict[str, Any]:
    """Suggestions the operator confirms or changes: from the last decision if it was sent
    back, else from the reporter's words and answers."""
    previous = report.decisions.first()
    if previous is not None:
        return {
            "outcome": previous.outcome,
            "rationale": previous.rationale,
            "offence_code": previous.offence_code,
            "crime_flags": previous.crime_flags,
            "opening_code": previous.opening_code,
            "closing_code": previous.closing_code,
            "qualifiers": [q["code"] for q in previous.qualifiers],
            "victim_message": previous.victim_message,
            # Referring is always a fresh choice: the earlier decision's referral exists.
            "actions": [a for a in previous.actions if a != NextAction.REFER],
            "deploy_grade": previous.deploy_grade,
            "action_rationale": previous.action_rationale,
        }
    offence = suggest_offence(report.offence_hint)
    category = suggest_category(offence)
    qualifiers = [
        code
        for code, answer in (
            ("HC", report.hate_crime),
            ("CP", report.child_present),
            ("VU", report.victim_vulnerable),
        )
        if answer
    ]
    return {
        "offence_code": offence.code if offence else "",
        "opening_code": category.code if category else "",
        "closing_code": category.code if category else "",
        "crime_flags": [CrimeFlag.HATE] if report.hate_crime else [],
        "qualifiers": qualifiers,
    }  # no referral grade: triage has referred already when it asked for one


RISK_QUESTIONS = RISK_ANSWERS  # reports/display.py: the same answers, in the same words


def _report_context(user: Any, report: Report) -> dict[str, Any]:
    """What the shared report template shows, for the review page and the report page."""
    return {
        "report": report,
        "risk_answers": [(label, getattr(report, name)) for name, label in RISK_QUESTIONS],
        "linked": linked_records(user, report),
        "attachments": attachments(report),
        "answers": report.info_requests.exclude(answered_at=None),
        "contact": contact_panel(report),
    }


@staff(holder=True, or_permission="reports.view_any_report")
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """A report read outside a review (supervisors, quality checks): no decision form."""
    report = get_report_for_user(request.user, report_id, purpose="read report")
    context = {
        **_report_context(request.user, report),
        "assessment": report.assessments.first(),
        "decisions": report.decisions.select_related("decided_by", "crime"),
        # The other report of each merge is named: only if the reader may read it.
        "merges": visible_related(
            request.user,
            visible_related(
                request.user,
                ReportMerge.objects.filter(Q(kept=report) | Q(duplicate=report)),
                "kept",
            ),
            "duplicate",
        ).select_related("kept", "duplicate"),
        "restrict_form": RestrictForm(initial={"team": report.restricted_to_id}),
    }
    return render(request, "review/report_detail.html", context)


@staff("reports.restrict_report", "reports.view_any_report", methods=("POST",))
def restrict_report(request: HttpRequest, report_id: int) -> HttpResponse:
    """Restrict a report to one team, or lift the restriction. Its open work follows the
    report (reports.actions.do_restrict_report); outside the team it is then only a count."""
    report = get_report_for_user(request.user, report_id, purpose="restrict report")
    form = RestrictForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a team (or none) and say why.")
        return redirect("report-detail", report_id=report.pk)
    team = form.cleaned_data["team"]
    do_restrict_report(staff_user(request), report, team, form.cleaned_data["reason"])
    if not may_read_report(request.user, report):
        messages.success(
            request,
            f"{report.reference} is now restricted to {team.name}: you are not in that team, "
            "so it no longer shows to you.",
        )
        return redirect("staff-home")
    messages.success(
        request,
        f"{report.reference} is restricted to {team.name}." if team else
        f"{report.reference} is no longer restricted.",
    )  # fmt: skip
    return redirect("report-detail", report_id=report.pk)


@staff("review.record_decision", holder=True, methods=("GET", "POST"))
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _held_item(request, item_id)
    if item is None:
        return redirect("staff-home")
    assert item.report_id is not None
    report = get_report_for_user(request.user, item.report_id, purpose="review")
    referral = open_referral(report)
    form = DecisionForm(
        request.POST or None, initial=_initial(report), referral_open=referral is not None
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                decision = do_record_decision(staff_user(request), item, form.to_input())
            except DecisionError as exc:
                form.add_problems(exc.problems)
            except NotYourItem as exc:
                messages.error(request, str(exc))
                return redirect("staff-home")
            else:
                number = f" Crime number {decision.crime.crime_number}." if decision.crime else ""
                messages.success(request, f"Decision recorded for {report.reference}.{number}")
                return redirect("staff-home")
        status = 400
    now = timezone.now()
    left = clock.time_left(report.received_at, now)
    context = {
        **_report_context(request.user, report),
        "item": item,
        "assessment": report.assessments.first(),
        "form": form,
        "recording_due": clock.recording_due(report.received_at),
        "seconds_left": int(left.total_seconds()),
        "clock_text": clock.describe(left),
        "duplicates": possible_duplicates(request.user, report),
        # Duplicates merged into the report in hand, as the duplicates list shows them: not
        # one restricted to a team the operator is not in.
        "merged_here": ReportMerge.objects.filter(
            kept=report,
            undone_at=None,
            duplicate__in=Report.objects.not_restricted_from(request.user),
        ).select_related("duplicate"),
        "previous": report.decisions.select_related("decided_by").first(),
        "open_referral": referral,
        "merge_form": MergeForm(),
        **set_aside_context(),
    }
    return render(request, "review/review_item.html", context, status=status)


@staff(holder=True, or_permission="reports.view_any_report")
def report_attachment(request: HttpRequest, report_id: int, number: int) -> HttpResponse:
    """One attachment exactly as received; a PDF opens inside the review page."""
    report = get_report_for_user(request.user, report_id, purpose=f"attachment {number}")
    found = attachment_bytes(report, number)
    if found is None:
        raise Http404("No such attachment.")
    attachment, payload = found
    safe = attachment.content_type in ("application/pdf", "text/plain")
    response = HttpResponse(
        payload, content_type=attachment.content_type if safe else "application/octet-stream"
    )
    disposition = "inline" if safe else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="attachment-{number}"'
    _frame_same_origin(response)
    return response


@staff(holder=True, or_permission="reports.view_any_report")
def report_rendering(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_report_for_user(request.user, report_id, purpose="PDF rendering")
    pdf = rendered_pdf(report)
    if pdf is None:
        raise Http404("Nothing was received to render.")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{report.reference}.pdf"'
    _frame_same_origin(response)
    return response


def _frame_same_origin(response: HttpResponse) -> None:
    # Shown in an <iframe> on the review page, and never framed by any other site. (A CSP
    # sandbox would also stop Chromium's PDF viewer, so the type is fixed instead.)
    response["X-Frame-Options"] = "SAMEORIGIN"
    response["Content-Security-Policy"] = "frame-ancestors 'self'"


@staff("review.record_decision", holder=True, methods=("POST",))
def merge_duplicate(request: HttpRequest, item_id: int) -> HttpResponse:
    item = _held_item(request, item_id)
    if item is None:
        return redirect("staff-home")
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why these are the same incident.")
        return redirect("review-item", item_id=item.pk)
    assert item.report is not None
    duplicate = (
        get_report_for_user(
            request.user,
            form.cleaned_data["duplicate"],
            purpose=f"merge into {item.report.reference}",
        )
        if request.user.has_perm("reports.view_any_report")
        else _duplicate_shown(request, item, form)
    )
    try:
        do_merge_reports(staff_user(request), item.report, duplicate, form.cleaned_data["reason"])
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{duplicate.reference} merged into {item.report.reference}.")
    return redirect("review-item", item_id=item.pk)


def _duplicate_shown(request: HttpRequest, item: WorkItem, form: MergeForm) -> Report:
    """An operator may merge only a report the page offered them as a possible duplicate."""
    assert item.report is not None
    offered = {c.report.pk: c.report for c in possible_duplicates(request.user, item.report)}
    duplicate = offered.get(form.cleaned_data["duplicate"])
    if duplicate is None:
        raise PermissionDenied("That report was not offered as a duplicate of this one.")
    return duplicate


@staff(holder=True, or_permission="workqueue.supervise_queue", methods=("POST",))
def undo_merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    merge = get_object_or_404(ReportMerge, pk=merge_id)
    holds_kept = WorkItem.objects.held_by(request.user).filter(report_id=merge.kept_id).first()
    if holds_kept is None and not request.user.has_perm("workqueue.supervise_queue"):
        raise PermissionDenied("Only the operator reviewing the report or a supervisor may undo.")
    if holds_kept is None and not (
        may_read_report(request.user, merge.kept_id)
        and may_read_report(request.user, merge.duplicate_id)
    ):
        raise Http404("No such merge.")  # a supervisor outside a restricting team is not shown it
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason for undoing the merge.")
    else:
        try:
            do_unmerge(staff_user(request), merge.pk, form.cleaned_data["reason"])
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "Merge undone: the report is back on the queue.")
    if holds_kept is not None:
        return redirect("review-item", item_id=holds_kept.pk)
    return redirect("quality")


# ---- Supervisors: quality checks and the crime-recording figure ---------------------------------


@staff("review.check_quality", methods=("GET", "POST"))
def quality(request: HttpRequest) -> HttpResponse:
    form = SampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        since = timezone.now() - dt.timedelta(days=form.cleaned_data["days"])
        drawn = do_sample_decisions(staff_user(request), form.cleaned_data["count"], since)
        messages.success(request, f"{len(drawn)} decision(s) drawn for checking.")
        return redirect("quality")
    today = timezone.localdate()
    days = clock.compliance(today - dt.timedelta(days=6), today)
    user = request.user
    # A supervisor reading a decision reads its report: only reports they may read are shown
    # (each read logged, in one insert); a restricted report elsewhere is only counted.
    all_pending = QualityCheck.objects.filter(verdict=Verdict.PENDING)
    pending = list(
        visible_related(user, all_pending, "decision__report").select_related(
            "decision__report", "decision__decided_by", "decision__crime"
        )
    )
    checked = list(
        visible_related(
            user, QualityCheck.objects.exclude(verdict=Verdict.PENDING), "decision__report"
        ).select_related("decision__report", "decision__decided_by", "checked_by")[:20]
    )
    merges = list(
        visible_related(
            user,
            visible_related(user, ReportMerge.objects.filter(undone_at=None), "kept"),
            "duplicate",
        ).select_related("duplicate", "kept")[:20]
    )
    log_reads(
        user,
        [c.decision.report_id for c in pending + checked]
        + [m.kept_id for m in merges]
        + [m.duplicate_id for m in merges],
        "quality check",
    )
    context = {
        "form": form,
        "pending": pending,
        "not_shown": restricted_not_shown(user, all_pending, "decision__report"),
        "checked": checked,
        "days": days,
        "week": clock.total(days),
        "recording_hours": int(clock.recording_window().total_seconds() // 3600),
        "check_form": CheckForm(),
        "reason_form": ReasonForm(),
        "merges": merges,
    }
    return render(request, "review/quality.html", context)


@staff("review.check_quality", methods=("POST",))
def check_decision(request: HttpRequest, check_id: int) -> HttpResponse:
    form = CheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose agree or send back.")
        return redirect("quality")
    report_id = (
        QualityCheck.objects.filter(pk=check_id)
        .values_list("decision__report_id", flat=True)
        .first()
    )
    if report_id is not None and not may_read_report(request.user, report_id):
        raise Http404("No such quality check.")  # not listed for this supervisor either
    try:
        if form.cleaned_data["verdict"] == "agree":
            do_agree(staff_user(request), check_id, form.cleaned_data["comment"])
            messages.success(request, "Decision agreed.")
        else:
            do_send_back(staff_user(request), check_id, form.cleaned_data["comment"])
            messages.success(request, "Sent back: the operator gets it on their next Get Work.")
    except (ValueError, QualityCheck.DoesNotExist) as exc:
        messages.error(request, str(exc))
    return redirect("quality")
