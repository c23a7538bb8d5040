"""Test helpers for second factors: a confirmed authenticator-app device, its current code, and
confirming it's them through the real re-authentication page."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from peel.accounts.models import User


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
