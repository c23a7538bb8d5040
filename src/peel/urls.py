from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from peel.core.access_rules import declare_admin_site, public

urlpatterns = [
    path("", include("peel.core.urls")),
    # review before intake: its public report/status/ must win over intake's report/<page_id>/.
    path("", include("peel.review.urls")),
    path("", include("peel.intake.urls")),
    path("", include("peel.workqueue.urls")),
    path("", include("peel.robots.urls")),
    path("", include("peel.triage.urls")),
    path("", include("peel.oversight.urls")),
    path("", include("peel.accounts.urls")),  # /staff/sso/... (and the account pages)
    # The log-in page is public; signing out is a POST (Django refuses a GET that could be a link).
    path(
        "staff/login/",
        public(methods=("GET", "POST"))(auth_views.LoginView.as_view()),
        name="login",
    ),
    path(
        "staff/logout/", public(methods=("POST",))(auth_views.LogoutView.as_view()), name="logout"
    ),
    path("admin/", declare_admin_site(admin.site.urls)),
]

# Styled error pages with the normal header and footer (core/views.py).
handler403 = "peel.core.views.forbidden"
handler404 = "peel.core.views.not_found"
handler500 = "peel.core.views.server_error"
