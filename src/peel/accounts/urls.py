"""Signing in (both steps), the account's security page and the second factor's pages."""

from django.urls import path

from peel.accounts import reauth_views, security_views, views
from peel.accounts.second_factor import second_factor_exempt
from peel.accounts.sso_views import SsoCallback, SsoStart
from peel.core.access_rules import public

urlpatterns = [
    path("staff/login/", views.login, name="login"),
    path("staff/logout/", views.logout, name="logout"),
    path("staff/login/second-factor/", views.second_factor, name="second-factor"),
    path("staff/account/", views.account, name="account"),
    path("staff/account/second-factor/setup/", views.setup, name="second-factor-setup"),
    path(
        "staff/account/second-factor/recovery-codes/",
        views.recovery_codes,
        name="second-factor-recovery-codes",
    ),
    path("staff/account/second-factor/reset/", views.reset, name="second-factor-reset"),
    path("staff/reauthenticate/", reauth_views.reauthenticate, name="reauthenticate"),
    path("staff/account/password/", security_views.password_change, name="password-change"),
    path("staff/security/lockouts/", security_views.lockouts, name="lockouts"),
    path("staff/security/lockouts/lift/", security_views.lift_lockout, name="lockout-lift"),
    # Single sign-on (docs/sso.md): public, as the log-in page is; off until configured. Exempt
    # from the second-factor check: the provider's answer is what sets it (second_factor.py).
    path(
        "staff/sso/start/",
        second_factor_exempt(public()(SsoStart.as_view())),
        name="sso-start",
    ),
    path(
        "staff/sso/callback/",
        second_factor_exempt(public()(SsoCallback.as_view())),
        name="sso-callback",
    ),
]

# Security keys: django-otp-webauthn's ceremony, included by peel/urls.py in the namespace its
# template tags and JavaScript ask for ("otp_webauthn:...").
webauthn_urlpatterns = [
    path(
        "staff/account/second-factor/key/register/begin/",
        views.key_registration_begin,
        name="credential-registration-begin",
    ),
    path(
        "staff/account/second-factor/key/register/complete/",
        views.key_registration_complete,
        name="credential-registration-complete",
    ),
    path(
        "staff/login/second-factor/key/begin/",
        views.key_authentication_begin,
        name="credential-authentication-begin",
    ),
    path(
        "staff/login/second-factor/key/complete/",
        views.key_authentication_complete,
        name="credential-authentication-complete",
    ),
    path("staff/login/second-factor/key/messages/", views.key_messages, name="js-i18n-catalog"),
]
