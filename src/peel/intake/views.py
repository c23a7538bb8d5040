"""The public's pages: report a crime, the receipt, and where a report stands."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from peel.audit.actors import PUBLIC
from peel.core.access_rules import public
from peel.core.ratelimit import rate_limited, too_many
from peel.evidence.store import store_bytes
from peel.intake.forms import DangerForm
from peel.intake.pipeline import accept_document
from peel.intake.wizard import (
    FormDefinition,
    PageForm,
    build_document,
    display_answer,
    fact_information,
    load_definition,
)
from peel.notifications.messages import RECEIPT
from peel.reports.actions import do_message_reporter
from peel.reports.choices import Channel
from peel.reports.models import Report

security = logging.getLogger("peel.security")


@public()
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "intake/home.html")


SESSION_KEY = "public_report"  # core.views.quick_exit forgets it too
RECEIPT_KEY = "public_receipt"  # the reference just sent, until the receipt page shows it
DANGER_KEY = "dangerAdvice"  # kept with the answers: what the person chose on the call-999 page
# ... and shown to the operator among the report's flags ("Check before deciding").
DANGER_FLAGS = {
    "called_999": "The form told the reporter to call 999; they said they had called 999.",
    "cannot_call": "The form told the reporter to call 999; they said they could not call now.",
}


def _state(request: HttpRequest, definition: FormDefinition) -> dict[str, Any]:
    """This visitor's report in progress, kept in their session until it is sent."""
    state = request.session.get(SESSION_KEY)
    if not state or state.get("version") != definition.version:
        state = {
            "version": definition.version,
            "token": str(uuid.uuid4()),
            "started": time.time(),
            "answers": {},
        }
        request.session[SESSION_KEY] = state
    return state


@public()
def report_start(request: HttpRequest) -> HttpResponse:
    definition = load_definition()
    _state(request, definition)
    return redirect("report-page", page_id=definition.pages[0].id)


@never_cache  # nothing of a report stays in the browser's cache for someone else to find
@public(methods=("GET", "POST"))
def report_page(request: HttpRequest, page_id: str) -> HttpResponse:
    definition = load_definition()
    state = _state(request, definition)
    answers = state["answers"]
    page = definition.page(page_id)
    if page is None or not page.applies(answers):
        return redirect("report-start")
    form = PageForm(page, answers, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            security.warning(
                "Public form: hidden field filled from %s", request.META.get("REMOTE_ADDR")
            )
            return render(request, "intake/refused.html", status=400)
        answers.update(form.answers())
        request.session.modified = True
        following = definition.next_page(page, answers)
        if request.GET.get("return") == "check" or following is None:
            state["after_danger"] = reverse("report-check")
        else:
            state["after_danger"] = reverse("report-page", args=[following.id])
        if page.stop_if:
            answers.pop(DANGER_KEY, None)  # asked again whenever the answers say so
        if page.stops(answers):
            return redirect("report-danger")
        return redirect(state["after_danger"])
    previous = definition.previous_page(page, answers)
    # No "step N of M": the pages that apply depend on the answers, so a total would change
    # as people go (see docs/intake.md). The section's title and Back are enough.
    context = {
        "form": form, "page": page, "previous": previous, "action": request.get_full_path(),
    }  # fmt: skip
    return render(request, "intake/report_page.html", context, status=400 if form.errors else 200)


@never_cache
@public(methods=("GET", "POST"))
def report_danger(request: HttpRequest) -> HttpResponse:
    """Someone needs help now: call 999 (or the silent and deaf options); the form is a record."""
    definition = load_definition()
    state = _state(request, definition)
    answers = state["answers"]
    danger = definition.danger(answers)
    if danger is None:
        return redirect("report-start")
    form = DangerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        answers[DANGER_KEY] = form.cleaned_data["choice"]
        request.session.modified = True
        return redirect(state.get("after_danger") or reverse("report-check"))
    context = {
        "form": form,
        "danger": danger,
        "reasons": _danger_reasons(answers),
    }
    return render(request, "intake/report_danger.html", context, status=400 if form.errors else 200)


def _danger_reasons(answers: dict[str, Any]) -> list[str]:
    said = {
        "immediateDanger": "someone is in immediate danger",
        "incidentStillHappening": "it is still happening",
        "hadWeapon": "a weapon was involved or mentioned",
        "childPresent": "a child is there or was there",
    }
    return [text for name, text in said.items() if answers.get(name) == "yes"]


@never_cache
@public(methods=("GET", "POST"))
def report_check(request: HttpRequest) -> HttpResponse:
    definition = load_definition()
    state = _state(request, definition)
    answers = state["answers"]
    pages = definition.applicable(answers)
    unanswered = [p for p in pages if any(q.name not in answers for q in p.questions)]
    if unanswered:
        return redirect("report-page", page_id=unanswered[0].id)
    if definition.danger(answers) is not None and DANGER_KEY not in answers:
        state["after_danger"] = reverse("report-check")  # nobody sends it without the advice
        request.session.modified = True
        return redirect("report-danger")
    if request.method == "GET":
        summary = [
            (page, [(q, display_answer(q, answers.get(q.name))) for q in page.questions])
            for page in pages
        ]
        return render(request, "intake/report_check.html", {"summary": summary})
    if rate_limited(request, "report-crime", settings.PEEL["FORM_RATE"], fail_open=True):
        security.warning("Public form: rate limit reached for %s", request.META.get("REMOTE_ADDR"))
        return too_many(request)
    seconds = time.time() - float(state["started"])
    if seconds < int(settings.PEEL["FORM_MIN_SECONDS"]):
        # Not stored: a bot's output would fill the evidence store. Counted in the log instead.
        security.warning(
            "Public form: refused a submission from %s (answered in %.1f s)",
            request.META.get("REMOTE_ADDR"),
            seconds,
        )
        return render(request, "intake/refused.html", status=400)
    document, facts = build_document(definition, answers, state["token"])
    # The evidence: the answers as given, and the SDM document built from them.
    envelope = {
        "form": {"definition": definition.version, "answers": answers},
        "sdm": document,
        "facts": {
            **_draft_facts(facts),
            "other_information": fact_information(definition, answers),
        },
    }
    raw = json.dumps(envelope, sort_keys=True, ensure_ascii=False).encode()
    with transaction.atomic():
        outcome = accept_document(
            PUBLIC,
            Channel.WEB,
            store_bytes(raw, "application/json"),
            document,
            extra_facts=envelope["facts"],
            flags=[DANGER_FLAGS[answers[DANGER_KEY]]] if DANGER_KEY in answers else [],
        )
        report = outcome.submission.report if outcome.ok and outcome.submission else None
        if outcome.status == "accepted" and report is not None:
            _queue_receipt(request, report)
    del request.session[SESSION_KEY]
    if report is None:
        # The form built a document the model rejects: a Peel defect, held for a supervisor.
        return render(request, "intake/report_held.html", status=202)
    request.session[RECEIPT_KEY] = report.reference  # for the receipt page, once
    return redirect("receipt")


def _draft_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """Answers with no SDM field that the canonical report keeps (danger, safe contact)."""
    return {k: v for k, v in facts.items() if k == "immediate_danger" or k.startswith("contact_")}


def _queue_receipt(request: HttpRequest, report: Report) -> None:
    # Withheld (and audited) by notifications if the reporter said email is not safe.
    status_url = request.build_absolute_uri(reverse("report-status"))
    do_message_reporter(PUBLIC, report, RECEIPT.purpose, status_url=status_url)


@never_cache
@public()
def receipt(request: HttpRequest) -> HttpResponse:
    """The reference, once, to the browser that sent the report (its session carries it); then,
    and to anyone else, the same plain page pointing to the status page. The page is the same
    whatever the report says: nothing of the answers (danger, weapon, child...) is on it."""
    reference = request.session.pop(RECEIPT_KEY, None)
    return render(request, "intake/receipt.html", {"reference": reference})


@public()
def receipt_by_reference(request: HttpRequest, reference: str) -> HttpResponse:
    """The old receipt address (before issue 15), in browsers' histories: the plain page, the
    same for every reference, real or guessed; nothing is looked up."""
    return render(request, "intake/receipt.html", {"reference": None})
