from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peel.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from peel.core import checks  # noqa: F401  (registers Peel's system checks)
