from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "peel.intake"
    label = "intake"
    verbose_name = "Intake"

    def ready(self) -> None:
        from peel.intake import checks  # noqa: F401  (registers the rate-limit checks)

        # The queue knows no channel: intake adds its panels to the queue's pages.
        from peel.intake.panels import filing_backlog, quarantine_link
        from peel.workqueue import panels

        panels.register(panels.STAFF_HOME, quarantine_link)
        panels.register(panels.QUEUE_PAGE, filing_backlog)
