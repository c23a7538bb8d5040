from django.urls import path

from peel.intake import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("process", api.process, name="standard-api-process"),
    path("report/", views.report_crime, name="report-crime"),
    path("report/receipt/<str:reference>/", views.receipt, name="receipt"),
]
