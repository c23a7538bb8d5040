"""Signing in in two steps: a password alone gets nobody in; enrolment, recovery codes, the
throttle on guessed codes, the admin's reset, and the audit trail of each."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from peel.accounts.actions import do_create_user, do_reset_second_factor
from peel.accounts.models import User
from peel.accounts.second_factor import PENDING_KEY_SESSION_KEY, code_for, key_as_text
from peel.accounts.testing import authenticator, current_code, reauthenticate
from peel.audit.actors import TEST
from peel.audit.models import AuditEvent
from peel.process.testing import PASSWORD

pytestmark = pytest.mark.django_db

STEP, SETUP, HOME = "/staff/login/second-factor/", "/staff/account/second-factor/setup/", "/staff/"


def password_only(user: User, next_url: str = "") -> tuple[Client, Any]:
    """A client that has typed the right password (what a thief with the password has)."""
    client = Client()
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client, client.post("/staff/login/", data)


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def test_a_first_sign_in_enrols_an_authenticator_app_and_shows_recovery_codes_once(
    operator: User,
) -> None:
    client, response = password_only(operator, next_url="/staff/queue/")
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    response = client.get(response["Location"])  # no factor yet: sent to enrol
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    assert client.get(HOME)["Location"].startswith(STEP)  # nothing else opens meanwhile

    page = client.get(SETUP).content.decode()
    key = client.session[PENDING_KEY_SESSION_KEY]
    assert "<svg " in page and "<path " in page  # the QR code, as markup
    assert key_as_text(key) in page and "Enter this key" in page
    assert "<script>" not in page and "style=" not in page

    wrong = client.post(SETUP, {"code": "000000" if code_for(key) != "000000" else "111111"})
    assert "That code is not right" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=operator).exists()

    done = client.post(SETUP, {"code": code_for(key)})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(code in done.content.decode() for code in codes)
    assert client.get(HOME).status_code == 200  # verified by the code just typed
    device = TOTPDevice.objects.get(user=operator, confirmed=True)
    assert device.key == key
    assert StaticToken.objects.filter(device__user=operator).count() == 10
    [enrolled] = events("auth.second_factor_enrolled")
    assert enrolled.actor_id == operator.pk and enrolled.after["factor"] == "authenticator app"
    assert key not in json.dumps(enrolled.after) and codes[0] not in json.dumps(enrolled.after)
    # The codes are never shown again.
    assert not any(code in client.get("/staff/account/").content.decode() for code in codes)

    # The code used to enrol cannot sign anyone in again (django-otp's last time step).
    thief, _ = password_only(operator)
    thief.post(STEP, {"code": code_for(key)})
    assert thief.get(HOME).status_code == 302


def test_the_second_step_takes_the_apps_code_and_logs_wrong_ones(operator: User) -> None:
    device = authenticator(operator)
    client, response = password_only(operator, next_url="/staff/queue/")
    assert client.get(response["Location"]).status_code == 200  # the step's page
    page = client.post(STEP, {"code": "12345x", "next": "/staff/queue/"}).content.decode()
    assert "That code is not right" in page
    [failed] = events("auth.second_factor_failed")
    assert failed.actor_id == operator.pk
    assert failed.after == {"address": "127.0.0.1", "factor": "recovery code", "throttled": False}
    time.sleep(1.1)  # the throttle's first wait after one wrong code
    response = client.post(STEP, {"code": current_code(operator), "next": "/staff/queue/"})
    assert response.status_code == 302 and response["Location"] == "/staff/queue/"
    assert client.get(HOME).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_an_outside_next_is_not_followed(operator: User) -> None:
    authenticator(operator)
    client, _ = password_only(operator)
    response = client.post(STEP, {"code": current_code(operator), "next": "https://evil.example/"})
    assert response["Location"] == HOME


def test_guessed_codes_are_throttled_even_the_right_one_and_each_is_audited(
    operator: User, settings: Any
) -> None:
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    authenticator(operator)
    client, _ = password_only(operator)
    client.post(STEP, {"code": "000001"})
    client.post(STEP, {"code": "000002"})
    page = client.post(STEP, {"code": current_code(operator)}).content.decode()
    assert "Too many wrong codes" in page
    assert client.get(HOME).status_code == 302
    failures = events("auth.second_factor_failed")
    assert [f.after["throttled"] for f in failures] == [False, True, True]


def test_a_flood_of_codes_is_capped_per_account_and_so_is_its_trail(
    operator: User, settings: Any
) -> None:
    settings.PEEL = {**settings.PEEL, "SECOND_FACTOR_RATE": "5/m"}
    authenticator(operator)
    client, _ = password_only(operator)
    answers = [client.post(STEP, {"code": f"00000{i}"}).status_code for i in range(8)]
    assert answers == [200] * 5 + [429] * 3
    assert len(events("auth.second_factor_failed")) == 5
    other, _ = password_only(operator)  # per account, not per session
    assert other.post(STEP, {"code": current_code(operator)}).status_code == 429


def test_a_recovery_code_works_once_and_is_audited(operator: User) -> None:
    client = Client()
    client, _ = password_only(operator)
    client.get(STEP)
    enrol = Client()
    enrol.post("/staff/login/", {"username": operator.username, "password": PASSWORD})
    enrol.get(SETUP)
    codes = enrol.post(SETUP, {"code": code_for(enrol.session[PENDING_KEY_SESSION_KEY])}).context[
        "codes"
    ]
    response = client.post(STEP, {"code": codes[3].upper()})
    assert response.status_code == 302 and client.get(HOME).status_code == 200
    [used] = events("auth.recovery_code_used")
    assert used.after == {"address": "127.0.0.1", "recovery_codes_left": 9}
    again, _ = password_only(operator)
    assert "That code is not right" in again.post(STEP, {"code": codes[3]}).content.decode()


def test_a_password_alone_cannot_enrol_a_new_factor_over_an_existing_one(operator: User) -> None:
    authenticator(operator)
    thief, _ = password_only(operator)
    assert thief.get(SETUP)["Location"].startswith(STEP)
    response = thief.post(SETUP, {"code": "123456"})
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    assert TOTPDevice.objects.filter(user=operator).count() == 1
    assert thief.post("/staff/account/second-factor/recovery-codes/").status_code == 403
    assert not StaticDevice.objects.filter(user=operator).exists()


def test_an_identity_provider_that_did_mfa_counts_as_the_second_factor(operator: User) -> None:
    client, _ = password_only(operator)
    assert client.get(HOME).status_code == 302
    session = client.session
    session["peel_idp_mfa"] = True
    session.save()
    assert client.get(HOME).status_code == 200


def test_new_recovery_codes_replace_the_old_and_are_audited(
    staff_client: Any, operator: User
) -> None:
    client = staff_client(operator)
    page = client.get("/staff/account/").content.decode()
    assert "You have 0 unused recovery codes" in page and "Authenticator app" in page
    first = client.post("/staff/account/second-factor/recovery-codes/").context["codes"]
    second = client.post("/staff/account/second-factor/recovery-codes/").context["codes"]
    assert not set(first) & set(second)
    assert set(
        StaticToken.objects.filter(device__user=operator).values_list("token", flat=True)
    ) == set(second)
    assert len(events("auth.recovery_codes_renewed")) == 2


def test_an_admin_resets_a_lost_factor_and_the_user_enrols_again(
    staff_client: Any, operator: User
) -> None:
    operators_session = staff_client(operator)
    assert operators_session.get(HOME).status_code == 200
    admin = do_create_user(TEST, "root", PASSWORD, ["admin"])
    url = reverse("second-factor-reset")
    page = staff_client(admin).get(url).content.decode()
    assert operator.username in page
    refused = staff_client(admin).post(url, {"user": operator.pk, "reason": ""})
    assert (
        "Say why" in refused.content.decode() and TOTPDevice.objects.filter(user=operator).exists()
    )
    response = staff_client(admin).post(
        url, {"user": operator.pk, "reason": "Phone lost, checked in person"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=operator).exists()
    [reset] = events("auth.second_factor_reset")
    assert (reset.actor_id, reset.object_id) == (admin.pk, str(operator.pk))
    assert reset.after["reason"] == "Phone lost, checked in person"
    # The session the lost phone verified is verified no more; the next sign-in enrols again.
    assert operators_session.get(HOME)["Location"].startswith(STEP)
    client, response = password_only(operator)
    assert client.get(response["Location"])["Location"].startswith(SETUP)
    # Only those with the permission may.
    assert (
        staff_client("supervisor").post(url, {"user": operator.pk, "reason": "x"}).status_code
        == 403
    )


def test_a_reset_needs_a_reason(operator: User) -> None:
    with pytest.raises(ValueError):
        do_reset_second_factor(operator, operator, "  ")


def test_admin_changes_to_devices_are_audited_without_their_secrets(staff_client: Any) -> None:
    admin = do_create_user(TEST, "root", PASSWORD, ["admin"], is_staff=True, is_superuser=True)
    target = do_create_user(TEST, "pat", PASSWORD, ["operator"])
    client = staff_client(admin)
    reauthenticate(client, admin)  # every change in the admin needs it (accounts/reauth.py)
    start = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    key = "31323334353637383930" * 2
    response = client.post(
        reverse("admin:otp_totp_totpdevice_add"),
        {"user": target.pk, "name": "Phone", "confirmed": "on", "key": key, "step": 30, "t0": 0,
         "digits": 6, "tolerance": 1, "drift": 0, "last_t": -1, "throttling_failure_count": 0},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    device = TOTPDevice.objects.get(user=target, name="Phone")
    new_key = "41424344454647484950" * 2
    response = client.post(
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        {"user": target.pk, "name": "Phone 2", "confirmed": "on", "key": new_key, "step": 30,
         "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "last_t": -1,
         "throttling_failure_count": 0},
    )  # fmt: skip
    assert response.status_code == 302
    response = client.post(
        reverse("admin:otp_static_staticdevice_add"),
        {"user": target.pk, "name": "Codes", "confirmed": "on", "throttling_failure_count": 0,
         "token_set-TOTAL_FORMS": 1, "token_set-INITIAL_FORMS": 0, "token_set-0-token": "sekrit99"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert StaticToken.objects.filter(token="sekrit99").exists()
    written = AuditEvent.objects.filter(pk__gt=start or 0)
    actions = set(written.values_list("action", flat=True))
    assert {"admin.created", "admin.changed"} <= actions
    assert written.filter(object_type="otp_static.statictoken").exists()  # the code was added
    dumped = json.dumps([[e.before, e.after] for e in written], default=str)
    for secret in (key, new_key, "sekrit99"):
        assert secret not in dumped
    assert "Phone 2" in dumped  # what is not secret is still there
