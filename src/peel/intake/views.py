from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from peel.intake.actions import do_accept_submission
from peel.intake.forms import PublicReportForm
from peel.reports.choices import Channel
from peel.reports.models import Report


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/home.html")


@require_http_methods(["GET", "POST"])
def report_crime(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "intake/report_form.html", {"form": PublicReportForm.blank()})
    form = PublicReportForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/report_form.html", {"form": form}, status=400)
    # What the public sent, field by field, is the evidence (the CSRF token is not theirs).
    payload = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    submission, _created = do_accept_submission(
        "public",
        submission_id=form.cleaned_data["submission_token"],
        channel=Channel.WEB,
        raw=raw,
        content_type="application/json",
        payload=payload,
        draft=form.to_draft(),
    )
    assert submission.report is not None
    return redirect("receipt", reference=submission.report.reference)


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    # Shows only the reference and what happens next: nothing the reporter did not already know.
    report = get_object_or_404(
        Report.objects.only("reference", "immediate_danger"), reference=reference
    )
    return render(request, "intake/receipt.html", {"report": report})
