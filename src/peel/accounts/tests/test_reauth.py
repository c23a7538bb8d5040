"""Sensitive actions need the second factor again (PEEL_REAUTH_MINUTES): without it the request
does nothing and the person is sent to confirm it's them, then back to the page to press the
button again. Wrong codes are refused, throttled and audited."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import include, path, reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peel.accounts import sessions
from peel.accounts.models import Team, User
from peel.accounts.reauth import REAUTHENTICATED_AT
from peel.accounts.testing import reauthenticate, totp_code, totp_device, unused_totp_code
from peel.audit.models import AuditEvent
from peel.core.access_rules import public
from peel.process.testing import file_report
from peel.triage.actions import do_propose_ruleset
from peel.triage.models import RuleSetStatus, RuleSetVersion
from peel.workqueue.actions import do_get_work
from peel.workqueue.models import WorkItem

pytestmark = pytest.mark.django_db

REAUTH = reverse("reauthenticate")
SITE = "http://testserver"


def _sent_to_reauthenticate(response: Any) -> str:
    """The page the person comes back to, from a redirect to the re-authentication page."""
    assert response.status_code == 302, response.status_code
    parts = urlsplit(response["Location"])
    assert parts.path == REAUTH, response["Location"]
    return parse_qs(parts.query)["next"][0]


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    user = make_user("root", "admin")
    User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    user.refresh_from_db()
    return user


# ---- Each sensitive action: refused without, done with -------------------------------------------


def _draft_ruleset(supervisor: User) -> RuleSetVersion:
    active = RuleSetVersion.objects.get(status=RuleSetStatus.ACTIVE)
    source = re.sub(r'(?m)^version = "[^"]*"', 'version = "2099.1-1"', active.source)
    return do_propose_ruleset(supervisor, source)


def test_switching_on_a_rule_set_needs_the_second_factor_again(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    draft = _draft_ruleset(supervisor)
    client = staff_client(supervisor)
    preview = reverse("triage-rules-preview", args=[draft.pk])
    assert client.get(preview).status_code == 200  # the page is shown without it
    activate = reverse("triage-rules-activate", args=[draft.pk])
    response = client.post(activate, headers={"Referer": SITE + preview})
    assert _sent_to_reauthenticate(response) == preview
    draft.refresh_from_db()
    assert draft.status != RuleSetStatus.ACTIVE
    page = client.get(response["Location"]).content.decode()
    assert "Confirm it's you" in page and "Nothing has been sent yet." in page
    assert "press the button there again" in page

    response = client.post(
        REAUTH, {"code": unused_totp_code(totp_device(supervisor)), "next": preview}, follow=True
    )
    assert response.redirect_chain[-1][0] == preview
    assert "If you had pressed a button on this page, press it again" in response.content.decode()
    assert client.post(activate)["Location"] == reverse("triage-rules")
    draft.refresh_from_db()
    assert draft.status == RuleSetStatus.ACTIVE


def _held_items(operator: User, count: int) -> list[WorkItem]:
    items = []
    for _ in range(count):
        file_report(people=[])
        item = do_get_work(operator)
        assert item is not None
        items.append(item)
    return items


@pytest.mark.parametrize("action", ["reassign", "route"])
def test_moving_work_to_others_in_bulk_needs_the_second_factor_again(
    action: str,
    staff_client: Callable[[Any], Client],
    supervisor: User,
    operator: User,
    other_operator: User,
) -> None:
    items = _held_items(operator, 2)
    hub = Team.objects.get(slug="safeguarding-hub")
    form = {
        "items": [i.pk for i in items],
        "action": action,
        "to_user": other_operator.pk,
        "team": hub.pk,
        "reason": "Olivia is off sick",
        "filters": "grade=P4",
    }
    client = staff_client(supervisor)
    response = client.post(reverse("queue-bulk"), form)  # no Referer: the queue it came from
    assert _sent_to_reauthenticate(response) == "/staff/queue/?grade=P4"
    assert {i.holder_id for i in WorkItem.objects.filter(pk__in=form["items"])} == {operator.pk}
    assert not AuditEvent.objects.filter(action__in=["work.reassigned", "work.routed"]).exists()

    reauthenticate(client, supervisor)
    assert client.post(reverse("queue-bulk"), form).status_code == 302
    moved = WorkItem.objects.filter(pk__in=form["items"])
    if action == "reassign":
        assert {i.holder_id for i in moved} == {other_operator.pk}
    else:
        assert {i.team_id for i in moved} == {hub.pk}


def test_other_bulk_actions_do_not_ask_for_it(
    staff_client: Callable[[Any], Client], supervisor: User, operator: User
) -> None:
    [item] = _held_items(operator, 1)
    response = staff_client(supervisor).post(
        reverse("queue-bulk"), {"items": [item.pk], "action": "return", "reason": "Stuck"}
    )
    assert response["Location"] == reverse("queue")
    item.refresh_from_db()
    assert item.holder_id is None


def test_exporting_the_audit_log_needs_the_second_factor_again(
    staff_client: Callable[[Any], Client], make_user: Callable[..., User]
) -> None:
    auditor = make_user("ada", "auditor")
    client = staff_client(auditor)
    export = reverse("oversight-export")
    response = client.get(export, {"log": "audit"})
    assert _sent_to_reauthenticate(response) == reverse("oversight-search") + "?log=audit"
    reauthenticate(client, auditor)
    response = client.get(export, {"log": "audit"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"


@pytest.mark.parametrize(
    "change",
    ["user", "group", "team", "delete-team", "user-password"],
)
def test_every_change_in_the_admin_needs_the_second_factor_again(
    change: str, staff_client: Callable[[Any], Client], admin: User, operator: User
) -> None:
    team = Team.objects.create(slug="hub-x", name="Hub X")
    role = Group.objects.get(name="supervisor")
    url, form = {
        "user": (reverse("admin:accounts_user_change", args=[operator.pk]), {"username": "x"}),
        "group": (reverse("admin:auth_group_change", args=[role.pk]), {"name": "x"}),
        "team": (reverse("admin:accounts_team_change", args=[team.pk]), {"name": "x"}),
        "delete-team": (reverse("admin:accounts_team_delete", args=[team.pk]), {"post": "yes"}),
        "user-password": (
            reverse("admin:auth_user_password_change", args=[operator.pk]),
            {"password1": "a-new-long-password-77", "password2": "a-new-long-password-77"},
        ),
    }[change]
    client = staff_client(admin)
    assert client.get(url).status_code == 200  # the admin's pages are shown without it
    before = AuditEvent.objects.count()
    response = client.post(url, form, headers={"Referer": SITE + url})
    assert _sent_to_reauthenticate(response) == url
    assert AuditEvent.objects.count() == before  # nothing changed, nothing to audit
    assert Team.objects.filter(pk=team.pk, name="Hub X").exists()
    assert Group.objects.filter(pk=role.pk, name="supervisor").exists()
    operator.refresh_from_db()
    assert (
        operator.username == "olivia" and operator.check_password("a-new-long-password-77") is False
    )

    reauthenticate(client, admin)
    response = client.post(url, form)
    assert response.status_code in (200, 302)
    assert not response.get("Location", "").startswith(REAUTH)
    if change == "user-password":
        operator.refresh_from_db()
        assert operator.check_password("a-new-long-password-77")
    if change == "delete-team":
        assert not Team.objects.filter(pk=team.pk).exists()


def test_the_admins_log_in_and_log_out_and_those_it_refuses_are_not_asked(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)  # not staff for the admin: it sends them to its log-in
    response = client.post(reverse("admin:accounts_team_add"), {"name": "x"})
    assert response["Location"].startswith(reverse("admin:login"))
    assert client.post(reverse("admin:logout")).status_code in (200, 302)


def test_someone_without_the_pages_permission_is_refused_before_being_asked(
    staff_client: Callable[[Any], Client], operator: User
) -> None:
    [item] = _held_items(operator, 1)
    response = staff_client(operator).post(
        reverse("queue-bulk"), {"items": [item.pk], "action": "reassign", "reason": "x"}
    )
    assert response.status_code == 403


# ---- The code -------------------------------------------------------------------------------------


def test_a_wrong_code_is_refused_audited_and_then_throttled(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    device = totp_device(supervisor)
    client = staff_client(supervisor)
    good = unused_totp_code(device)
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(REAUTH, {"code": wrong, "next": "/staff/queue/"})
    assert response.status_code == 400
    assert "That code is not right." in response.content.decode()
    assert REAUTHENTICATED_AT not in client.session
    [failed] = AuditEvent.objects.filter(action="auth.reauthentication_failed")
    assert failed.actor_id == supervisor.pk and failed.after["throttled"] is False
    assert failed.after["address"] == "127.0.0.1"
    # At once again, even with the right code: django-otp's throttle (1 s, 2 s, 4 s, ...).
    response = client.post(REAUTH, {"code": good})
    assert response.status_code == 400
    assert "Too many wrong codes. Wait" in response.content.decode()
    assert REAUTHENTICATED_AT not in client.session
    assert AuditEvent.objects.filter(action="auth.reauthentication_failed").count() == 2
    assert not AuditEvent.objects.filter(action="auth.reauthenticated").exists()
    # The sensitive action is still refused.
    draft = _draft_ruleset(supervisor)
    response = client.post(reverse("triage-rules-activate", args=[draft.pk]))
    assert urlsplit(response["Location"]).path == REAUTH


def test_a_code_is_used_once(staff_client: Callable[[Any], Client], supervisor: User) -> None:
    device = totp_device(supervisor)
    first, second = staff_client(supervisor), staff_client(supervisor)
    code = unused_totp_code(device)
    assert first.post(REAUTH, {"code": code}).status_code == 302
    assert second.post(REAUTH, {"code": code}).status_code == 400  # seen over a shoulder
    [ok] = AuditEvent.objects.filter(action="auth.reauthenticated")
    assert ok.after["device"] == "authenticator app"


def test_the_code_just_used_to_sign_in_cannot_be_given_again(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    device = totp_device(supervisor)
    code = totp_code(device)
    assert device.verify_token(code)  # as the sign-in's second step does
    client = staff_client(supervisor)
    assert client.post(REAUTH, {"code": code}).status_code == 400
    time.sleep(1.1)  # django-otp's throttle after that wrong code
    reauthenticate(client, supervisor)  # with the next code: accepted
    assert REAUTHENTICATED_AT in client.session


def test_a_recovery_code_works_once(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    device = StaticDevice.objects.create(user=supervisor, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token="abcd2345")
    client = staff_client(supervisor)
    assert client.post(REAUTH, {"code": "ABCD 2345"}).status_code == 302
    assert AuditEvent.objects.get(action="auth.reauthenticated").after["device"] == "recovery code"
    time.sleep(1.1)  # past the throttle, so the refusal below is the used-up code
    assert staff_client(supervisor).post(REAUTH, {"code": "abcd2345"}).status_code == 400


def test_it_lasts_the_configured_minutes(
    monkeypatch: pytest.MonkeyPatch, staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    at = time.time()
    monkeypatch.setattr(sessions, "now", lambda: at)
    client = staff_client(supervisor)
    reauthenticate(client, supervisor)
    draft = _draft_ruleset(supervisor)
    activate = reverse("triage-rules-activate", args=[draft.pk])
    at += 5 * 60 + 1  # PEEL_REAUTH_MINUTES later (and well inside the idle limit)
    assert urlsplit(client.post(activate)["Location"]).path == REAUTH
    at -= 2
    assert client.post(activate)["Location"] == reverse("triage-rules")


def test_it_goes_back_only_to_a_page_of_this_site(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    for hostile in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        page = client.get(REAUTH, {"next": hostile}).content.decode()
        assert "evil" not in page and "javascript" not in page
    response = client.post(
        REAUTH, {"code": unused_totp_code(totp_device(supervisor)), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("staff-home")
    # A Referer from another site is not where the person is sent back to either.
    draft = _draft_ruleset(supervisor)
    response = staff_client(supervisor).post(
        reverse("triage-rules-activate", args=[draft.pk]),
        headers={"Referer": "https://evil.example/staff/triage/rules/"},
    )
    assert _sent_to_reauthenticate(response) == reverse("staff-home")


# ---- Single sign-on, and no second factor at all ------------------------------------------------


def test_without_a_second_factor_here_the_page_says_so_and_nothing_is_confirmed(
    staff_client: Callable[[Any], Client], supervisor: User
) -> None:
    client = staff_client(supervisor)
    TOTPDevice.objects.filter(user=supervisor).delete()  # no device here
    session = client.session
    session["peel_idp_mfa"] = True  # signed in by the identity provider
    session.save()
    page = client.get(REAUTH, {"next": "/staff/queue/"}).content.decode()
    assert "has no second factor (an authenticator app) set up in Peel" in page
    assert client.post(REAUTH, {"code": "123456"}).status_code == 200
    assert REAUTHENTICATED_AT not in client.session


@public()
def _sso_start(request: Any) -> Any:  # stands in for single sign-on's page (helper sso)
    raise AssertionError("not followed")


urlpatterns = [
    path("staff/sso/start/", _sso_start, name="sso-start"),
    path("", include("peel.urls")),
]


def test_a_single_sign_on_user_is_sent_to_the_identity_provider_to_sign_in_again(
    staff_client: Callable[[Any], Client], supervisor: User, settings: Any, monkeypatch: Any
) -> None:
    from peel.accounts import sso

    monkeypatch.setattr(sso, "enabled", lambda: True)
    settings.ROOT_URLCONF = __name__
    client = staff_client(supervisor)
    TOTPDevice.objects.filter(user=supervisor).delete()  # the provider's second factor only
    session = client.session
    session["peel_idp_mfa"] = True
    session.save()
    response = client.get(REAUTH, {"next": "/staff/queue/?grade=P4"})
    parts = urlsplit(response["Location"])
    assert parts.path == "/staff/sso/start/"
    assert parse_qs(parts.query) == {"reauth": ["1"], "next": ["/staff/queue/?grade=P4"]}
    # Without the provider's multi-factor sign-in and no device here, the session has no second
    # factor at all: it is sent to give one before anything else.
    session = client.session
    session["peel_idp_mfa"] = False
    session.save()
    assert client.get(REAUTH)["Location"].startswith(reverse("second-factor"))
