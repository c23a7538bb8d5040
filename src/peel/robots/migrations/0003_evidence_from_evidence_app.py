# EvidenceBlob moved to the evidence app with its table and rows (evidence 0001, intake 0005).
# Django's state only: the robots' screenshot and page capture now name evidence.EvidenceBlob.
# It runs before intake 0005, which removes the model from intake's state.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("robots", "0002_worker_failures_and_restarts"),
        ("evidence", "0001_initial"),
    ]
    run_before = [("intake", "0005_evidenceblob_moves_to_evidence")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name=model_name,
                    name=name,
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="evidence.evidenceblob",
                    ),
                )
                for model_name, name in (
                    ("robotattempt", "page_html"),
                    ("robotattempt", "screenshot"),
                )
            ],
            database_operations=[],
        ),
    ]
