# EvidenceBlob moved to the evidence app with its table (intake_evidenceblob) and rows. Django's
# state only: the foreign keys now name evidence.EvidenceBlob, and intake forgets the model.
# Nothing in the database changes (the columns and constraints already point at that table).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_filing_priority_and_quarantine_arrivals"),
        ("evidence", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="submission",
                    name="raw",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="evidence.evidenceblob"
                    ),
                ),
                migrations.AlterField(
                    model_name="quarantineitem",
                    name="raw",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT, to="evidence.evidenceblob"
                    ),
                ),
                migrations.DeleteModel(name="EvidenceBlob"),
            ],
            database_operations=[],
        ),
    ]
