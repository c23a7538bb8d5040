from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "peel.review"
    label = "review"
    verbose_name = "Review and decisions"
