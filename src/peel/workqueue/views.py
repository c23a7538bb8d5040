from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from peel.intake.models import QuarantineItem, QuarantineStatus
from peel.workqueue.actions import current_item, do_get_work, do_return_item
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
        WorkItem.objects.filter(status__in=[WorkStatus.QUEUED, WorkStatus.ALLOCATED])
        .select_related("report", "holder")
        .order_by("rank", "due_at", "created_at", "id")
    )
    now = timezone.now()
    rows = list(items[:500])
    counts = {
        "queued": items.filter(status=WorkStatus.QUEUED).count(),
        "allocated": items.filter(status=WorkStatus.ALLOCATED).count(),
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
