"""Every page, for every role: the outcome its declared rule promises.

The URL patterns come from Django's resolver (a new page is checked without being listed here),
and each view's rule from its declaration (`peel.core.access_rules`); a view without one fails.
What each role should get is computed from the rule and the role's permissions in
`accounts.roles.ROLE_PERMISSIONS`, then compared with what the page answers: allowed, a 403, the
log-in page, a 404 or a 405, for GET and, where the view accepts it, POST.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from peel.accounts.models import Team, User
from peel.accounts.roles import ROLE_PERMISSIONS
from peel.accounts.testing import totp_device
from peel.audit.models import AccessEvent, AuditEvent
from peel.core.access_rules import Rule, rule_of
from peel.evidence.actions import record_blob
from peel.evidence.store import store_bytes
from peel.intake.email import accept_email, build_report_email
from peel.intake.pipeline import accept_json
from peel.intake.wizard import load_definition
from peel.process.testing import api_client_headers, file_report
from peel.reports.choices import Channel
from peel.review.actions import do_merge_reports, do_record_decision, do_sample_decisions
from peel.review.testing import decision_input
from peel.robots.choices import AttemptOutcome, TaskStatus
from peel.robots.models import RobotAttempt, RobotTask
from peel.sdm.samples import sample_document
from peel.triage.models import RuleSetVersion
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem, WorkKind, WorkStatus

pytestmark = pytest.mark.django_db

ANONYMOUS, REPORTER = "anonymous", "reporter"
STAFF_ROLES = list(ROLE_PERMISSIONS)  # operator ... auditor, admin
ROLES = [ANONYMOUS, REPORTER, *STAFF_ROLES]
HOLDER = "operator"  # the role whose user holds the items (and reports) in the URLs


# ---- The patterns ---------------------------------------------------------------------------


@dataclass
class Page:
    name: str  # "namespace:name"; "" for an unnamed pattern (the admin has a few)
    route: str  # the full route, as written in the URLconfs
    view: Any
    kwargs: tuple[str, ...]


def _pages(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[Page]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _pages(pattern.url_patterns, route, inner)
        else:
            assert isinstance(pattern, URLPattern)
            name = namespace + pattern.name if pattern.name else ""
            yield Page(name, route, pattern.callback, tuple(pattern.pattern.regex.groupindex))


def all_pages() -> list[Page]:
    return list(_pages(get_resolver().url_patterns))


# ---- The data the URLs point at -------------------------------------------------------------


def make_world(make_user: Callable[..., Any]) -> dict[str, Any]:
    """One of everything a URL can name, with the operator holding the items and reports."""
    users = {role: make_user(f"matrix-{role}", role) for role in STAFF_ROLES}
    # The admin is a superuser, as the demo's is (seed_demo); roles give the rest.
    User.objects.filter(pk=users["admin"].pk).update(is_staff=True, is_superuser=True)
    users["admin"].refresh_from_db()
    totp_device(users["admin"])  # for the admin's device pages (django-otp's config, QR code)
    operator = users[HOLDER]
    decider = make_user("decider", "operator")  # the actor for everything arranged here
    file_report(description="Decided earlier")  # decided below, then sampled for a check
    decided_item = do_get_work(decider)
    assert decided_item is not None
    do_record_decision(decider, decided_item, decision_input())
    check = do_sample_decisions(users["supervisor"], 1, timezone.now() - timezone.timedelta(1))[0]

    assert accept_email(decider, build_report_email(sample_document(seed=5))).ok  # attachments
    held = do_get_work(operator)
    assert held is not None and held.kind == WorkKind.REVIEW_REPORT and held.report is not None
    report = held.report
    merge = do_merge_reports(operator, report, file_report(description="Same again"), "Same")

    contact_centre = Team.objects.get(slug="contact-centre")
    now = timezone.now()

    def held_item(kind: str) -> WorkItem:
        return WorkItem.objects.create(
            kind=kind, report=report, team=contact_centre, status=WorkStatus.ALLOCATED,
            grade="P3", rank=3, due_at=now + timezone.timedelta(days=1), created_at=now,
            holder=operator, allocated_at=now, lease_expires_at=now + timezone.timedelta(hours=1),
        )  # fmt: skip

    transposition = held_item(WorkKind.MANUAL_TRANSPOSITION)
    link_review = held_item(WorkKind.LINK_REVIEW)
    task = RobotTask.objects.create(
        target="crime-system", report=report, idempotency_key="matrix",
        fields={}, status=TaskStatus.FAILED, next_attempt_at=now, manual_item=transposition,
        created_at=now, last_error="The crime system refused the record.",
    )  # fmt: skip
    screenshot, page_html = store_bytes(b"\x89PNG", "image/png"), store_bytes(b"<p/>", "text/html")
    record_blob(screenshot)
    record_blob(page_html)
    attempt = RobotAttempt.objects.create(
        task=task, number=1, worker="matrix", started_at=now, finished_at=now,
        outcome=AttemptOutcome.PERMANENT, error="refused", screenshot=screenshot, page_html=page_html,
    )  # fmt: skip
    document = sample_document(seed=6)
    document["data"]["attributes"]["incidentNoiseLevel"] = "loud"  # a field the form lacks
    quarantined = accept_json(decider, Channel.API, json.dumps(document).encode()).quarantine
    assert quarantined is not None
    ruleset = RuleSetVersion.objects.order_by("pk").first()
    assert ruleset is not None, "No triage rule set: migrations install the shipped one."

    reporter_email = report.involvements.filter(person__email__gt="").first()
    return {
        "users": users,
        # A URL keyword argument: its value, or {URL name: value} where it means different things.
        "kwargs": {
            "item_id": {
                "manual-transposition": transposition.pk,
                "work-item": link_review.pk,
                "quarantine-retry": quarantined.pk,
                "*": held.pk,
            },
            "report_id": report.pk,
            "number": 2,  # the email's PDF
            "merge_id": merge.pk,
            "check_id": check.pk,
            "task_id": task.pk,
            "attempt_id": attempt.pk,
            "kind": "screenshot",
            "version_id": ruleset.pk,
            "reference": report.reference,
            "page_id": load_definition().pages[0].id,
            "event_id": AuditEvent.objects.order_by("pk").values_list("pk", flat=True).first(),
        },
        "reporter_key": {
            "reference": report.reference,
            "email": reporter_email.person.email if reporter_email else "",
        },
    }


def _admin_object_ids() -> dict[str, str]:
    """For the admin's object pages ("admin/accounts/user/<id>/change/"): an object of that model."""
    found = {}
    for model in admin.site._registry:
        first = model._default_manager.order_by("pk").first()
        meta = model._meta
        found[f"admin/{meta.app_label}/{meta.model_name}/"] = str(first.pk if first else 0)
    return found


def url_of(page: Page, world: dict[str, Any], admin_ids: dict[str, str]) -> str:
    kwargs = {}
    for name in page.kwargs:
        value = world["kwargs"].get(name)
        if isinstance(value, dict):
            value = value.get(page.name, value["*"])
        if name in ("object_id", "id", "pk") and page.route.startswith("admin/"):
            value = next((v for p, v in admin_ids.items() if page.route.startswith(p)), "0")
        elif name == "app_label":
            value = "accounts"
        elif name == "content_type_id":
            value = 1
        elif name == "url":  # the admin's catch-all
            value = "no-such-page/"
        if value is None:
            pytest.fail(
                f"The URL {page.route!r} ({page.name}) takes `{name}`, which this test does not "
                f"know: create the object it names in make_world() and add it to 'kwargs'."
            )
        kwargs[name] = value
    if page.name:
        return reverse(page.name, kwargs=kwargs)
    # Unnamed: put the values into the route ("<path:object_id>/" or "(?P<url>.*)").
    url = page.route
    for name, value in kwargs.items():
        url = re.sub(rf"<(\w+:)?{name}>|\(\?P<{name}>[^)]*\)", str(value), url)
    return "/" + url


# ---- What each role should get --------------------------------------------------------------

# The view answered: perhaps saying the input is wrong, or sending the user on.
ALLOWED = {"allowed", "invalid", "redirected", "admin_index"}
OUTCOMES = ALLOWED | {"login", "admin_login", "forbidden", "not_found", "method", "refused"}
OUTCOMES |= {"unauthorised"}


def expected(rule: Rule, role: str, method: str) -> tuple[str, set[str]]:
    """(a label for messages, the outcomes that keep the rule) for this role and method."""
    if rule.who == "admin_site":  # past its door, Django's admin answers for itself
        if role == "admin":
            return "past the admin's log-in", OUTCOMES - {"admin_login", "login"}
        return "admin log-in", {"admin_login", "admin_index"}
    if rule.who == "staff":
        if role in (ANONYMOUS, REPORTER):
            return "log-in", {"login"}
        if not _has(role, rule.permissions):
            return "403", {"forbidden"}
    if method not in rule.methods:
        return "405", {"method"}
    if rule.who == "public":
        return "allowed", ALLOWED
    if rule.who == "api_client":  # nobody here has the client's keys
        return "401", {"unauthorised"}
    if rule.who == "reference_holder":
        if method == "GET" or role == REPORTER:
            return "allowed", {"allowed"}
        return "refused without the reference", {"invalid", "not_found"}
    if rule.holder and role != HOLDER:
        if rule.or_permission and _has(role, (rule.or_permission,)):
            return "allowed", ALLOWED
        # Holding is checked by the view: a 403, or sent on having changed and shown nothing.
        if rule.or_permission:
            return "403 (not the holder)", {"forbidden"}
        return "not the holder", {"forbidden", "refused", "redirected", "not_found"}
    return "allowed", ALLOWED


def _has(role: str, permissions: tuple[str, ...]) -> bool:
    if role == "admin":  # a superuser, as the demo's admin is
        return True
    return set(permissions) <= set(ROLE_PERMISSIONS[role])


def outcome(response: Any, wrote: bool) -> str:
    """What the page did; `wrote` says whether the request wrote an audit or access event."""
    status, location = response.status_code, response.get("Location", "")
    if status == 302 and location.startswith(reverse("login") + "?next="):
        return "login"
    if status == 302 and location.startswith(reverse("admin:login")):
        return "admin_login"
    if status == 302 and location == reverse("admin:index"):
        return "admin_index"  # where the admin's log-out sends those it does not know
    named = {
        400: "invalid", 401: "unauthorised", 403: "forbidden", 404: "not_found", 405: "method",
        409: "refused",
    }  # fmt: skip
    if status in named:
        return named[status]
    if status == 302 and not wrote:
        return "redirected"  # sent on, having changed nothing and shown nothing
    return "allowed" if 200 <= status < 400 else f"status {status}"


# ---- The test -------------------------------------------------------------------------------


@pytest.fixture
def _quiet_refusals() -> Iterator[None]:
    """Thousands of 403s and 405s are the point here; Django logs each as a warning."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.mark.usefixtures("_quiet_refusals")
def test_every_page_declares_its_rule_and_every_role_gets_what_it_declares(
    make_user: Callable[..., Any],
    staff_client: Callable[[Any], Client],
    record_property: Callable[[str, object], None],
) -> None:
    pages = all_pages()
    undeclared = [f"{p.route} ({p.name})" for p in pages if rule_of(p.view) is None]
    assert not undeclared, (
        "These views declare no access rule: decorate each with one from "
        f"peel.core.access_rules (@public, @staff(...), ...): {undeclared}"
    )

    world = make_world(make_user)
    admin_ids = _admin_object_ids()
    clients = {ANONYMOUS: Client(), REPORTER: Client()}
    for role, user in world["users"].items():
        clients[role] = staff_client(user)
    checked, wrong = 0, []
    for page in pages:
        rule = rule_of(page.view)
        assert rule is not None
        url = url_of(page, world, admin_ids)
        methods = ["GET", "POST"] if "POST" in rule.methods or rule.who == "admin_site" else ["GET"]
        for role in ROLES:
            for method in methods:
                label, keeps = expected(rule, role, method)
                got = _ask(
                    clients[role], method, url, world["reporter_key"] if role == REPORTER else {}
                )
                checked += 1
                if got not in keeps:
                    wrong.append(f"{method} {url} as {role}: got {got}, rule {rule} says {label}")
    record_property("permission_matrix_checks", checked)  # the figure issue 14 asks for
    print(f"\nPermission matrix: {checked} checks, {len(pages)} URL patterns x {len(ROLES)} roles")
    assert not wrong, f"{len(wrong)} of {checked} checks broke their rule:\n" + "\n".join(wrong)


def _ask(client: Client, method: str, url: str, key: dict[str, str]) -> str:
    """One request, undone afterwards, so no check changes what the next one sees."""
    cookies = copy.deepcopy(client.cookies)  # signing out (or in) must not stick either
    with transaction.atomic():
        events = _events()
        response = client.get(url) if method == "GET" else client.post(url, key)
        wrote = _events() != events
        transaction.set_rollback(True)
    client.cookies = cookies
    return outcome(response, wrote)


def _events() -> tuple[int, int]:
    return AuditEvent.objects.count(), AccessEvent.objects.count()


def test_a_standard_api_client_with_its_keys_gets_past_the_door() -> None:
    """The one role the matrix cannot play: the view answers a keyed caller about the body."""
    headers = api_client_headers()
    response = Client().post(
        reverse("standard-api-process"), b"{}", content_type="application/json", headers=headers
    )
    assert response.status_code == 400
