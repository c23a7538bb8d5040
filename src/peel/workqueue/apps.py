from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "peel.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"

    def ready(self) -> None:
        from peel.reports.grants import register_grant
        from peel.workqueue import checks  # noqa: F401  (registers the service-level check)
        from peel.workqueue.grants import report_of_held_item

        register_grant(report_of_held_item)
