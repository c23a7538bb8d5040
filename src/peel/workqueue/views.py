from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from peel.accounts.reauth import require_reauthentication
from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.core.formerrors import field_messages
from peel.reports.access import (
    get_report_for_user,
    read_related,
    restricted_not_shown,
    visible_related,
)
from peel.reports.contact import contact_panel
from peel.workqueue.actions import (
    OPEN_STATUSES,
    NotYourItem,
    current_item,
    do_complete_task,
    do_escalate_item,
    do_get_work,
    do_hand_back,
    do_heartbeat,
    do_park,
    do_reassign_item,
    do_return_item,
    do_route_item,
)
from peel.workqueue.forms import (
    BULK_ACTIONS,
    BulkActionForm,
    HandBackForm,
    ParkForm,
    QueueFilterForm,
    TaskDoneForm,
    set_aside_context,
)
from peel.workqueue.kinds import KINDS
from peel.workqueue.models import WorkItem
from peel.workqueue.panels import QUEUE_PAGE, STAFF_HOME, panels
from peel.workqueue.queries import filtered_items, queue_counts

QUEUE_PAGE_ROWS = 200
REAUTHENTICATE_FOR = {"reassign", "route"}  # bulk actions that move work to others


@staff()
def staff_home(request: HttpRequest) -> HttpResponse:
    held = current_item(request.user)
    context: dict[str, object] = {"held": held, "held_url": work_page(held) if held else ""}
    context["panels"] = panels(STAFF_HOME, request.user, timezone.now())
    return render(request, "workqueue/staff_home.html", context)


@staff("workqueue.get_work", methods=("POST",))
def get_work(request: HttpRequest) -> HttpResponse:
    try:
        item = do_get_work(staff_user(request))
    except PermissionError as exc:
        messages.error(request, str(exc))
        return redirect("staff-home")
    if item is None:
        messages.info(request, "There is no work waiting for you. Try again shortly.")
        return redirect("staff-home")
    return redirect(work_page(item))


def work_page(item: WorkItem) -> str:
    return reverse(KINDS[item.kind].page, args=[item.pk])


@staff("workqueue.supervise_queue")
def queue(request: HttpRequest) -> HttpResponse:
    """The whole queue, filtered. With ?partial=1 only the live part (counts and rows), which
    static/peel/queue.js fetches every few seconds."""
    now = timezone.now()
    filters = QueueFilterForm(request.GET or None)
    chosen = filters.cleaned_data if filters.is_valid() else {}
    items = filtered_items(chosen, now)
    # Rows name reports, so only those the supervisor may read are listed; items of reports
    # restricted to a team they are not in are only counted. Loading the page logs a read of
    # each report listed (one insert); the live refresh every few seconds shows the same rows
    # to the same person and is not logged again.
    if request.GET.get("partial"):
        rows = list(visible_related(request.user, items)[: QUEUE_PAGE_ROWS + 1])
    else:
        rows = read_related(
            request.user, items, "report", "supervisor's queue", limit=QUEUE_PAGE_ROWS + 1
        )
    context = {
        "filters": filters,
        "rows": rows[:QUEUE_PAGE_ROWS],
        "more": len(rows) > QUEUE_PAGE_ROWS,
        "matching": items.count(),
        "not_shown": restricted_not_shown(request.user, items),
        "counts": queue_counts(now),
        "now": now,
        "soon": now + timedelta(hours=1),
        "bulk": BulkActionForm(item_ids=[]),
        "refresh_seconds": settings.PEEL["QUEUE_REFRESH_SECONDS"],
        "panels": panels(QUEUE_PAGE, request.user, now),
    }
    template = (
        "workqueue/_queue_live.html" if request.GET.get("partial") else "workqueue/queue.html"
    )
    return render(request, template, context)


def _queue_page(request: HttpRequest) -> str:
    filters = request.POST.get("filters", "")
    return reverse("queue") + (f"?{filters}" if filters else "")


@staff("workqueue.supervise_queue", methods=("POST",))
def bulk_action(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected items, each as its own audited change. Moving work to
    other people (reassigning, routing to a team) needs a recent re-authentication."""
    if request.POST.get("action") in REAUTHENTICATE_FOR:
        ask = require_reauthentication(request, _queue_page)
        if ask is not None:
            return ask
    submitted = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
    open_ids = list(  # an item the page did not list cannot be chosen
        visible_related(
            request.user, WorkItem.objects.filter(pk__in=submitted, status__in=OPEN_STATUSES)
        ).values_list("pk", flat=True)
    )
    form = BulkActionForm(request.POST, item_ids=open_ids)
    # Back to the queue with the filters the page had: always the queue's own path, and the
    # query re-encoded, so nothing sent in "filters" can name another site or break the header.
    filters = QueryDict(request.POST.get("filters", "")).urlencode()
    back = reverse("queue") + ("?" + filters if filters else "")
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, str(error))
        for bound in form:
            for message in field_messages(bound):  # what to do, not Django's generic words
                messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    act = {
        "return": lambda pk: do_return_item(staff_user(request), pk, data["reason"]),
        "escalate": lambda pk: do_escalate_item(
            staff_user(request), pk, data["grade"], data["reason"]
        ),
        "reassign": lambda pk: do_reassign_item(
            staff_user(request), pk, data["to_user"], data["reason"]
        ),
        "route": lambda pk: do_route_item(staff_user(request), pk, data["team"], data["reason"]),
    }[data["action"]]
    done, refused = 0, []
    for pk in data["items"]:
        try:
            act(pk)
            done += 1
        except (ValueError, WorkItem.DoesNotExist) as exc:
            refused.append(f"item {pk}: {exc}")
    if done:
        label = dict(BULK_ACTIONS)[data["action"]]
        messages.success(request, f"{label}: {done} item(s) done.")
    for problem in refused:
        messages.error(request, problem[0].upper() + problem[1:])
    return redirect(back)


@staff("workqueue.supervise_queue", methods=("POST",))
def return_item(request: HttpRequest, item_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    if not visible_related(request.user, WorkItem.objects.filter(pk=item_id)).exists():
        raise Http404("No such work item.")  # not listed for this supervisor either
    try:
        item = do_return_item(staff_user(request), item_id, reason)
    except (ValueError, WorkItem.DoesNotExist) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Item {item.pk} is back on the queue.")
    return redirect("queue")


def _my_item_action(
    request: HttpRequest, item_id: int, act: Callable[[], object], done: str
) -> HttpResponse:
    try:
        act()
    except (NotYourItem, WorkItem.DoesNotExist):
        messages.error(request, "That work item is not allocated to you. Press Get Work.")
        return redirect("staff-home")
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(work_page(WorkItem.objects.get(pk=item_id)))
    messages.success(request, done)
    return redirect("staff-home")


@staff("workqueue.get_work", holder=True, methods=("GET", "POST"))
def work_item(request: HttpRequest, item_id: int) -> HttpResponse:
    """The page for work that is not a report review: what the task is, the report it is about,
    its deadlines, and a note of what was done."""
    item = get_object_or_404(WorkItem.objects.select_related("team"), pk=item_id)
    if not item.is_held_by(request.user):
        messages.error(request, "That work item is not allocated to you. Press Get Work.")
        return redirect("staff-home")
    if KINDS[item.kind].page != "work-item":
        return redirect(work_page(item))
    report = None
    if item.report_id is not None:
        report = get_report_for_user(request.user, item.report_id, purpose=item.kind)
    form = TaskDoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_complete_task(staff_user(request), item.pk, form.cleaned_data["note"])
        except NotYourItem as exc:
            messages.error(request, str(exc))
            return redirect("staff-home")
        messages.success(request, f"{item.get_kind_display()} {item.pk} is done.")
        return redirect("staff-home")
    context = {
        "item": item,
        "report": report,
        "assessment": report.assessments.first() if report else None,
        "contact": contact_panel(report) if report else None,  # safeguarding and despatch call them
        "form": form,
        **set_aside_context(),
    }
    return render(request, "workqueue/work_item.html", context, status=400 if form.errors else 200)


@staff("workqueue.get_work", holder=True, methods=("POST",))
def hand_back(request: HttpRequest, item_id: int) -> HttpResponse:
    form = HandBackForm(request.POST, prefix="hand_back")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _my_item_action(
        request,
        item_id,
        lambda: do_hand_back(staff_user(request), item_id, reason),
        f"Item {item_id} is back on the queue.",
    )


@staff("workqueue.get_work", holder=True, methods=("POST",))
def park(request: HttpRequest, item_id: int) -> HttpResponse:
    form = ParkForm(request.POST, prefix="park")
    if not form.is_valid():
        messages.error(request, "Say what the item is waiting for and when to bring it back.")
        return redirect(work_page(get_object_or_404(WorkItem, pk=item_id)))
    follow_up = form.cleaned_data["follow_up_at"]
    return _my_item_action(
        request, item_id,
        lambda: do_park(staff_user(request), item_id, form.cleaned_data["reason"], follow_up),
        f"Item {item_id} is parked until {timezone.localtime(follow_up):%a %d %b %H:%M}.",
    )  # fmt: skip


@staff("workqueue.get_work", holder=True, methods=("POST",))
def heartbeat(request: HttpRequest, item_id: int) -> HttpResponse:
    """Sent by the review page every minute while the operator is active (static/peel/heartbeat.js)."""
    try:
        item = do_heartbeat(staff_user(request), item_id)
    except (NotYourItem, WorkItem.DoesNotExist):
        return JsonResponse({"held": False}, status=409)
    return JsonResponse(
        {
            "held": True,
            "lease_expires_at": item.lease_expires_at.isoformat()
            if item.lease_expires_at
            else None,
        }
    )
