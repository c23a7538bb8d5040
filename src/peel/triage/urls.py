from django.urls import path

from peel.triage import views

urlpatterns = [
    path("staff/reports/<int:report_id>/dash/", views.dash_form, name="dash-form"),
    path("staff/triage/rules/", views.rules, name="triage-rules"),
    path("staff/triage/rules/<int:version_id>/", views.rules_preview, name="triage-rules-preview"),
    path(
        "staff/triage/rules/<int:version_id>/activate/",
        views.rules_activate,
        name="triage-rules-activate",
    ),
]
