"""Test helpers for the second factor: an enrolled authenticator app, its code now, and a test
client's session marked as having passed it (as django-otp marks a real one)."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from peel.accounts.models import User
from peel.accounts.second_factor import code_for


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed authenticator app, enrolled now if they have none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)
    return device


def current_code(user: User) -> str:
    """The code the user's app shows now. A code is accepted once (django-otp remembers the last
    time step used), so the device forgets the last one: a test may sign the same person in
    twice within 30 seconds."""
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return code_for(device.key)


def pass_second_factor(client: Any, user: User) -> None:
    """Mark a test client's signed-in session as verified by the user's authenticator app."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def sign_in(client: Any, user: User) -> None:
    """Sign a test client in as `user`, past the second factor: what the `staff_client` fixture
    does, for the few tests that switch one client between people."""
    client.force_login(user)
    pass_second_factor(client, user)
