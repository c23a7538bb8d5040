from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "peel.audit"
    label = "audit"
    verbose_name = "Audit and access logs"
