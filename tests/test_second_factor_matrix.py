"""A stolen password without the second factor gets nothing: every staff and admin URL pattern
(enumerated from Django's resolver, as the permission matrix does), asked by a superuser's
session that typed the right password but no code, refuses: a GET is sent to the second-factor
step, anything else is a 403, and nothing is read or written on the way."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from peel.accounts.testing import authenticator, current_code
from peel.audit.models import AccessEvent, AuditEvent
from peel.core.access_rules import rule_of
from peel.process.testing import PASSWORD
from tests.test_permission_matrix import _admin_object_ids, all_pages, make_world, url_of

pytestmark = pytest.mark.django_db

# The only pages a session may use before its second factor: signing in and out, the step
# itself, enrolment (which refuses an account that already has a factor) and the security-key
# ceremony. A new page added here is a decision: this test names them.
EXEMPT = {
    "login", "logout", "second-factor", "second-factor-setup",
    "otp_webauthn:credential-registration-begin", "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete", "otp_webauthn:js-i18n-catalog",
    "sso-start", "sso-callback",
}  # fmt: skip


def _events() -> tuple[int, int]:
    return AuditEvent.objects.count(), AccessEvent.objects.count()


def test_a_stolen_password_without_the_second_factor_gets_no_staff_or_admin_page(
    make_user: Callable[..., Any],
) -> None:
    world = make_world(make_user)
    admin_ids = _admin_object_ids()
    victim = world["users"]["admin"]  # a superuser: the admin site would let them in
    authenticator(victim)
    thief = Client()
    signed = thief.post("/staff/login/", {"username": victim.username, "password": PASSWORD})
    assert signed.status_code == 302  # the password was right
    step = reverse("second-factor")

    pages = [
        page
        for page in all_pages()
        if page.route.startswith(("staff/", "admin/"))
        or getattr(rule_of(page.view), "who", "") in ("staff", "admin_site")
    ]
    exempt = {p.name for p in pages if getattr(p.view, "peel_second_factor_exempt", False)}
    assert exempt == EXEMPT
    checked, wrong = 0, []
    for page in pages:
        if page.name in EXEMPT:
            continue
        url = url_of(page, world, admin_ids)
        for method in ("GET", "POST"):
            cookies = copy.deepcopy(thief.cookies)
            with transaction.atomic():
                before = _events()
                response = thief.get(url) if method == "GET" else thief.post(url, {})
                wrote = _events() != before
                transaction.set_rollback(True)
            thief.cookies = cookies
            checked += 1
            location = response.get("Location", "")
            if method == "GET":
                refused = response.status_code == 302 and location.startswith(f"{step}?next=")
            else:
                refused = response.status_code == 403
            if not refused or wrote:
                wrong.append(f"{method} {url}: {response.status_code} {location} wrote={wrote}")
    print(
        f"\nSecond factor: {checked} requests to {len(pages) - len(EXEMPT)} staff/admin URL patterns refused"
    )
    assert checked > 100
    assert not wrong, f"{len(wrong)} of {checked} answered a password alone:\n" + "\n".join(wrong)

    # JSON callers get a JSON 403, not a page to follow.
    response = thief.get(reverse("staff-home"), headers={"accept": "application/json"})
    assert response.status_code == 403 and response.json()["detail"]
    # The same session, once the code is typed, gets in.
    thief.post(step, {"code": current_code(victim)})
    assert thief.get(reverse("staff-home")).status_code == 200
    assert thief.get(reverse("admin:index")).status_code == 200
