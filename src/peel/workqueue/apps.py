from django.apps import AppConfig


class WorkqueueConfig(AppConfig):
    name = "peel.workqueue"
    label = "workqueue"
    verbose_name = "Work queue"

    def ready(self) -> None:
        from peel.reports.actions import follow_restrictions
        from peel.reports.grants import register_grant
        from peel.workqueue import (
            checks,  # noqa: F401  (registers the service-level check)
            memberships,
        )
        from peel.workqueue.actions import do_route_restricted_report_items
        from peel.workqueue.grants import report_of_held_item

        register_grant(report_of_held_item)  # operators read the report of the item they hold
        follow_restrictions(do_route_restricted_report_items)  # a restricted report's work
        memberships.connect()  # someone leaving a team: work kept for them goes to the team
