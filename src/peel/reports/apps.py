from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peel.reports"
    label = "reports"
    verbose_name = "Canonical reports and POLE entities"

    def ready(self) -> None:
        # Notifications knows no reports: it asks the rules registered with it before sending.
        from peel.notifications.withholding import register_withholding_rule
        from peel.reports.contact import withhold_from_reporter

        register_withholding_rule(withhold_from_reporter)
