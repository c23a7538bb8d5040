from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from peel.reports.access import get_report_for_user
from peel.review.actions import DecisionError, do_record_decision
from peel.review.forms import DecisionForm
from peel.workqueue.actions import NotYourItem
from peel.workqueue.forms import set_aside_context
from peel.workqueue.models import WorkItem, WorkStatus


@login_required
@permission_required("review.record_decision", raise_exception=True)
@require_http_methods(["GET", "POST"])
def review_item(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(WorkItem, pk=item_id)
    if item.status != WorkStatus.ALLOCATED or item.holder_id != request.user.pk:
        messages.error(request, "That work item is not allocated to you. Press Get Work.")
        return redirect("staff-home")
    assert item.report_id is not None
    report = get_report_for_user(request.user, item.report_id, purpose="review")
    form = DecisionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                do_record_decision(
                    request.user, item, form.cleaned_data["outcome"], form.cleaned_data["rationale"]
                )
            except DecisionError as exc:
                form.add_error(None, str(exc))
            except NotYourItem as exc:
                messages.error(request, str(exc))
                return redirect("staff-home")
            else:
                messages.success(request, f"Decision recorded for {report.reference}.")
                return redirect("staff-home")
        status = 400
    context = {
        "item": item,
        "report": report,
        "assessment": report.assessments.first(),
        "form": form,
        **set_aside_context(),
    }
    return render(request, "review/review_item.html", context, status=status)
