"""PostgreSQL's unaccent extension, for the back office's accent-insensitive search
(core/search.py). Nothing to do on SQLite (a Python function is registered per connection)."""

from django.db import migrations


def create_unaccent(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create_unaccent, migrations.RunPython.noop)]
