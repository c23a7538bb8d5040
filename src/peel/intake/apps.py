from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "peel.intake"
    label = "intake"
    verbose_name = "Intake"
