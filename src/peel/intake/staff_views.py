"""Supervisors' view of intake: what is held in quarantine, why, and a button to retry it."""

from __future__ import annotations

from collections import Counter

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.intake.pipeline import retry
from peel.reports.access import log_reads_of_unfiled

# Problems that mean the national form changed before Peel's copy of the model did.
FORM_CHANGE_TITLES = {
    "Unknown field",
    "Value not in list",
    "Missing required field",
    "Unknown entity type",
}


def form_change_counts(items: list[QuarantineItem]) -> list[tuple[str, int]]:
    """How many held items name each field the national form changed, most first."""
    counts: Counter[str] = Counter()
    for item in items:
        fields = {p.get("field", "") for p in item.problems if p.get("title") in FORM_CHANGE_TITLES}
        counts.update(f for f in fields if f)
    return counts.most_common()


@staff("intake.manage_quarantine")
def quarantine_list(request: HttpRequest) -> HttpResponse:
    items = list(
        QuarantineItem.objects.filter(status=QuarantineStatus.HELD)
        .prefetch_related("arrivals")
        .order_by("received_at")[:500]
    )
    # The problems quote what the public sent: each read is logged (one insert). Only held
    # items are listed, so none of them is a report yet.
    log_reads_of_unfiled(request.user, items, "quarantine review")
    return render(
        request,
        "intake/quarantine.html",
        {"items": items, "form_changes": form_change_counts(items)},
    )


@staff("intake.manage_quarantine", methods=("POST",))
def quarantine_retry(request: HttpRequest, item_id: int) -> HttpResponse:
    item = get_object_or_404(QuarantineItem, pk=item_id)
    try:
        outcome = retry(staff_user(request), item)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("quarantine")
    if outcome.ok and outcome.submission is not None and outcome.submission.report is not None:
        messages.success(request, f"Q{item.pk} filed as {outcome.submission.report.reference}.")
    else:
        reason = outcome.problems[0].detail if outcome.problems else "unknown"
        messages.error(request, f"Q{item.pk} is still held: {reason}")
    return redirect("quarantine")
