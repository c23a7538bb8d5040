from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "peel.review"
    label = "review"
    verbose_name = "Review and decisions"

    def ready(self) -> None:
        from peel.review import checks  # noqa: F401  (registers the reference-data check)
