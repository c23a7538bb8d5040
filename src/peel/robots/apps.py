from django.apps import AppConfig


class RobotsConfig(AppConfig):
    name = "peel.robots"
    label = "robots"
    verbose_name = "Robots"

    def ready(self) -> None:
        from peel.robots import checks  # noqa: F401  (registers the robot targets check)
