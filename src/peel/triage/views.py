from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from peel.accounts.reauth import reauthentication_required
from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.core.redirects import safe_next
from peel.reports.access import get_report_for_user, read_reports
from peel.reports.models import Report
from peel.triage.actions import do_activate_ruleset, do_propose_ruleset, do_record_dash
from peel.triage.examples import load_examples, run_examples
from peel.triage.forms import DashForm, ProposeRulesForm
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.triage.preview import regrade_recent, transitions
from peel.triage.rules import RuleSetError, parse_ruleset
from peel.triage.store import active_ruleset

PREVIEW_DEFAULT, PREVIEW_MAX = 200, 2000
PREVIEW_LISTED = 100  # changed reports listed by name; the rest are in the counts


@staff(
    "triage.record_dash",
    holder=True,
    or_permission="reports.view_any_report",
    methods=("GET", "POST"),
)
def dash_form(request: HttpRequest, report_id: int) -> HttpResponse:
    report = get_report_for_user(request.user, report_id, purpose="DASH risk assessment")
    form = DashForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record = do_record_dash(
                staff_user(request), report, form.answers(),
                form.cleaned_data["professional_judgement_high"], form.cleaned_data["rationale"],
            )  # fmt: skip
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            latest = report.assessments.first()
            grade = f" The report is now {latest.grade}." if latest else ""
            messages.success(
                request, f"DASH recorded: {record.yes_count} yes, {record.risk} risk.{grade}"
            )
            return redirect(safe_next(request, "staff-home"))
    status = 400 if form.errors else 200
    return render(request, "triage/dash_form.html", {"form": form, "report": report}, status=status)


@staff("triage.manage_rules", methods=("GET", "POST"))
def rules(request: HttpRequest) -> HttpResponse:
    """Every version, and a form to propose a new one (starting from the one in use)."""
    active = RuleSetVersion.objects.filter(status=RuleSetStatus.ACTIVE).first()
    form = ProposeRulesForm(
        request.POST or None, initial={"source": active.source if active else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            row = do_propose_ruleset(staff_user(request), form.cleaned_data["source"])
        except RuleSetError as exc:
            form.add_error("source", str(exc))
        else:
            messages.success(
                request, f"Saved {row} as a draft. Check the preview before switching it on."
            )
            return redirect("triage-rules-preview", version_id=row.pk)
    context = {
        "versions": RuleSetVersion.objects.select_related("created_by", "activated_by"),
        "form": form,
    }
    return render(request, "triage/rules.html", context, status=400 if form.errors else 200)


@staff("triage.manage_rules")
def rules_preview(request: HttpRequest, version_id: int) -> HttpResponse:
    row = get_object_or_404(RuleSetVersion, pk=version_id)
    proposed = parse_ruleset(row.source, str(row))
    current = active_ruleset()
    try:
        last = max(1, min(int(request.GET.get("last", PREVIEW_DEFAULT)), PREVIEW_MAX))
    except ValueError:
        last = PREVIEW_DEFAULT
    rows = regrade_recent(current, proposed, last)  # the counts cover every report
    all_changed = [r for r in rows if r.changed]
    # The page lists these reports' risk factors: only those the user may read (each read
    # logged, one insert); the others are counted.
    readable = {
        r.pk
        for r in read_reports(
            request.user,
            Report.objects.filter(pk__in=[r.report.pk for r in all_changed[:PREVIEW_LISTED]]),
            "triage rule preview",
        )
    }
    changed = [r for r in all_changed if r.report.pk in readable]
    examples = run_examples(proposed, load_examples())
    context = {
        "row": row,
        "current": current,
        "proposed": proposed,
        "last": last,
        "looked_at": len(rows),
        "changed": changed,
        "changed_count": len(all_changed),
        "not_shown": len(all_changed[:PREVIEW_LISTED]) - len(changed),
        "transitions": sorted(transitions(rows).items()),
        "examples": examples,
        "examples_failed": sum(1 for e in examples if not e.passed),
    }
    return render(request, "triage/rules_preview.html", context)


@staff("triage.manage_rules", methods=("POST",))
@reauthentication_required  # switching a rule set on re-grades every open report
def rules_activate(request: HttpRequest, version_id: int) -> HttpResponse:
    try:
        row = do_activate_ruleset(staff_user(request), version_id)
    except (ValueError, RuleSetVersion.DoesNotExist) as exc:
        messages.error(request, str(exc))
        return redirect("triage-rules-preview", version_id=version_id)
    messages.success(
        request, f"{row} is now in use. Open reports are being re-scored by the worker."
    )
    return redirect("triage-rules")
