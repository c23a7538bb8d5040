from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "peel.core"
    label = "core"
    verbose_name = "Core"
