# LegacyImportRun now belongs to the portail_famille app (its 0001 takes over the same
# table): removed from the accounts app's state only, the table and its rows stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_legacyimportrun"),
        ("portail_famille", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="LegacyImportRun")],
            database_operations=[],
        ),
    ]
