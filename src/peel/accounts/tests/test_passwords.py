"""Passwords: Argon2 in production (older hashes upgraded at sign-in), a minimum length and the
common-password check, and staff changing their own password (audited once, still signed in)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from peel import settings as production
from peel.accounts.models import User
from peel.audit.models import AuditEvent
from peel.process.testing import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "kettle-orbit-harbour-53"


def test_production_hashes_with_argon2_and_tests_only_swap_in_a_fast_hasher(
    settings: Any,
) -> None:
    # The settings module as deployed (the suite's fixture swaps in MD5 for speed, see conftest).
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    assert make_password(PASSWORD).startswith("argon2$argon2id$")


def test_an_old_pbkdf2_hash_becomes_argon2_at_the_next_sign_in(
    operator: User, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS
    old_hash = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=operator.pk).update(password=old_hash)
    response = Client().post(reverse("login"), {"username": "olivia", "password": PASSWORD})
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.password.startswith("argon2$argon2id$") and operator.check_password(PASSWORD)
    # The upgrade is not a password change.
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short-pw-9x", "at least 12"),
        ("password1234", "too common"),
        ("olivia.smith@peel.police", "similar"),
    ],
)
def test_a_short_common_or_personal_password_is_refused(
    operator: User, password: str, problem: str
) -> None:
    User.objects.filter(pk=operator.pk).update(email="olivia.smith@peel.police.uk")
    operator.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        validate_password(password, operator)
    assert problem in " ".join(refused.value.messages)
    validate_password(NEW, operator)


def test_the_settings_come_from_the_environment(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "PEEL_VAR_DIR": str(tmp_path),
        "PEEL_PASSWORD_MIN_LENGTH": "16",
        "PEEL_LOCKOUT_FAILURES": "3",
        "PEEL_LOCKOUT_ADDRESS_FAILURES": "40",
        "PEEL_LOCKOUT_MINUTES": "15",
        "PEEL_TRUSTED_PROXY_COUNT": "2",
    }
    script = (
        "import json, peel.settings as s; print(json.dumps([v['OPTIONS'] for v in "
        "s.AUTH_PASSWORD_VALIDATORS if 'OPTIONS' in v] + [s.AXES_FAILURE_LIMIT, "
        "s.PEEL_LOCKOUT_ADDRESS_FAILURES, s.AXES_COOLOFF_TIME.total_seconds(), "
        "s.AXES_IPWARE_PROXY_COUNT, list(s.AXES_IPWARE_META_PRECEDENCE_ORDER), "
        "s.AUTHENTICATION_BACKENDS[0]]))"
    )
    out = subprocess.run(  # noqa: S603 (this interpreter, this script)
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [
        {"min_length": 16}, 3, 40, 900.0, 1, ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"],
        "axes.backends.AxesStandaloneBackend",
    ]  # fmt: skip
    # The defaults: no proxy trusted, so a client's own X-Forwarded-For is never read.
    assert production.AXES_IPWARE_META_PRECEDENCE_ORDER == ("REMOTE_ADDR",)
    assert (production.AXES_FAILURE_LIMIT, production.PEEL_LOCKOUT_ADDRESS_FAILURES) == (5, 20)


# ---- Changing one's own password -----------------------------------------------------------


def _change(client: Client, old: str, new: str, again: str | None = None) -> Any:
    return client.post(
        reverse("password-change"),
        {"old_password": old, "new_password1": new, "new_password2": again or new},
    )


def test_staff_change_their_password_stay_signed_in_and_it_is_audited_once(
    operator: User, staff_client: Callable[[Any], Client]
) -> None:
    client = staff_client(operator)
    assert client.get(reverse("password-change")).status_code == 200
    response = _change(client, PASSWORD, NEW)
    assert response.status_code == 302 and response["Location"] == reverse("password-change")
    operator.refresh_from_db()
    assert operator.check_password(NEW) and not operator.check_password(PASSWORD)
    # Still signed in on this browser.
    assert client.get(reverse("staff-home")).status_code == 200
    [changed] = AuditEvent.objects.filter(action="auth.password_changed")
    assert changed.actor_id == operator.pk and changed.object_id == str(operator.pk)
    assert changed.after == {"changed_by": "themselves", "address": "127.0.0.1"}
    assert not AuditEvent.objects.filter(action="admin.changed").exists()
    assert NEW not in json.dumps(list(AuditEvent.objects.values("before", "after")))
    # And the new password is the one that signs in.
    fresh = Client().post(reverse("login"), {"username": "olivia", "password": NEW})
    assert fresh.status_code == 302


def test_other_sessions_of_the_account_end_when_the_password_changes(
    operator: User, staff_client: Callable[[Any], Client]
) -> None:
    here, elsewhere = staff_client(operator), staff_client(operator)
    _change(here, PASSWORD, NEW)
    assert here.get(reverse("staff-home")).status_code == 200
    assert elsewhere.get(reverse("staff-home")).status_code == 302  # to the log-in page


@pytest.mark.parametrize(
    ("old", "new", "again", "says"),
    [
        ("wrong-old-password", NEW, None, "current password is not right"),
        (PASSWORD, "short-pw-9x", None, "at least 12"),
        (PASSWORD, "password1234", None, "too common"),
        (PASSWORD, NEW, NEW + "x", "didn"),
    ],
)
def test_a_refused_change_changes_nothing(
    operator: User, staff_client: Callable[[Any], Client], old: str, new: str, again: str | None,
    says: str,
) -> None:  # fmt: skip
    response = _change(staff_client(operator), old, new, again)
    assert response.status_code == 200 and says in response.content.decode().replace("\u2019", "'")
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_guessing_the_current_password_on_the_change_page_counts_towards_the_lockout(
    operator: User, staff_client: Callable[[Any], Client], settings: Any
) -> None:
    settings.AXES_FAILURE_LIMIT = 5
    client = staff_client(operator)
    answers = [_change(client, f"guess-{n}-xyz", NEW).status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]
    assert _change(client, PASSWORD, NEW).status_code == 429  # locked: even the right one
    operator.refresh_from_db()
    assert operator.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 6
    assert AuditEvent.objects.filter(action="auth.locked_out").count() == 1
