from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.evidence.store import read_bytes
from peel.reports.access import (
    get_report_for_user,
    may_read_report,
    read_related,
    restricted_not_shown,
)
from peel.robots.actions import do_complete_transposition, do_give_to_person, do_retry_task
from peel.robots.choices import TaskStatus
from peel.robots.forms import GiveForm, KeyedForm, ReasonForm, WindowForm
from peel.robots.guide import keying_guide
from peel.robots.metrics import robot_figures
from peel.robots.models import RobotAttempt, RobotTask
from peel.workqueue.actions import NotYourItem
from peel.workqueue.forms import set_aside_context
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus


@staff("robots.view_robots")
def robots_page(request: HttpRequest) -> HttpResponse:
    """Figures only (no report content), so analysts may see it too."""
    form = WindowForm(request.GET or None)
    hours = form.cleaned_data["hours"] if form.is_valid() else 24
    context = {
        "figures": robot_figures(hours=hours),
        "hours": hours,
        "form": form,
        "failed_open": RobotTask.objects.filter(
            status=TaskStatus.FAILED, manual_item__status=WorkStatus.QUEUED
        ).count(),
    }
    return render(request, "robots/robots.html", context)


@staff("robots.manage_robots")
def failed_tasks(request: HttpRequest) -> HttpResponse:
    failed = RobotTask.objects.filter(status=TaskStatus.FAILED)
    # The reasons can quote what was being written: reading them is reading the report, so
    # only reports the user may read are shown (and logged); the others only as a count.
    tasks = read_related(
        request.user,
        failed.select_related("report", "manual_item__holder")
        .prefetch_related("tries")
        .order_by("-finished_at"),
        "report",
        "robot dead letters",
        limit=100,
    )
    context = {
        "tasks": tasks,
        "not_shown": restricted_not_shown(request.user, failed),
        "reason_form": ReasonForm(),
        "give_form": GiveForm(),
    }
    return render(request, "robots/failed.html", context)


def _readable_task(request: HttpRequest, task_id: int) -> None:
    """A task of a report the user may not read does not exist for them (it is not listed)."""
    report_id = RobotTask.objects.filter(pk=task_id).values_list("report_id", flat=True).first()
    if report_id is not None and not may_read_report(request.user, report_id):
        raise Http404("No such robot task.")


@staff("robots.manage_robots", methods=("POST",))
def retry_task(request: HttpRequest, task_id: int) -> HttpResponse:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a reason to retry.")
        return redirect("robots-failed")
    _readable_task(request, task_id)
    try:
        do_retry_task(staff_user(request), task_id, form.cleaned_data["reason"])
    except (ValueError, RobotTask.DoesNotExist) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Robot task {task_id} is back with the robots.")
    return redirect("robots-failed")


@staff("robots.manage_robots", methods=("POST",))
def give_task(request: HttpRequest, task_id: int) -> HttpResponse:
    form = GiveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a person and give a reason.")
        return redirect("robots-failed")
    person = form.cleaned_data["person"]
    _readable_task(request, task_id)
    try:
        do_give_to_person(staff_user(request), task_id, person, form.cleaned_data["reason"])
    except (ValueError, RobotTask.DoesNotExist) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Robot task {task_id} is with {person}.")
    return redirect("robots-failed")


@staff(holder=True, or_permission="robots.manage_robots")
def attempt_evidence(request: HttpRequest, attempt_id: int, kind: str) -> HttpResponse:
    """A failed try's screenshot (shown) or page HTML (downloaded, never rendered here): for
    supervisors, and for the person re-keying the task."""
    attempt = get_object_or_404(RobotAttempt.objects.select_related("task"), pk=attempt_id)
    item = attempt.task.manual_item
    holds_item = item is not None and item.is_held_by(request.user)
    if not (request.user.has_perm("robots.manage_robots") or holds_item):
        raise PermissionDenied
    blob = {"screenshot": attempt.screenshot, "html": attempt.page_html}.get(kind)
    if blob is None:
        raise Http404("No such evidence for this try.")
    # A picture of the report is the report: the same rule (403 outside a restricting team).
    get_report_for_user(request.user, attempt.task.report_id, f"robot evidence ({kind})")
    if kind == "screenshot":
        response = HttpResponse(read_bytes(blob), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="try-{attempt.pk}.png"'
    else:
        response = HttpResponse(read_bytes(blob), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="try-{attempt.pk}.html.txt"'
    # Nothing in it runs or loads, and no page (not even Peel's) may frame it.
    response["Content-Security-Policy"] = (
        "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )
    return response


@staff("workqueue.work_transposition", holder=True, methods=("GET", "POST"))
def manual_transposition(request: HttpRequest, item_id: int) -> HttpResponse:
    """Key by hand what a robot could not: why it stopped, each value to type, and where."""
    item = get_object_or_404(WorkItem.objects.select_related("team"), pk=item_id)
    if item.kind != WorkKind.MANUAL_TRANSPOSITION:
        raise Http404("Not a manual transposition item.")
    if not item.is_held_by(request.user):
        messages.error(request, "That work item is not allocated to you. Press Get Work.")
        return redirect("staff-home")
    task = RobotTask.objects.filter(manual_item=item).prefetch_related("tries").first()
    report = None
    if item.report_id is not None:
        report = get_report_for_user(request.user, item.report_id, purpose=item.kind)
    form = KeyedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_complete_transposition(
                staff_user(request), item.pk, form.cleaned_data["downstream_ref"],
                form.cleaned_data["note"],
            )  # fmt: skip
        except NotYourItem as exc:
            messages.error(request, str(exc))
            return redirect("staff-home")
        messages.success(request, f"Manual transposition {item.pk} is done.")
        return redirect("staff-home")
    context = {
        "item": item,
        "task": task,
        "report": report,
        "guide": keying_guide(task) if task else [],
        "last_try": task.tries.order_by("number").last() if task else None,
        "form": form,
        **set_aside_context(),
    }
    status = 400 if form.errors else 200
    return render(request, "robots/manual_transposition.html", context, status=status)
