from django.urls import path

from peel.review import status_views, views

urlpatterns = [
    path("report/status/", status_views.report_status, name="report-status"),
    path("staff/work/<int:item_id>/", views.review_item, name="review-item"),
    path("staff/work/<int:item_id>/merge/", views.merge_duplicate, name="merge-duplicate"),
    path("staff/merges/<int:merge_id>/undo/", views.undo_merge, name="undo-merge"),
    path("staff/reports/<int:report_id>/", views.report_detail, name="report-detail"),
    path("staff/reports/<int:report_id>/restrict/", views.restrict_report, name="restrict-report"),
    path(
        "staff/reports/<int:report_id>/attachments/<int:number>/",
        views.report_attachment,
        name="report-attachment",
    ),
    path(
        "staff/reports/<int:report_id>/rendering/", views.report_rendering, name="report-rendering"
    ),
    path("staff/quality/", views.quality, name="quality"),
    path("staff/quality/<int:check_id>/", views.check_decision, name="check-decision"),
]
