from django.urls import path

from peel.accounts import views

urlpatterns = [
    path("staff/reauthenticate/", views.reauthenticate, name="reauthenticate"),
]
