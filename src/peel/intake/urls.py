from django.urls import path

from peel.intake import views

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.report_crime, name="report-crime"),
    path("report/receipt/<str:reference>/", views.receipt, name="receipt"),
]
