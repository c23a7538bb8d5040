"""The single sign-on pages: /staff/sso/start/ sends the browser to the identity provider, and
/staff/sso/callback/ is where the provider sends it back (peel.accounts.sso does the checks).

    /staff/sso/start/?next=/staff/...            sign in
    /staff/sso/start/?reauth=1&next=/staff/...   sign in again at the provider (prompt=login,
                                                 max_age=0), then peel.accounts.reauth records it
"""

from __future__ import annotations

import importlib
import logging
import time
from typing import Any

import requests
from django.conf import settings
from django.contrib import auth, messages
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.views import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from peel.accounts.actions import do_audit_sso_signed_in
from peel.accounts.models import User
from peel.accounts.sso import CLOCK_SKEW_SECONDS, enabled, endpoint, oidc_setting, provider_name
from peel.accounts.sso import refuse as refuse_sign_in
from peel.core.redirects import safe_next

logger = logging.getLogger(__name__)

REAUTH_KEY = "peel_sso_reauth"  # {"user": pk, "started": unix time} while a re-auth is under way
IDP_MFA_KEY = "peel_idp_mfa"  # COMMON contract: True when the provider did multi-factor


class SsoStart(OIDCAuthenticationRequestView):
    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the base reads the endpoints here; Peel reads them in get
        self.reauth = False

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            messages.error(request, "Single sign-on is not set up here: sign in with a password.")
            return redirect("login")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = endpoint("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except (requests.RequestException, ImproperlyConfigured, ValueError) as exc:
            logger.error("Single sign-on: the provider's endpoints are unknown: %s", exc)
            messages.error(request, f"{provider_name()} cannot be reached: try again shortly.")
            return redirect("login")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.reauth = request.GET.get("reauth") == "1" and request.user.is_authenticated
        response = super().get(request)
        # The library checks `next` itself; Peel's one rule for redirects decides instead.
        request.session["oidc_login_next"] = safe_next(request, settings.LOGIN_REDIRECT_URL)
        if self.reauth:
            request.session[REAUTH_KEY] = {"user": request.user.pk, "started": int(time.time())}
        else:
            request.session.pop(REAUTH_KEY, None)
        return response

    def get_extra_params(self, request: HttpRequest) -> dict[str, str]:
        if self.reauth:  # the provider must ask for the credentials again, whatever its session
            return {"prompt": "login", "max_age": "0"}
        return {}


class SsoCallback(OIDCAuthenticationCallbackView):
    user: User

    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return oidc_setting(attr, *args)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not enabled():
            return redirect("login")
        state = request.GET.get("state", "")
        if request.GET.get("error"):
            # The person cancelled, or the provider refused. Unlike the library, Peel does not
            # sign out whoever is signed in: a cancelled re-authentication leaves the session.
            error = f"{request.GET['error']}: {request.GET.get('error_description', '')}"
            refuse_sign_in(request, f"the identity provider answered {error[:300]}")
            states = request.session.get("oidc_states", {})
            if state in states:
                del states[state]
                request.session.modified = True
            return self.login_failure()
        if "code" in request.GET and state not in request.session.get("oidc_states", {}):
            refuse_sign_in(
                request, "the callback's state is not one this browser started (forged or replayed)"
            )
            return self.login_failure()
        return super().get(request)

    def login_failure(self) -> HttpResponse:
        self.request.session.pop(REAUTH_KEY, None)
        messages.error(
            self.request,
            f"Signing in with {provider_name()} did not work. Try again, or ask your supervisor "
            "to check that you are in a group that uses Peel.",
        )
        return redirect("login")

    def login_success(self) -> HttpResponse:
        request, user = self.request, self.user
        info: dict[str, Any] = getattr(user, "_peel_sso", {})
        pending = request.session.pop(REAUTH_KEY, None)
        if pending is not None:
            return self._reauthenticated(pending, info)
        auth.login(request, user)  # a new session key; Django's signal audits auth.logged_in
        self._second_factor(info)
        do_audit_sso_signed_in(user, _details(info))
        return HttpResponseRedirect(self.success_url)

    def _reauthenticated(self, pending: dict[str, Any], info: dict[str, Any]) -> HttpResponse:
        request, user = self.request, self.user
        current = request.user if request.user.is_authenticated else None
        if current is None or current.pk != user.pk or pending.get("user") != user.pk:
            refuse_sign_in(
                request,
                "re-authentication answered for a different person than the one signed in",
                current if isinstance(current, User) else None,
            )
            return self.login_failure()
        auth_time = info.get("auth_time")
        started = int(pending.get("started", 0))
        if not isinstance(auth_time, int | float) or auth_time < started - CLOCK_SKEW_SECONDS:
            refuse_sign_in(
                request, "the identity provider did not ask for the credentials again", user
            )
            return self.login_failure()
        if settings.PEEL_OIDC_TRUST_IDP_MFA and "mfa" in info.get("amr", []):
            request.session[IDP_MFA_KEY] = True  # (a re-auth without it leaves the sign-in's)
        _mark_reauthenticated(request)
        do_audit_sso_signed_in(user, {**_details(info), "reauthenticated": True})
        return HttpResponseRedirect(self.success_url)

    def _second_factor(self, info: dict[str, Any]) -> None:
        """The COMMON contract with peel.accounts.second_factor: the provider's multi-factor
        counts only when the force trusts it and the ID token says it happened."""
        if settings.PEEL_OIDC_TRUST_IDP_MFA and "mfa" in info.get("amr", []):
            self.request.session[IDP_MFA_KEY] = True
        else:
            self.request.session.pop(IDP_MFA_KEY, None)


def _details(info: dict[str, Any]) -> dict[str, Any]:
    keys = ("subject", "provider_groups", "matched_groups", "amr", "address")
    return {key: info.get(key) for key in keys}


def _mark_reauthenticated(request: HttpRequest) -> None:
    """peel.accounts.reauth is built alongside this (issue 15); until it is there, say so."""
    try:
        reauth = importlib.import_module("peel.accounts.reauth")
    except ImportError:
        logger.error("peel.accounts.reauth is missing: the re-authentication is not recorded.")
        return
    reauth.mark_reauthenticated(request)
