from django.contrib import admin
from django.urls import include, path

from peel.accounts.urls import webauthn_urlpatterns as _webauthn_urls
from peel.core.access_rules import declare_admin_site

urlpatterns = [
    path("", include("peel.core.urls")),
    # review before intake: its public report/status/ must win over intake's report/<page_id>/.
    path("", include("peel.review.urls")),
    path("", include("peel.intake.urls")),
    path("", include("peel.workqueue.urls")),
    path("", include("peel.robots.urls")),
    path("", include("peel.triage.urls")),
    path("", include("peel.oversight.urls")),
    # Signing in (password, then the second factor) and out; the account's security pages.
    path("", include("peel.accounts.urls")),
    # Security keys: django-otp-webauthn's JavaScript asks for its endpoints by these names.
    path("", include((_webauthn_urls, "otp_webauthn"))),
    path("admin/", declare_admin_site(admin.site.urls)),
]

# Styled error pages with the normal header and footer (core/views.py).
handler403 = "peel.core.views.forbidden"
handler404 = "peel.core.views.not_found"
handler500 = "peel.core.views.server_error"
