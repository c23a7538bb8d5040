"""Signing in in two steps, enrolling a second factor, the account's security page, and the admin's
reset of a lost factor. What makes a session "verified" is in second_factor.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.i18n import JavaScriptCatalog
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.models import WebAuthnCredential
from django_ratelimit.core import is_ratelimited

from peel.accounts.actions import (
    do_audit_security_key_failed,
    do_enrol_authenticator,
    do_register_security_key,
    do_renew_recovery_codes,
    do_reset_second_factor,
    do_verify_second_factor,
)
from peel.accounts.middleware import client_address
from peel.accounts.models import User
from peel.accounts.requests import staff_user
from peel.accounts.second_factor import (
    PENDING_KEY_SESSION_KEY,
    has_confirmed_factor,
    is_verified,
    key_as_text,
    qr_svg,
    second_factor_exempt,
)
from peel.core.access_rules import public, staff
from peel.core.redirects import SafeNextMixin, next_path, safe_next


def _with_next(url_name: str, next_url: str) -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _next(request: HttpRequest) -> str:
    return safe_next(request, "staff-home")


# ---- Step one: the password ---------------------------------------------------------------------


class LoginView(SafeNextMixin, auth_views.LoginView):
    """Django's log-in page; a right password leads on to the second factor (or to enrolment)."""

    def get_success_url(self) -> str:
        return _with_next("second-factor", next_path(self.request, "next"))


class LogoutView(SafeNextMixin, auth_views.LogoutView):
    """Signing out is a POST; its `next` goes only to this site's paths."""


login = second_factor_exempt(public(methods=("GET", "POST"))(LoginView.as_view()))
logout = second_factor_exempt(public(methods=("POST",))(LogoutView.as_view()))


# ---- Step two: the second factor ----------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
        error_messages={"required": "Enter the code from your authenticator app"},
    )


@never_cache
@second_factor_exempt
@staff(methods=("GET", "POST"))
def second_factor(request: HttpRequest) -> HttpResponse:
    """`/staff/login/second-factor/`: the code (or a security key) after the password."""
    user = staff_user(request)
    next_url = _next(request)
    if is_verified(request):
        return redirect(next_url)
    if not has_confirmed_factor(user):
        return redirect(_with_next("second-factor-setup", next_path(request, "next")))
    rate = settings.PEEL["SECOND_FACTOR_RATE"]
    if request.method == "POST" and is_ratelimited(
        request, group="second-factor", key="user", rate=rate, method="POST", increment=True
    ):
        # Past django-otp's throttle (which refuses and audits each code), a cap per account
        # keeps a flood of guesses from flooding the audit log too.
        return render(request, "accounts/too_many_codes.html", status=429)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = do_verify_second_factor(user, form.cleaned_data["code"], client_address(request))
        if check.device is not None:
            otp_login(request, check.device)
            request.session.cycle_key()  # a new session id once fully signed in
            return redirect(next_url)
        if check.wait_seconds:
            form.add_error(
                "code",
                f"Too many wrong codes: wait {check.wait_seconds} seconds, then enter the code "
                "your app shows then",
            )
        else:
            form.add_error("code", "That code is not right: enter the code your app shows now")
    has_keys = WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    return render(
        request,
        "accounts/second_factor.html",
        {"form": form, "next": next_path(request, "next"), "has_keys": has_keys},
    )


# ---- Enrolment ----------------------------------------------------------------------------------


@never_cache
@second_factor_exempt
@staff(methods=("GET", "POST"))
def setup(request: HttpRequest) -> HttpResponse:
    """`/staff/account/second-factor/setup/`: enrol an authenticator app (QR code and key as
    text), confirm it with a code, then see the recovery codes once. A session that has not
    passed the factor it already has cannot enrol another (a password alone adds nothing)."""
    user = staff_user(request)
    next_url = next_path(request, "next")
    if has_confirmed_factor(user) and not is_verified(request):
        return redirect(_with_next("second-factor", next_url))
    key = request.session.get(PENDING_KEY_SESSION_KEY) or random_hex(20)
    request.session[PENDING_KEY_SESSION_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        clock = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
        code = "".join(form.cleaned_data["code"].split())
        if code.isdigit() and clock.verify(int(code), tolerance=1):
            device, codes = do_enrol_authenticator(user, key, clock.t())
            del request.session[PENDING_KEY_SESSION_KEY]
            if not is_verified(request):
                otp_login(request, device)
                request.session.cycle_key()
            return _show_recovery_codes(request, codes, _next(request))
        form.add_error("code", "That code is not right: enter the code your app shows now")
    # The unsaved device gives the otpauth:// address an app reads (issuer, account, key).
    address = TOTPDevice(user=user, name="Authenticator app", key=key).config_url
    svg = qr_svg(address).replace(
        "<svg ", '<svg role="img" aria-label="QR image to scan with your authenticator app" ', 1
    )
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_svg": svg,
            "key_text": key_as_text(key),
            "next": next_url,
            "replacing": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "username": user.get_username(),
        },
    )


def _show_recovery_codes(request: HttpRequest, codes: list[str], next_url: str) -> HttpResponse:
    """The one time recovery codes are shown (the response is never cached)."""
    response = render(request, "accounts/recovery_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


# ---- The account's security page ---------------------------------------------------------------


@never_cache
@staff()
def account(request: HttpRequest) -> HttpResponse:
    """`/staff/account/`: the factors this account has, recovery codes left, and ways to add."""
    user = staff_user(request)
    return render(
        request,
        "accounts/account.html",
        {
            "apps": TOTPDevice.objects.filter(user=user, confirmed=True),
            "keys": WebAuthnCredential.objects.filter(user=user, confirmed=True),
            "recovery_left": StaticToken.objects.filter(device__user=user).count(),
        },
    )


@never_cache
@staff(methods=("POST",))
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Make a new set of recovery codes (the old ones stop working) and show them once."""
    return _show_recovery_codes(request, do_renew_recovery_codes(staff_user(request)), "")


# ---- An admin resets a lost factor --------------------------------------------------------------


class ResetForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        label="Account",
        error_messages={"required": "Choose the account whose second factor is lost"},
    )
    reason = forms.CharField(
        label="Why",
        max_length=500,
        help_text="For the audit log: who asked, and how you checked it was them.",
        error_messages={"required": "Say why the second factor is being reset"},
    )


@never_cache
@staff("accounts.reset_second_factor", methods=("GET", "POST"))
def reset(request: HttpRequest) -> HttpResponse:
    """`/staff/account/second-factor/reset/`: remove every factor of an account (audited); the
    person enrols again at their next sign-in."""
    actor = staff_user(request)
    form = ResetForm(request.POST or None, initial={"user": request.GET.get("user")})
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["user"]
        do_reset_second_factor(actor, target, form.cleaned_data["reason"])
        messages.success(
            request,
            f"{target.get_username()}'s second factor was removed: they set one up again at "
            "their next sign-in.",
        )
        return redirect("second-factor-reset")
    accounts = [
        {
            "user": person,
            "apps": TOTPDevice.objects.filter(user=person, confirmed=True).count(),
            "keys": WebAuthnCredential.objects.filter(user=person, confirmed=True).count(),
            "recovery": StaticToken.objects.filter(device__user=person).count(),
        }
        for person in User.objects.filter(is_active=True).order_by("username")
    ]
    return render(request, "accounts/reset.html", {"form": form, "accounts": accounts})


# ---- Security keys: django-otp-webauthn's ceremony, audited ------------------------------------


class _RegistrationComplete(webauthn_views.CompleteCredentialRegistrationView):
    """The library's view, with the new key saved and audited by an action."""

    def post(self, *args: Any, **kwargs: Any) -> JsonResponse:
        user = staff_user(self.request)
        state = self.get_state()
        helper = self.get_helper()

        def register() -> Any:
            with webauthn_views.rewrite_exceptions(logger=webauthn_views._get_pywebauthn_logger()):
                return helper.register_complete(user=user, state=state, data=self.request.data)

        device = do_register_security_key(user, register)
        if not is_verified(self.request):  # the first factor of an unenrolled account
            otp_login(self.request, device)
            self.request.session.cycle_key()
        return JsonResponse({"id": device.pk, "redirect_url": reverse("account")})


class _AuthenticationComplete(webauthn_views.CompleteCredentialAuthenticationView):
    """The library's view: a refused key is audited; an accepted one renews the session id."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        user = request.user
        if response.status_code >= 400 and isinstance(user, User) and user.is_authenticated:
            do_audit_security_key_failed(user, client_address(request), response.status_code)
        elif response.status_code == 200:
            request.session.cycle_key()
        return response

    def get_success_url(self) -> str:
        return safe_next(self.request, "staff-home")


def _ceremony(view: Any) -> Any:
    return never_cache(second_factor_exempt(staff(methods=("POST",))(view)))


key_registration_begin = never_cache(
    staff(methods=("POST",))(webauthn_views.BeginCredentialRegistrationView.as_view())
)
key_registration_complete = never_cache(staff(methods=("POST",))(_RegistrationComplete.as_view()))
# Before the second factor: signing in with a key, and an unenrolled account's first key (the
# library refuses a new key to a session that has not passed the factor it already has).
key_registration_begin = second_factor_exempt(key_registration_begin)
key_registration_complete = second_factor_exempt(key_registration_complete)
key_authentication_begin = _ceremony(webauthn_views.BeginCredentialAuthenticationView.as_view())
key_authentication_complete = _ceremony(_AuthenticationComplete.as_view())
# The library's JavaScript asks for its messages (text only).
key_messages = second_factor_exempt(
    public()(JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]))
)
