from django.urls import path

from peel.accounts import views

# Staff account pages live under /staff/account/ (the second factor's pages join them).
urlpatterns = [
    path("staff/account/password/", views.password_change, name="password-change"),
    path("staff/security/lockouts/", views.lockouts, name="lockouts"),
    path("staff/security/lockouts/lift/", views.lift_lockout, name="lockout-lift"),
]
