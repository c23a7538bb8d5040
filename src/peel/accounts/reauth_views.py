"""Confirming it's them again before a sensitive action (peel.accounts.reauth)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django_otp import user_has_device

from peel.accounts import sso
from peel.accounts.actions import do_reauthenticate
from peel.accounts.forms import ReauthenticateForm
from peel.accounts.middleware import client_address
from peel.accounts.reauth import mark_reauthenticated, window_seconds
from peel.accounts.requests import staff_user
from peel.core.access_rules import staff
from peel.core.redirects import safe_next

IDP_MFA = "peel_idp_mfa"  # set by single sign-on when the identity provider did the second factor


def _sso_reauthentication(back: str) -> str | None:
    """Single sign-on's round trip to sign in again at the identity provider, if configured."""
    if not sso.enabled():
        return None
    try:
        start = reverse("sso-start")
    except NoReverseMatch:
        return None
    return f"{start}?{urlencode({'reauth': '1', 'next': back})}"


@staff(methods=("GET", "POST"))
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """Ask for the second factor again, then go back to the page `next` names."""
    user = staff_user(request)
    back = safe_next(request, "staff-home")
    minutes = f"{window_seconds() / 60:g}"
    if not user_has_device(user, confirmed=True):
        sso = _sso_reauthentication(back) if request.session.get(IDP_MFA) is True else None
        if sso is not None:
            return redirect(sso)
        context = {"no_device": True, "back": back, "minutes": minutes}
        return render(request, "accounts/reauthenticate.html", context)
    form = ReauthenticateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = do_reauthenticate(user, form.cleaned_data["code"], client_address(request))
        if result.ok:
            mark_reauthenticated(request)
            messages.success(
                request,
                f"Thank you, that's confirmed for the next {minutes} minutes. If you had pressed a "
                "button on this page, press it again: it was not sent before.",
            )
            return redirect(back)
        if result.retry_at is not None:
            wait = max(1, int((result.retry_at - timezone.now()).total_seconds() + 0.999))
            form.add_error(
                "code", f"Too many wrong codes. Wait {wait} seconds, then enter a new code"
            )
        else:
            form.add_error("code", "That code is not right. Enter a new code from your app")
    context = {"form": form, "back": back, "minutes": minutes}
    return render(
        request, "accounts/reauthenticate.html", context, status=400 if form.errors else 200
    )
