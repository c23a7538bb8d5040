from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "peel.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"
