"""The service of a démarche becomes a code of core.services_map.TownService; démarches
recorded with a group name ("Relations population") get the matching code."""

from django.db import migrations

LEGACY_SERVICE_NAMES = {
    "Relations population": "population",
    "Relations à la population": "population",
    "Pôle scolaire": "scolaire",
    "Régie": "regie",
}


def forwards(apps, schema_editor):
    Demarche = apps.get_model("demarches", "Demarche")
    for name, code in LEGACY_SERVICE_NAMES.items():
        Demarche.objects.filter(service=name).update(service=code)
    Demarche.objects.exclude(service__in=["", *set(LEGACY_SERVICE_NAMES.values())]).update(service="")


class Migration(migrations.Migration):

    dependencies = [
        ("demarches", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
