"""Password guessing is locked out and seen: per account, per address, across addresses and
proxies; the right password is refused while locked; every try and the lockout are audited; a
supervisor of security (the admin role) sees and lifts lockouts, and nobody else can."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from peel.accounts.actions import do_create_user
from peel.accounts.models import User
from peel.audit.actors import TEST
from peel.audit.log import verify_chain
from peel.audit.models import AccessEvent, AuditEvent
from peel.process.testing import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-1"


@pytest.fixture(autouse=True)
def _limits(settings: Any) -> None:
    """The shipped defaults, whatever the environment of the test run says."""
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.PEEL_LOCKOUT_ADDRESS_FAILURES = 20
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=30)


def sign_in(username: str, password: str, address: str = "192.0.2.10", **extra: str) -> Any:
    client = Client(REMOTE_ADDR=address, **extra)
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in(response: Any) -> bool:
    """The password was accepted: on to the second factor (or to enrol one)."""
    return response.status_code == 302 and response["Location"].startswith(
        (reverse("second-factor"), reverse("second-factor-setup"))
    )


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_guessing_one_account_is_locked_after_the_limit_and_the_right_password_is_refused(
    operator: User,
) -> None:
    answers = [sign_in("olivia", f"{WRONG}{n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]  # the form four times, then the lockout page
    refused = sign_in("olivia", PASSWORD)
    assert refused.status_code == 429 and not signed_in(refused)
    assert "_auth_user_id" not in refused.wsgi_request.session
    # From another address too: the account itself is locked.
    assert sign_in("olivia", PASSWORD, address="198.51.100.4").status_code == 429

    # Every try is audited, the refused right passwords included; the lockout once.
    failed = events("auth.login_failed")
    assert len(failed) == 7
    assert {e.after["address"] for e in failed} == {"192.0.2.10", "198.51.100.4"}
    [locked] = events("auth.locked_out")
    assert locked.object_id == str(operator.pk) and locked.actor_label == "unknown visitor"
    assert locked.after == {
        "username": "olivia", "address": "192.0.2.10", "locked": "account",
        "account_failures": 5, "address_failures": 5,
    }  # fmt: skip
    assert not events("auth.logged_in")
    assert verify_chain().ok


def test_the_lockout_page_is_peels_and_says_what_to_do(operator: User) -> None:
    for n in range(5):
        response = sign_in("olivia", f"{WRONG}{n}")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Sign-in is paused" in page and "30 minutes" in page
    assert "ask a Peel administrator" in page and 'class="masthead"' in page
    assert "Account locked: too many login attempts" not in page  # not axes' own text
    # The same page for a username that is no account: it does not tell which exist.
    for n in range(5):
        unknown = sign_in("nobody-here", f"{WRONG}{n}", address="192.0.2.99")
    assert unknown.status_code == 429 and "Sign-in is paused" in unknown.content.decode()


def test_the_lockout_ends_after_the_cool_off(operator: User) -> None:
    for n in range(5):
        sign_in("olivia", f"{WRONG}{n}")
    assert sign_in("olivia", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))
    assert signed_in(sign_in("olivia", PASSWORD))


def test_guesses_from_many_addresses_still_lock_the_account(operator: User) -> None:
    for n in range(5):
        sign_in("olivia", WRONG, address=f"203.0.113.{n + 1}")
    assert sign_in("olivia", PASSWORD, address="203.0.113.200").status_code == 429


def test_spraying_many_accounts_from_one_address_is_stopped(make_user: Callable[..., User]) -> None:
    for n in range(21):
        make_user(f"staff{n}", "operator")
    # A couple of guesses at each of ten accounts: each under the account's limit of 5.
    answers = [
        sign_in(f"staff{n}", f"{WRONG}{guess}").status_code for n in range(10) for guess in range(2)
    ]
    assert answers[:19] == [200] * 19 and answers[19] == 429
    # Now nothing from that address gets in, not even an untouched account's right password...
    assert sign_in("staff20", PASSWORD).status_code == 429
    # Tries while locked are refused unchecked and not counted: hammering one account from the
    # locked address does not go on to lock the account itself...
    assert all(sign_in("staff0", WRONG).status_code == 429 for _ in range(10))
    # ...so the same accounts sign in from elsewhere (the address is locked, not them).
    assert signed_in(sign_in("staff0", PASSWORD, address="198.51.100.7"))
    [locked] = events("auth.locked_out")
    assert locked.after["locked"] == "address" and locked.after["address_failures"] == 20


def test_the_address_is_the_connection_unless_a_proxy_is_configured(
    operator: User, settings: Any
) -> None:
    # No proxy configured: a forged X-Forwarded-For changes nothing; the lock holds.
    for n in range(5):
        sign_in("olivia", WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    [locked] = events("auth.locked_out")
    assert locked.after["address"] == "192.0.2.10"

    # One trusted proxy (PEEL_TRUSTED_PROXY_COUNT=1): the address it appended, not the client's
    # own claim before it, nor the proxy's.
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    settings.IPWARE_STRICT = False
    sign_in("someone", WRONG, address="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.9")
    assert events("auth.login_failed")[-1].after["address"] == "198.51.100.9"
    assert AccessAttempt.objects.filter(username="someone", ip_address="198.51.100.9").exists()
    # Straight to Peel, not through the proxy: the connection's address.
    sign_in("someone", WRONG, address="198.51.100.33")
    assert events("auth.login_failed")[-1].after["address"] == "198.51.100.33"


def test_the_password_tried_is_never_stored(operator: User) -> None:
    sign_in("olivia", "Secret-Guess-42x")
    stored = json.dumps(
        list(AccessAttempt.objects.values()) + list(AuditEvent.objects.values("before", "after")),
        default=str,
    )
    assert "Secret-Guess-42x" not in stored


def test_the_admin_sites_log_in_is_locked_too(operator: User) -> None:
    for n in range(5):
        sign_in("olivia", f"{WRONG}{n}")
    client = Client(REMOTE_ADDR="192.0.2.10")
    response = client.post(
        reverse("admin:login"), {"username": "olivia", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 429


# ---- The supervisor of security's page ---------------------------------------------------------


def _lock_olivia() -> None:
    for n in range(5):
        sign_in("olivia", f"{WRONG}{n}")
    assert sign_in("olivia", PASSWORD).status_code == 429


def test_an_admin_sees_the_lockout_and_the_failures_and_lifts_it(
    operator: User, staff_client: Callable[[Any], Client]
) -> None:
    _lock_olivia()
    admin = do_create_user(TEST, "sec-admin", PASSWORD, ["admin"])
    client = staff_client(admin)
    page = client.get(reverse("lockouts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Account <strong>olivia</strong>" in html and "192.0.2.10" in html
    assert AccessEvent.objects.filter(user=admin, purpose="sign-in lockouts page").exists()

    lifted = client.post(reverse("lockout-lift"), {"kind": "account", "username": "olivia"})
    assert lifted.status_code == 302 and lifted["Location"] == reverse("lockouts")
    assert signed_in(sign_in("olivia", PASSWORD))
    [event] = events("auth.lockout_lifted")
    assert event.actor_id == admin.pk and event.object_id == str(operator.pk)
    assert event.after == {"username": "olivia", "attempts_cleared": 1, "lifted_by": "sec-admin"}
    assert "Nothing is locked." in client.get(reverse("lockouts")).content.decode()


def test_an_admin_lifts_an_address_lockout(
    make_user: Callable[..., User], staff_client: Callable[[Any], Client]
) -> None:
    for n in range(20):
        sign_in(f"guess{n}", WRONG)
    operator = make_user("olivia", "operator")
    assert sign_in("olivia", PASSWORD).status_code == 429
    client = staff_client("admin")
    assert "Address <strong>192.0.2.10</strong>" in client.get(reverse("lockouts")).content.decode()
    client.post(reverse("lockout-lift"), {"kind": "address", "address": "192.0.2.10"})
    assert signed_in(sign_in("olivia", PASSWORD))
    [event] = events("auth.lockout_lifted")
    assert event.after["address"] == "192.0.2.10" and event.after["attempts_cleared"] == 20
    assert operator.pk  # signed in above


@pytest.mark.parametrize("role", ["operator", "supervisor", "auditor", "safeguarding"])
def test_nobody_but_an_admin_can_see_or_lift_a_lockout(
    role: str, operator: User, staff_client: Callable[[Any], Client]
) -> None:
    _lock_olivia()
    client = staff_client(role)
    assert client.get(reverse("lockouts")).status_code == 403
    refused = client.post(reverse("lockout-lift"), {"kind": "account", "username": "olivia"})
    assert refused.status_code == 403
    assert sign_in("olivia", PASSWORD).status_code == 429
    assert not events("auth.lockout_lifted")
    assert Client().get(reverse("lockouts"))["Location"].startswith(reverse("login"))


def test_an_incomplete_lift_changes_nothing(
    operator: User, staff_client: Callable[[Any], Client]
) -> None:
    _lock_olivia()
    client = staff_client("admin")
    for data in ({"kind": "account"}, {"kind": "address", "address": "not-an-address"}, {}):
        assert client.post(reverse("lockout-lift"), data).status_code == 302
    assert sign_in("olivia", PASSWORD).status_code == 429
    assert not events("auth.lockout_lifted")


@pytest.mark.parametrize(("proxy", "proxies"), [("", 0), ("10.0.0.9", 2)])
def test_peel_serve_passes_x_forwarded_for_on_only_from_a_trusted_proxy(
    settings: Any, monkeypatch: pytest.MonkeyPatch, proxy: str, proxies: int
) -> None:
    import waitress
    from django.core.management import call_command

    given: dict[str, Any] = {}
    monkeypatch.setattr(waitress, "serve", lambda app, **options: given.update(options))
    settings.PEEL = {**settings.PEEL, "TRUSTED_PROXY": proxy}
    settings.TRUSTED_PROXY = proxy or "127.0.0.1"
    settings.PEEL_TRUSTED_PROXY_COUNT = proxies
    call_command("serve", "--no-worker", "--port", "8831")
    if not proxy:  # waitress's default: forwarded headers are removed from every request
        assert "trusted_proxy" not in given
    else:
        assert given["trusted_proxy"] == proxy and given["trusted_proxy_count"] == proxies
        assert "x-forwarded-for" in given["trusted_proxy_headers"]


def test_the_counts_are_kept_in_the_database_every_process_shares(operator: User) -> None:
    from axes.handlers.database import AxesDatabaseHandler
    from django.conf import settings
    from django.utils.module_loading import import_string

    assert issubclass(import_string(settings.AXES_HANDLER), AxesDatabaseHandler)
    for n in range(3):
        sign_in("olivia", f"{WRONG}{n}")
    assert AccessAttempt.objects.get(username="olivia").failures_since_start == 3
