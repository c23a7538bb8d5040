from django.urls import path

from peel.core import views

urlpatterns = [
    path("exit/", views.quick_exit, name="quick-exit"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("cookies/", views.cookies, name="cookies"),
]
