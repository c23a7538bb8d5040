from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "peel.notifications"
    label = "notifications"
    verbose_name = "Notifications"
