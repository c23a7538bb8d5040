from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "peel.triage"
    label = "triage"
    verbose_name = "Triage"
