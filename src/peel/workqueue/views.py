from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.workqueue.actions import (
    NotYourItem,
    current_item,
    do_get_work,
    do_hand_back,
    do_heartbeat,
    do_park,
    do_return_item,
)
from peel.workqueue.forms import HandBackForm, ParkForm
from peel.workqueue.models import WorkItem, WorkStatus


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    context: dict[str, object] = {"held": current_item(request.user)}
    if request.user.has_perm("intake.manage_quarantine"):
        context["quarantine_held"] = QuarantineItem.objects.filter(
            status=QuarantineStatus.HELD
        ).count()
    return render(request, "workqueue/staff_home.html", context)


@login_required
@permission_required("workqueue.get_work", raise_exception=True)
@require_POST
def get_work(request: HttpRequest) -> HttpResponse:
    try:
        item = do_get_work(request.user)
    except PermissionError as exc:
        messages.error(request, str(exc))
        return redirect("staff-home")
    if item is None:
        messages.info(request, "There is no work waiting for you. Try again shortly.")
        return redirect("staff-home")
    return redirect("review-item", item_id=item.pk)


@login_required
@permission_required("workqueue.supervise_queue", raise_exception=True)
def queue(request: HttpRequest) -> HttpResponse:
    items = (
        WorkItem.objects.filter(
            status__in=[WorkStatus.QUEUED, WorkStatus.ALLOCATED, WorkStatus.PARKED]
        )
        .select_related("report", "holder")
        .order_by("rank", "due_at", "created_at", "id")
    )
    now = timezone.now()
    rows = list(items[:500])
    counts = {
        "queued": items.filter(status=WorkStatus.QUEUED).count(),
        "allocated": items.filter(status=WorkStatus.ALLOCATED).count(),
        "parked": items.filter(status=WorkStatus.PARKED).count(),
        "overdue": items.filter(due_at__lt=now).count(),
    }
    return render(request, "workqueue/queue.html", {"rows": rows, "counts": counts, "now": now})


@login_required
@permission_required("workqueue.supervise_queue", raise_exception=True)
@require_POST
def return_item(request: HttpRequest, item_id: int) -> HttpResponse:
    reason = request.POST.get("reason", "")
    try:
        item = do_return_item(request.user, item_id, reason)
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
        return redirect("review-item", item_id=item_id)
    messages.success(request, done)
    return redirect("staff-home")


@login_required
@permission_required("workqueue.get_work", raise_exception=True)
@require_POST
def hand_back(request: HttpRequest, item_id: int) -> HttpResponse:
    form = HandBackForm(request.POST, prefix="hand_back")
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _my_item_action(
        request,
        item_id,
        lambda: do_hand_back(request.user, item_id, reason),
        f"Item {item_id} is back on the queue.",
    )


@login_required
@permission_required("workqueue.get_work", raise_exception=True)
@require_POST
def park(request: HttpRequest, item_id: int) -> HttpResponse:
    form = ParkForm(request.POST, prefix="park")
    if not form.is_valid():
        messages.error(request, "Say what the item is waiting for and when to bring it back.")
        return redirect("review-item", item_id=item_id)
    follow_up = form.cleaned_data["follow_up_at"]
    return _my_item_action(
        request, item_id,
        lambda: do_park(request.user, item_id, form.cleaned_data["reason"], follow_up),
        f"Item {item_id} is parked until {timezone.localtime(follow_up):%a %d %b %H:%M}.",
    )  # fmt: skip


@login_required
@permission_required("workqueue.get_work", raise_exception=True)
@require_POST
def heartbeat(request: HttpRequest, item_id: int) -> HttpResponse:
    """Sent by the review page every minute while the operator is active (static/peel/heartbeat.js)."""
    try:
        item = do_heartbeat(request.user, item_id)
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
