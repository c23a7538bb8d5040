# Robots no longer import review: a task names its decision by id, and keeps the decided work's
# grade (for a manual transposition item) instead of reading it through the decision.
#
# The column robottask.decision_id is KEPT with its values and index: the database only loses
# the foreign key constraint (the AlterField to db_constraint=False below), and Django's state
# swaps the ForeignKey for a plain BigIntegerField of the same column. Decisions are never
# deleted, so the constraint's PROTECT guarded nothing that happens.

import django.db.models.deletion
from django.db import migrations, models


def copy_grades(apps, schema_editor):
    """Existing tasks take the grade of their decision's work item (new ones are given it)."""
    RobotTask = apps.get_model("robots", "RobotTask")
    for task in RobotTask.objects.exclude(decision=None).select_related("decision__work_item"):
        RobotTask.objects.filter(pk=task.pk).update(grade=task.decision.work_item.grade)


class Migration(migrations.Migration):
    dependencies = [
        ("robots", "0003_evidence_from_evidence_app"),
        ("review", "0002_decision_detail_crime_quality_merge"),
    ]

    operations = [
        migrations.AddField(
            model_name="robottask",
            name="grade",
            field=models.CharField(default="P3", max_length=8),
        ),
        migrations.RunPython(copy_grades, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterField(
                    model_name="robottask",
                    name="decision",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="robot_tasks",
                        to="review.decision",
                    ),
                ),
            ],
            state_operations=[
                migrations.RemoveField(model_name="robottask", name="decision"),
                migrations.AddField(
                    model_name="robottask",
                    name="decision_id",
                    field=models.BigIntegerField(blank=True, db_index=True, null=True),
                ),
            ],
        ),
    ]
