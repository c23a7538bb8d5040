"""Fixtures shared by every app's tests: named personas, a signed-in client, and a way to file a
report."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test import Client
from hypothesis import settings as hypothesis_settings

from peel.accounts.actions import do_create_user
from peel.accounts.models import User
from peel.accounts.testing import sign_in
from peel.audit.actors import TEST
from peel.process.testing import PASSWORD

pytest_plugins = [
    "peel.robots.tests.fixtures",  # the sandbox CHS, for robot and browser tests
    "peel.accounts.tests.sso_provider",  # the loopback OpenID Connect provider (single sign-on)
]

# Hypothesis: `make test` runs the "default" profile (modest example counts per channel, see
# intake/tests/test_roundtrip.py); `make fuzz` sets HYPOTHESIS_PROFILE=fuzz for many more.
hypothesis_settings.register_profile("default", deadline=None)
hypothesis_settings.register_profile("fuzz", deadline=None, max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# same thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def _required_database(django_db_setup: Any, django_db_blocker: Any) -> None:
    """`make test-postgres` sets PEEL_REQUIRE_DATABASE so a wrong or missing server fails loudly."""
    required = os.environ.get("PEEL_REQUIRE_DATABASE")
    if required:
        with django_db_blocker.unblock():
            connection.ensure_connection()
            if connection.vendor != required:
                pytest.exit(f"Tests must run on {required}, not {connection.vendor}.", returncode=3)


@pytest.fixture
def make_user(db: Any) -> Callable[..., User]:
    def make(username: str, *roles: str) -> User:
        return do_create_user(TEST, username, PASSWORD, list(roles))

    return make


@pytest.fixture
def staff_client(make_user: Callable[..., User]) -> Callable[[User | str], Client]:
    """The one way view tests sign in: `staff_client(user)`, or `staff_client("supervisor")` for
    a new user with that role. Each call is a new Django test client, signed in and past the
    second factor (an authenticator app enrolled for the user). The log-in pages themselves are
    tested in accounts/tests/test_second_factor.py and by the browser tests."""

    def signed_in(who: User | str) -> Client:
        user = make_user(f"{who}-{User.objects.count()}", who) if isinstance(who, str) else who
        client = Client()
        sign_in(client, user)
        return client

    return signed_in


@pytest.fixture
def operator(make_user: Callable[..., User]) -> User:
    return make_user("olivia", "operator")


@pytest.fixture
def other_operator(make_user: Callable[..., User]) -> User:
    return make_user("sam", "operator")


@pytest.fixture
def supervisor(make_user: Callable[..., User]) -> User:
    return make_user("grace", "supervisor")


@pytest.fixture
def safeguarding_officer(make_user: Callable[..., User]) -> User:
    return make_user("imran", "safeguarding")


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user("niamh", "analyst")


@pytest.fixture(autouse=True)
def _files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Tests never write into the real var/ (evidence, demo logins)."""
    settings.EVIDENCE_DIR = tmp_path / "evidence"
    settings.VAR_DIR = tmp_path


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Test passwords need no protection; PBKDF2's deliberate slowness costs minutes a run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache: each test starts with none."""
    from django.core.cache import cache

    cache.clear()


class SmtpInbox:
    """What a loopback SMTP server received: [(recipients, message)]."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_inbox(settings: Any) -> Iterator[SmtpInbox]:
    """A real SMTP server (aiosmtpd) on a free loopback port, and Peel's mail pointed at it."""
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_loopback_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    try:
        yield inbox
    finally:
        controller.stop()
