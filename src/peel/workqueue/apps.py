from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "peel.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"

    def ready(self) -> None:
        from peel.workqueue import checks  # noqa: F401  (registers the service-level check)
