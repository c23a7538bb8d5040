from django.urls import path

from peel.oversight import views

urlpatterns = [
    path("staff/audit/", views.search, name="oversight-search"),
    path("staff/audit/export.csv", views.export, name="oversight-export"),
    path("staff/audit/events/<int:event_id>/", views.event_detail, name="oversight-event"),
    path("staff/audit/verify/", views.verify, name="oversight-verify"),
]
