from django.apps import AppConfig


class OversightConfig(AppConfig):
    """The auditor's pages over the whole road: who changed and who read what, and when."""

    name = "peel.oversight"
    label = "oversight"
    verbose_name = "Oversight (the auditor's pages)"
