from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from peel.intake.evidence import store_bytes
from peel.intake.forms import PublicReportForm
from peel.intake.pipeline import accept_document
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
    # The evidence: what the public typed (not the CSRF token) and the SDM document built from it.
    typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    envelope = {"form": typed, "sdm": form.to_sdm(), "facts": form.extra_facts()}
    raw = json.dumps(envelope, sort_keys=True, ensure_ascii=False).encode()
    outcome = accept_document(
        "public", Channel.WEB, store_bytes(raw, "application/json"), envelope["sdm"],
        extra_facts=envelope["facts"],
    )  # fmt: skip
    if not outcome.ok or outcome.submission is None or outcome.submission.report is None:
        # The form built a document the model rejects: a Peel defect, held for a supervisor.
        return render(request, "intake/report_held.html", status=202)
    return redirect("receipt", reference=outcome.submission.report.reference)


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    # Shows only the reference and what happens next: nothing the reporter did not already know.
    report = get_object_or_404(
        Report.objects.only("reference", "immediate_danger"), reference=reference
    )
    return render(request, "intake/receipt.html", {"report": report})
