"""The public's pages: report a crime, the receipt, and where a report stands."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from peel.intake.evidence import store_bytes
from peel.intake.forms import PublicReportForm, StatusForm
from peel.intake.pipeline import accept_document
from peel.intake.status import find_report_for_reporter, public_status, record_public_read
from peel.notifications.actions import do_queue_email
from peel.reports.choices import Channel
from peel.reports.models import Report

security = logging.getLogger("peel.security")


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/home.html")


def rate_limited(request: HttpRequest, group: str, rate: str) -> bool:
    """Count this request against its address; True once over the limit."""
    return is_ratelimited(request, group=group, key="ip", rate=rate, method="POST", increment=True)


@require_http_methods(["GET", "POST"])
def report_crime(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "intake/report_form.html", {"form": PublicReportForm.blank()})
    if rate_limited(request, "report-crime", settings.PEEL["FORM_RATE"]):
        security.warning("Public form: rate limit reached for %s", request.META.get("REMOTE_ADDR"))
        return render(request, "intake/too_many.html", status=429)
    form = PublicReportForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/report_form.html", {"form": form}, status=400)
    automated = form.looks_automated()
    if automated:
        # Not stored: a bot's output would fill the evidence store. Counted in the log instead.
        security.warning(
            "Public form: refused a submission from %s (%s)",
            request.META.get("REMOTE_ADDR"),
            automated,
        )
        return render(request, "intake/refused.html", status=400)
    # The evidence: what the public typed (not the CSRF token) and the SDM document built from it.
    typed = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
    envelope = {"form": typed, "sdm": form.to_sdm(), "facts": form.extra_facts()}
    raw = json.dumps(envelope, sort_keys=True, ensure_ascii=False).encode()
    with transaction.atomic():
        outcome = accept_document(
            "public", Channel.WEB, store_bytes(raw, "application/json"), envelope["sdm"],
            extra_facts=envelope["facts"],
        )  # fmt: skip
        report = outcome.submission.report if outcome.ok and outcome.submission else None
        if (
            outcome.status == "accepted"
            and report is not None
            and form.cleaned_data["email_receipt"] == "yes"
        ):
            _queue_receipt(request, report, form.cleaned_data["email"])
    if report is None:
        # The form built a document the model rejects: a Peel defect, held for a supervisor.
        return render(request, "intake/report_held.html", status=202)
    return redirect("receipt", reference=report.reference)


def _queue_receipt(request: HttpRequest, report: Report, to: str) -> None:
    status_url = request.build_absolute_uri(reverse("report-status"))
    body = (
        "Thank you for reporting a crime.\n\n"
        f"Your reference is {report.reference}. Quote it if you contact us about this report.\n\n"
        "A member of police staff will review it. To see where it stands, visit\n"
        f"{status_url}\nand enter your reference and this email address.\n\n"
        "If anyone is in immediate danger, call 999.\n"
    )  # no details of the report: someone else may read this mailbox
    do_queue_email(
        "public",
        to=to,
        subject=f"Crime report {report.reference} received",
        body=body,
        purpose="receipt",
        about=report,
    )


def receipt(request: HttpRequest, reference: str) -> HttpResponse:
    # Shows only the reference and what happens next: nothing the reporter did not already know.
    report = get_object_or_404(
        Report.objects.only("reference", "immediate_danger"), reference=reference
    )
    return render(request, "intake/receipt.html", {"report": report})


@require_http_methods(["GET", "POST"])
def report_status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "intake/status.html", {"form": StatusForm()})
    if rate_limited(request, "report-status", settings.PEEL["STATUS_RATE"]):
        security.warning("Status page: rate limit reached for %s", request.META.get("REMOTE_ADDR"))
        return render(request, "intake/too_many.html", status=429)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return render(request, "intake/status.html", {"form": form}, status=400)
    report = find_report_for_reporter(form.cleaned_data["reference"], form.cleaned_data["email"])
    if report is None:  # the same answer whether the reference or the email was wrong
        return render(request, "intake/status.html", {"form": form, "not_found": True}, status=404)
    record_public_read(report, "status page")
    return render(
        request, "intake/status.html", {"form": StatusForm(), "status": public_status(report)}
    )
