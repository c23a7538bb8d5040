"""The citizen status page: where a report stands, looked up by reference and email, and the
reporter's answer to our question. Public (no login); rate-limited per address and per reference
(counters shared by every process through the cache), and it answers the same for a reference
that does not exist as for a wrong email."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from peel.core.access_rules import reference_holder
from peel.core.ratelimit import rate_limited, reference_rate_limited, too_many
from peel.reports.models import Report
from peel.review.actions import do_answer_info_request
from peel.review.forms import AnswerForm, StatusForm
from peel.review.status import find_report_for_reporter, public_status, record_public_read

security = logging.getLogger("peel.security")


@never_cache
@reference_holder(methods=("GET", "POST"))
def report_status(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return render(request, "review/status.html", {"form": StatusForm()})
    if rate_limited(request, "report-status", settings.PEEL["STATUS_RATE"]):
        security.warning("Status page: rate limit reached for %s", request.META.get("REMOTE_ADDR"))
        return too_many(request)
    # Before the form is checked: every path below looks the reference up.
    reference = request.POST.get("reference", "")
    if reference_rate_limited(
        request, "report-status", settings.PEEL["STATUS_REFERENCE_RATE"], reference
    ):
        security.warning(
            "Status page: rate limit reached for a reference (from %s)",
            request.META.get("REMOTE_ADDR"),
        )
        return too_many(request)
    answering = "answer" in request.POST
    form: AnswerForm | StatusForm = (
        AnswerForm(request.POST) if answering else StatusForm(request.POST)
    )
    if not form.is_valid():
        if isinstance(form, AnswerForm) and form.has_error("answer"):
            return _status_page(request, form, status=400)
        return render(request, "review/status.html", {"form": StatusForm(request.POST)}, status=400)
    report = find_report_for_reporter(form.cleaned_data["reference"], form.cleaned_data["email"])
    if report is None:  # the same answer whether the reference or the email was wrong
        return render(
            request, "review/status.html",
            {"form": StatusForm(request.POST), "not_found": True}, status=404,
        )  # fmt: skip
    sent = False
    if isinstance(form, AnswerForm):
        try:
            do_answer_info_request(report, form.cleaned_data["answer"])
            sent = True
        except ValueError as exc:
            form.add_error("answer", str(exc))
            return _status_page(request, form, report, status=400)
    return _status_page(request, None, report, sent=sent)


def _status_page(
    request: HttpRequest,
    answer_form: AnswerForm | None,
    report: Report | None = None,
    *,
    status: int = 200,
    sent: bool = False,
) -> HttpResponse:
    if report is None:
        assert answer_form is not None
        report = find_report_for_reporter(
            answer_form.data.get("reference", ""), answer_form.data.get("email", "")
        )
        if report is None:
            return render(request, "review/status.html", {"form": StatusForm()}, status=404)
    record_public_read(report, "status page")
    verified = {"reference": report.reference, "email": request.POST.get("email", "")}
    context = {
        "form": StatusForm(),
        "status": public_status(report),
        "answer_form": answer_form or AnswerForm(initial=verified),
        "sent": sent,
    }
    return render(request, "review/status.html", context, status=status)
