"""The auditor's pages: search the audit and access logs, read one event, export a search as
CSV, see and start the chain's verification. Every use is itself access-logged."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse

from peel.accounts.models import Team, User
from peel.accounts.reauth import reauthentication_required
from peel.accounts.requests import staff_user
from peel.audit.events import EVENTS, describe
from peel.audit.log import record_search
from peel.audit.models import AccessEvent, AuditEvent
from peel.audit.verification import latest_finished, pending, request_verification
from peel.core.access_rules import staff
from peel.oversight.forms import SearchForm
from peel.oversight.related import about, rows_about_reports
from peel.oversight.search import Found, Search, hidden_reports, run
from peel.reports.models import Person, Report

PERMISSION = "audit.view_audit_log"
PAGE_SIZE = 50


@dataclass
class Row:
    """One log row as the page shows it, with the links that search from it."""

    event: AuditEvent | AccessEvent
    who: str
    object_label: str
    object_search: dict[str, str]
    log: str = "audit"

    @property
    def who_query(self) -> str:
        return urlencode({"log": self.log, "user": self.who})

    @property
    def object_query(self) -> str:
        return urlencode(self.object_search) if self.object_search else ""

    @property
    def description(self) -> str:
        action = getattr(self.event, "action", "")
        return describe(action) if action else ""


@staff(PERMISSION)
def search(request: HttpRequest) -> HttpResponse:
    viewer = staff_user(request)
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "events": EVENTS, **_verification_state()}
    if not form.is_bound or not form.is_valid():
        record_search(viewer, "audit page", request.GET.urlencode(), [])
        return render(request, "oversight/search.html", context)
    query = form.to_search()
    found = run(query, viewer)
    page = _page_number(request)
    ordered = found.rows.select_related("user") if query.log == "access" else found.rows
    # One row more than a page, to know whether there is a next page without counting them all.
    rows = list(ordered[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    record_search(
        viewer, "audit search", f"{query.as_query()}&page={page}", [*found.people, *found.reports]
    )
    context.update(
        search=query,
        found=found,
        rows=_rows(query, rows[:PAGE_SIZE]),
        page=page,
        previous_page=_params(query, page - 1) if page > 1 else None,
        next_page=_params(query, page + 1) if len(rows) > PAGE_SIZE else None,
        export_params=query.as_query(),
    )
    return render(request, "oversight/search.html", context)


def _search_page(request: HttpRequest) -> str:
    return f"{reverse('oversight-search')}?{request.GET.urlencode()}"


@staff(PERMISSION)
@reauthentication_required(methods=("GET", "HEAD"), back=_search_page)  # records in bulk
def export(request: HttpRequest) -> HttpResponseBase:
    """The whole search as CSV, streamed (a search can match millions of rows)."""
    viewer = staff_user(request)
    form = SearchForm(request.GET)
    if not form.is_valid():
        return HttpResponse("That search is not valid.", status=400, content_type="text/plain")
    query = form.to_search()
    found = run(query, viewer)
    record_search(viewer, "audit export", query.as_query(), [*found.people, *found.reports])
    response = StreamingHttpResponse(_csv_lines(query, found), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="peel-{query.log}-log.csv"'
    return response


@staff(PERMISSION)
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    viewer = staff_user(request)
    hidden = rows_about_reports(hidden_reports(viewer).values_list("pk", flat=True))
    event = AuditEvent.objects.exclude(about(hidden)).filter(pk=event_id).first()
    if event is None:  # none, or about a report restricted from this auditor
        raise Http404("No such event.")
    subject = _subject(event.object_type, event.object_id)
    record_search(viewer, "audit event view", f"event={event.pk}", [subject] if subject else [])
    [row] = _rows(Search(), [event])
    context = {
        "row": row,
        "before": _pretty(event.before),
        "after": _pretty(event.after),
        "previous": AuditEvent.objects.filter(pk__lt=event.pk).order_by("-pk").first(),
    }
    return render(request, "oversight/event.html", context)


@staff(PERMISSION, methods=("POST",))
def verify(request: HttpRequest) -> HttpResponse:
    viewer = staff_user(request)
    asked = request_verification(viewer.get_username())
    record_search(viewer, "audit verification requested", f"verification={asked.pk}", [])
    messages.success(
        request, "Verification asked for. The worker checks the whole chain within a minute or two."
    )
    return redirect("oversight-search")


# ---- helpers ------------------------------------------------------------------------------------


def _verification_state() -> dict[str, Any]:
    last = latest_finished()
    since = AuditEvent.objects.filter(occurred_at__gt=last.finished_at).count() if last else None
    return {"verification": last, "events_since_verified": since, "verification_pending": pending()}


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


def _params(query: Search, page: int) -> str:
    return f"{query.as_query()}&page={page}"


def _subject(object_type: str, object_id: str) -> Report | Person | None:
    """The report or person a log row is about, if it is one (the auditor's look at it is logged
    against it too)."""
    if not object_id.isdigit():
        return None
    if object_type == "reports.report":
        return Report.objects.filter(pk=int(object_id)).first()
    if object_type == "reports.person":
        return Person.objects.filter(pk=int(object_id)).first()
    return None


# Staff records an auditor meets in the admin's events, named as people know them.
_NAMED: dict[str, tuple[type[Any], str]] = {
    "accounts.user": (User, "username"),
    "accounts.team": (Team, "name"),
    "auth.group": (Group, "name"),
}


def _rows(query: Search, events: list[Any]) -> list[Row]:
    """Label each row's object: a report by its reference, a person by name, an account by its
    username, a team or role by its name (one query per kind of object on the page)."""
    ids: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.object_id.isdigit():
            ids[event.object_type].add(int(event.object_id))
    references = dict(
        Report.objects.filter(pk__in=ids["reports.report"]).values_list("pk", "reference")
    )
    people = {p.pk: str(p) for p in Person.objects.filter(pk__in=ids["reports.person"])}
    names = {
        object_type: dict(model.objects.filter(pk__in=ids[object_type]).values_list("pk", field))
        for object_type, (model, field) in _NAMED.items()
        if ids[object_type]
    }
    rows = []
    for event in events:
        pk = int(event.object_id) if event.object_id.isdigit() else None
        object_search = {"log": query.log, "object": f"{event.object_type}:{event.object_id}"}
        label = f"{event.object_type} {event.object_id}"
        if event.object_type == "reports.report" and pk in references:
            label = references[pk]
            object_search = {"log": query.log, "report": references[pk]}
        elif event.object_type == "reports.person" and pk in people:
            label = f"{people[pk]} (person {pk})"
        elif pk in names.get(event.object_type, {}):
            kind = event.object_type.split(".")[1]
            label = f"{names[event.object_type][pk]} ({kind} {pk})"
        elif event.object_type == "audit.search":
            label, object_search = "the audit pages", {}
        who = event.actor_label if isinstance(event, AuditEvent) else _reader(event)
        rows.append(Row(event, who, label, object_search, log=query.log))
    return rows


def _reader(event: AccessEvent) -> str:
    return event.user.get_username() if event.user_id and event.user else event.actor_label


def _pretty(value: Any) -> str:
    return "" if value is None else json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


class _Echo:
    """A file-like object whose write returns the line, for csv.writer under streaming."""

    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula (=, +, - or @ at the start)."""
    text = "" if value is None else value if isinstance(value, str) else json.dumps(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _csv_lines(query: Search, found: Found) -> Iterator[str]:
    writer = csv.writer(_Echo())
    rows = found.rows.select_related("actor" if query.log == "audit" else "user")
    if query.log == "audit":
        yield writer.writerow(
            ["id", "occurred_at", "actor", "action", "description", "object_type", "object_id",
             "before", "after", "hash"]
        )  # fmt: skip
        for e in rows.iterator(chunk_size=2000):
            yield writer.writerow(
                [e.pk, e.occurred_at.isoformat(), _cell(e.actor_label), e.action,
                 describe(e.action), e.object_type, _cell(e.object_id), _cell(e.before),
                 _cell(e.after), e.hash]
            )  # fmt: skip
        return
    yield writer.writerow(
        ["id", "occurred_at", "reader", "purpose", "object_type", "object_id", "query"]
    )
    for a in rows.iterator(chunk_size=2000):
        yield writer.writerow(
            [a.pk, a.occurred_at.isoformat(), _cell(_reader(a)), _cell(a.purpose), a.object_type,
             _cell(a.object_id), _cell(a.query)]
        )  # fmt: skip
