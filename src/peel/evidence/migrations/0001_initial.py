# The evidence store moved here from intake with its table and rows: this migration adds the
# model to Django's state only (the table intake_evidenceblob was created by intake 0001, so it
# depends on intake's last migration before the move). intake 0005 removes it from intake's state.

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("intake", "0004_filing_priority_and_quarantine_arrivals"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="EvidenceBlob",
                    fields=[
                        (
                            "sha256",
                            models.CharField(max_length=64, primary_key=True, serialize=False),
                        ),
                        ("size", models.PositiveBigIntegerField()),
                        ("content_type", models.CharField(max_length=100)),
                        ("stored_at", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"db_table": "intake_evidenceblob"},
                ),
            ],
            database_operations=[],
        ),
    ]
