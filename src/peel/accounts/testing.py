"""Test helpers for the second factor: an enrolled authenticator app, its code now, and a test
client's session marked as having passed it (as django-otp marks a real one)."""

from __future__ import annotations

import time
from typing import Any

from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
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


def totp_device(user: User) -> TOTPDevice:
    """The user's confirmed authenticator-app device (made the first time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device


def totp_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The code the authenticator app shows now (or `offset_steps` steps from now)."""
    device.refresh_from_db()
    t0 = device.t0 - offset_steps * device.step
    code = totp(device.bin_key, step=device.step, t0=t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def unused_totp_code(device: TOTPDevice) -> str:
    """A code the device will still accept: now's, or, when now's was used already (signing in
    a moment ago), the next one's (the app's clock tolerance accepts it; a code works once)."""
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step)
    return totp_code(device, 1 if device.last_t >= now_step else 0)


def reauthenticate(client: Client, user: User) -> None:
    """Give the second factor again on the re-authentication page, as a person does."""
    response = client.post(reverse("reauthenticate"), {"code": unused_totp_code(totp_device(user))})
    assert response.status_code == 302, response.content.decode()[:2000]
