from django.db import migrations, models
from django.utils import timezone

OPEN = ["queued", "allocated", "parked"]


def close_duplicate_referrals(apps, schema_editor):
    """A database from before the rule may hold two open referrals for one report (the defect
    this constraint prevents): keep the oldest, cancel the others, and audit each."""
    from peel.audit import log as audit
    from peel.audit.actors import Robot

    WorkItem = apps.get_model("workqueue", "WorkItem")
    kept: set[int] = set()
    for item in WorkItem.objects.filter(kind="safeguarding_referral", status__in=OPEN).order_by(
        "report_id", "created_at", "id"
    ):
        if item.report_id not in kept:
            kept.add(item.report_id)
            continue
        item.status, item.completed_at = "cancelled", timezone.now()
        item.save(update_fields=["status", "completed_at"])
        audit.record(
            Robot("migration"), "work.cancelled", item,
            {"status": "queued"}, {"status": "cancelled", "reason": "a second open referral"},
        )  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_restricted_to_merged_into"),
        ("workqueue", "0006_workitem_reserved_for_new_kinds"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_referrals, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="workitem",
            constraint=models.UniqueConstraint(
                condition=models.Q(("kind", "safeguarding_referral"), ("status__in", OPEN)),
                fields=("report",),
                name="one_open_referral_per_report",
            ),
        ),
    ]
