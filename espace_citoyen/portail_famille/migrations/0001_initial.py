# The LegacyImportRun model moves here from the accounts app (accounts 0005 created it).
# Same table (accounts_legacyimportrun), same rows: only Django's state changes.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import espace_citoyen.core.storage
import espace_citoyen.portail_famille.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("accounts", "0005_legacyimportrun"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LegacyImportRun",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="lancé le")),
                        ("dry_run", models.BooleanField(default=True, verbose_name="simulation")),
                        ("status", models.CharField(choices=[("queued", "En attente"), ("running", "En cours"), ("done", "Terminé"), ("failed", "Échec")], default="queued", max_length=10, verbose_name="état")),
                        ("file", models.FileField(blank=True, max_length=255, storage=espace_citoyen.core.storage.private_storage, upload_to=espace_citoyen.portail_famille.models.legacy_import_upload_to, verbose_name="fichier")),
                        ("original_filename", models.CharField(blank=True, max_length=255, verbose_name="nom du fichier envoyé")),
                        ("total_rows", models.PositiveIntegerField(default=0, verbose_name="familles dans le fichier")),
                        ("done_rows", models.PositiveIntegerField(default=0, verbose_name="familles traitées")),
                        ("report", models.JSONField(blank=True, default=dict, verbose_name="compte rendu")),
                        ("error_message", models.TextField(blank=True, verbose_name="message d'erreur")),
                        ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="commencé le")),
                        ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="terminé le")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="agent")),
                    ],
                    options={
                        "verbose_name": "import du Portail Famille",
                        "verbose_name_plural": "imports du Portail Famille",
                        "ordering": ["-created_at", "-id"],
                        "db_table": "accounts_legacyimportrun",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
