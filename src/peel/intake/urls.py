from django.urls import path

from peel.intake import api, staff_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("process", api.process, name="standard-api-process"),
    path("report/", views.report_start, name="report-start"),
    path("report/check/", views.report_check, name="report-check"),
    path("report/call-999/", views.report_danger, name="report-danger"),
    path("report/receipt/", views.receipt, name="receipt"),
    path("report/receipt/<str:reference>/", views.receipt_by_reference, name="receipt-old"),
    path("staff/quarantine/", staff_views.quarantine_list, name="quarantine"),
    path(
        "staff/quarantine/<int:item_id>/retry/",
        staff_views.quarantine_retry,
        name="quarantine-retry",
    ),
    path("report/<slug:page_id>/", views.report_page, name="report-page"),
]
