"""The second factor: what makes a session "verified", and the middleware that insists on it.

A staff session is second-factor verified when django-otp says so (a code from an authenticator
app, a recovery code or a security key was accepted in this session: `request.user.is_verified()`)
or when single sign-on set `peel_idp_mfa` because the force's identity provider did its own
multi-factor check. Without that, a signed-in session (a password alone) gets nothing from any
staff or admin page except the pages that get it verified: the second-factor step, enrolment,
the security-key ceremony and signing out (views marked `@second_factor_exempt`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from typing import Any, TypeVar

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import user_has_device
from django_otp.oath import TOTP
from django_otp_webauthn.helpers import WebAuthnHelper

from peel.core.access_rules import rule_of
from peel.core.db import DATABASE_UNAVAILABLE
from peel.core.middleware import unavailable

View = TypeVar("View", bound=Callable[..., Any])

# Set by single sign-on when the identity provider's ID token says it did multi-factor (amr).
IDP_MFA_SESSION_KEY = "peel_idp_mfa"
# Where the key of an authenticator app being enrolled waits until a code confirms it.
PENDING_KEY_SESSION_KEY = "peel_totp_pending_key"
STAFF_PREFIX = "/staff/"


def is_verified(request: HttpRequest) -> bool:
    """Has this session passed a second factor (here, or at the identity provider)?"""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    checked = getattr(user, "is_verified", None)
    if callable(checked) and checked():
        return True
    return request.session.get(IDP_MFA_SESSION_KEY) is True


def has_confirmed_factor(user: Any) -> bool:
    """Has this account enrolled any second factor (app, recovery codes or security key)?"""
    return bool(user_has_device(user, confirmed=True))


def second_factor_exempt(view: View) -> View:
    """Mark a view a signed-in session may use before its second factor: the step itself,
    enrolment, the security-key ceremony, signing in and out."""
    view.peel_second_factor_exempt = True  # type: ignore[attr-defined]
    return view


class SecondFactorMiddleware:
    """After django-otp's middleware: a signed-in session that has not passed its second factor
    is sent to the second-factor step (GET) or refused (403: other methods, JSON callers) on
    every staff and admin page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        try:
            return self._check(request, view)
        except DATABASE_UNAVAILABLE as exc:  # the session or the user could not be read
            return unavailable(request, exc)

    def _check(self, request: HttpRequest, view: Any) -> HttpResponse | None:
        if not request.user.is_authenticated or getattr(view, "peel_second_factor_exempt", False):
            return None
        rule = rule_of(view)
        guarded = request.path.startswith((STAFF_PREFIX, self.admin_prefix)) or (
            rule is not None and rule.who in ("staff", "admin_site")
        )
        if not guarded or is_verified(request):
            return None
        wants_json = request.content_type == "application/json" or (
            request.accepts("application/json") and not request.accepts("text/html")
        )
        if wants_json:
            return JsonResponse({"detail": "Confirm your second factor first."}, status=403)
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied("Confirm your second factor first.")
        step = reverse("second-factor")
        return redirect(f"{step}?{urlencode({'next': request.get_full_path()})}")


# ---- Authenticator apps (TOTP) ----------------------------------------------------------------


def code_for(key_hex: str, at: float | None = None) -> str:
    """The 6-digit code an authenticator app shows for this hex key now, or at Unix time `at`
    (tests and the demo)."""
    clock = TOTP(binascii.unhexlify(key_hex), step=30, t0=0, digits=6)
    if at is not None:
        clock.time = at
    return f"{clock.token():06d}"


def key_as_text(key_hex: str) -> str:
    """The key as an authenticator app asks for it when typed: base32, in groups of four."""
    text = base64.b32encode(binascii.unhexlify(key_hex)).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(uri: str) -> str:
    """A QR code of `uri` as SVG markup (paths only: no script, no style attribute)."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return str(image.to_string(encoding="unicode"))


# ---- Security keys (WebAuthn) -----------------------------------------------------------------


class PeelWebAuthnHelper(WebAuthnHelper):
    """The origins a security key's answer may come from: OTP_WEBAUTHN_ALLOWED_ORIGINS, and on
    the relying party `localhost` (the demo, the tests) http://localhost on whichever port this
    request came to."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        host = self.request.get_host()
        if settings.OTP_WEBAUTHN_RP_ID == "localhost" and host.split(":")[0] == "localhost":
            origins.append(f"http://{host}")
        return origins
