from django.urls import path

from peel.robots import views

urlpatterns = [
    path("staff/robots/", views.robots_page, name="robots"),
    path("staff/robots/failed/", views.failed_tasks, name="robots-failed"),
    path("staff/robots/tasks/<int:task_id>/retry/", views.retry_task, name="robot-retry"),
    path("staff/robots/tasks/<int:task_id>/give/", views.give_task, name="robot-give"),
    path(
        "staff/robots/tries/<int:attempt_id>/<str:kind>/",
        views.attempt_evidence,
        name="robot-evidence",
    ),
    path(
        "staff/work/<int:item_id>/transposition/",
        views.manual_transposition,
        name="manual-transposition",
    ),
]
