from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TriageConfig(AppConfig):
    name = "peel.triage"
    label = "triage"
    verbose_name = "Triage"

    def ready(self) -> None:
        from peel.triage.actions import install_shipped_after_migrate

        post_migrate.connect(
            install_shipped_after_migrate, sender=self, dispatch_uid="peel.triage.install_shipped"
        )
