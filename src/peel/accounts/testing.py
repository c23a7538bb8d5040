"""Test helpers for second factors: a confirmed authenticator-app device, its current code, and
confirming it's them through the real re-authentication page."""

from __future__ import annotations

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


def reauthenticate(client: Client, user: User) -> None:
    """Give the second factor again on the re-authentication page, as a person does."""
    device = totp_device(user)
    # A code is used once: after a use in this time step, the next step's code (the app's
    # clock tolerance accepts it).
    offset = 1 if device.last_t >= 0 and device.last_t >= _step_now(device) else 0
    response = client.post(reverse("reauthenticate"), {"code": totp_code(device, offset)})
    assert response.status_code == 302, response.content.decode()[:2000]


def _step_now(device: TOTPDevice) -> int:
    import time

    return int((time.time() - device.t0) // device.step)
