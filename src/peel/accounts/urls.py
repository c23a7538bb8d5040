from django.urls import path

from peel.accounts.sso_views import SsoCallback, SsoStart
from peel.core.access_rules import public

urlpatterns = [
    # Single sign-on (docs/sso.md): public, as the log-in page is; off until configured.
    path("staff/sso/start/", public()(SsoStart.as_view()), name="sso-start"),
    path("staff/sso/callback/", public()(SsoCallback.as_view()), name="sso-callback"),
]
