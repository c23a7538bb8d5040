from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "peel.reports"
    label = "reports"
    verbose_name = "Canonical reports and POLE entities"
